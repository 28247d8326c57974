using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// An alert (CONTRACT.md §5) in the viewer's language, rendered from its rule, region, value and threshold and the
/// window of days recorded on it (<see cref="AlertView.Window"/>). The stored and published <see cref="AlertView.Message"/> stays the
/// English text of the contract; only <c>data.anomaly</c>, whose detail is free text from the code that saw the fault,
/// shows that detail after a translated lead.
/// </summary>
public static class AlertTexts
{
    /// <summary>A fraction as a percentage with up to 2 decimals (<c>0.045</c> → <c>4.5%</c>); <paramref name="none"/> for null.</summary>
    public static string Percent(double? fraction, string none) =>
        fraction is { } v ? (v * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : none;

    /// <summary>The rule's name in the viewer's language followed by its id (<c>投诉率过高 (complaints.high)</c>); the id alone when unknown.</summary>
    public static string Rule(IStringLocalizer<ProgrammeStrings> text, string rule)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text["AlertRule_" + rule];
        return name.ResourceNotFound ? rule : $"{name.Value} ({rule})";
    }

    /// <summary>The region, or the translated "all regions" for programme-wide alerts (<see cref="AlertRules.AllRegions"/>).</summary>
    public static string Region(IStringLocalizer<ProgrammeStrings> text, AlertView alert)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(alert);
        return alert.RegionId == AlertRules.AllRegions && alert.Rule != AlertRules.DataAnomaly ? text["AllRegions"] : alert.RegionId;
    }

    /// <summary>
    /// What the alert says, over which local days, against what threshold and what to do, in the viewer's language; the
    /// stored message for a rule it does not know. The days are those recorded on the alert (<see cref="AlertView.Window"/>):
    /// the days the rule judged for its value when it was raised (when resolved, when it was resolved), whatever the
    /// windows configured now. An alert stored before windows were recorded says "window not recorded" instead of days
    /// (they used to be worked out from the options in force now, wrong once an operator had changed a window). The
    /// threshold shown beside those days is the one recorded in the same window (<see cref="AlertWindowView.Threshold"/>),
    /// so value, days and threshold are always those of one judgement; without a window, <see cref="AlertView.Threshold"/>.
    /// </summary>
    /// <param name="text">The viewer's strings.</param>
    /// <param name="alert">The alert.</param>
    /// <param name="options">The alert options in force: only the points band's ends are taken from them, for an alert whose window recorded none.</param>
    public static string Message(IStringLocalizer<ProgrammeStrings> text, AlertView alert, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(options);
        var none = text["None"].Value;
        var value = Percent(alert.Value, none);
        var threshold = Percent(alert.Threshold, none);
        if (alert.Rule == AlertRules.DataAnomaly)
        {
            return text["AlertText_Anomaly", alert.RegionId, alert.RaisedMessage ?? alert.Message];
        }

        if (alert.Window is not { } w)
        {
            return text["AlertText_WindowNotRecorded", Rule(text, alert.Rule), value, threshold];
        }

        static string Days(DateOnly from, DateOnly to) => string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-dd}–{to:yyyy-MM-dd}");
        var days = Days(w.From, w.To);

        // The threshold of the judgement the value and days come from: a resolving judgement replaces the value and the
        // window but not the raised AlertView.Threshold (a low points-redemption alert resolves against the band's high end).
        threshold = Percent(w.Threshold, none);
        return alert.Rule switch
        {
            AlertRules.ActivityBelowBaseline => text["AlertText_Activity", text[options.ActivityMetric == "dauMau" ? "DauMau" : "ActiveShare"].Value, value, threshold, w.Days, days],
            AlertRules.BenefitsRedemptionLow => text["AlertText_Coupons", value, w.Days, threshold, days],
            AlertRules.ComplaintsHigh => text["AlertText_Complaints", value, w.Days, threshold, days],
            AlertRules.PointsRedemptionBand => text[
                PointsBandText(alert, w, options),
                value,
                w.Days,
                Percent(Band(w, options).Low, none),
                Percent(Band(w, options).High, none),
                days],
            AlertRules.PointsLiabilityJump when w.BaselineFrom is { } bf && w.BaselineTo is { } bt => text[
                alert.State == AlertStates.Resolved && alert.Value <= w.Threshold ? "AlertText_LiabilityResolved" : "AlertText_Liability",
                value,
                bt.DayNumber - bf.DayNumber + 1,
                w.Days,
                threshold,
                days,
                Days(bf, bt),
                w.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
            AlertRules.PointsLiabilityJump => text["AlertText_WindowNotRecorded", Rule(text, alert.Rule), value, threshold],
            _ => alert.Message,
        };
    }

    /// <summary>
    /// The points-band text for the alert's direction and state. The direction is the one recorded when the alert was
    /// raised (<see cref="AlertView.Direction"/>, against its <see cref="AlertView.Threshold"/>, the band's end it crossed):
    /// inferred from the band in force, an old alert's sentence flipped after an operator moved the band (a hoarding alert
    /// raised against 28% read as inflation once the band was 20–25%). An alert stored before the direction was recorded
    /// keeps the inference: the end of the band in force nearest its raised threshold (kept when it resolves), not the
    /// value, since a resolving value is back inside the band. A resolved alert is over (the resolved wording) when its
    /// value is within the band its window recorded (<see cref="AlertWindowView.BandLow"/>–<see cref="AlertWindowView.BandHigh"/>):
    /// always so for one resolved by a judgement, whose window and value are the resolving judgement's and which resolves
    /// only inside its band, whatever band is in force or was raised against (deciding by the raised bound, a hoarding
    /// alert raised below 28% and resolved at 22% inside a band moved to 20–25% read as still wanting a review), while one
    /// resolved without a judgement (its rule turned off) keeps its raised value and window, outside that band, and the
    /// raised wording. A window recorded before the band was is judged against the band in force.
    /// </summary>
    private static string PointsBandText(AlertView alert, AlertWindowView window, AlertOptions options)
    {
        var low = alert.Direction is { } direction
            ? direction == AlertDirections.Below
            : alert.Threshold is { } raised
                ? Math.Abs(raised - options.PointsBandLow) <= Math.Abs(raised - options.PointsBandHigh)
                : alert.Value < window.Threshold;
        var band = Band(window, options);
        var over = alert.State == AlertStates.Resolved && alert.Value >= band.Low && alert.Value <= band.High;

        return (low, over) switch
        {
            (true, false) => "AlertText_PointsLow",
            (true, true) => "AlertText_PointsLowResolved",
            (false, false) => "AlertText_PointsHigh",
            (false, true) => "AlertText_PointsHighResolved",
        };
    }

    /// <summary>
    /// The points band of the judgement a window records (<see cref="AlertWindowView.BandLow"/>,
    /// <see cref="AlertWindowView.BandHigh"/>; fractions): the band shown beside its value and days, so an alert raised
    /// under 28–32% still says 28–32% after an operator moved the band to 20–25%. The band in force for a window recorded
    /// before the band was.
    /// </summary>
    private static (double Low, double High) Band(AlertWindowView window, AlertOptions options) =>
        window.BandLow is { } low && window.BandHigh is { } high ? (low, high) : (options.PointsBandLow, options.PointsBandHigh);
}
