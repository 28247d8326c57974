using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// An alert (CONTRACT.md §5) in the viewer's language, rendered from its rule, region, value and threshold and the
/// configured windows (<see cref="AlertOptions"/>). The stored and published <see cref="AlertView.Message"/> stays the
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
    /// stored message for a rule it does not know. The days are those the rule judged when the alert was raised (when
    /// resolved, when it was resolved), the value's days: complete local days of the region (for the whole programme,
    /// days over in every configured zone) ending the day before <see cref="MetricsOptions.CurrentDay"/> of that instant.
    /// </summary>
    /// <param name="text">The viewer's strings.</param>
    /// <param name="alert">The alert.</param>
    /// <param name="options">The alert windows and thresholds in force.</param>
    /// <param name="metrics">The zones the days are counted in.</param>
    public static string Message(IStringLocalizer<ProgrammeStrings> text, AlertView alert, AlertOptions options, MetricsOptions metrics)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var none = text["None"].Value;
        var value = Percent(alert.Value, none);
        var threshold = Percent(alert.Threshold, none);
        var last = metrics.CurrentDay(alert.ResolvedAt ?? alert.RaisedAt, alert.RegionId == AlertRules.AllRegions ? null : alert.RegionId).AddDays(-1);
        string Days(int count, int before = 0) => string.Create(
            CultureInfo.InvariantCulture,
            $"{last.AddDays(-(before + count - 1)):yyyy-MM-dd}–{last.AddDays(-before):yyyy-MM-dd}");
        return alert.Rule switch
        {
            AlertRules.ActivityBelowBaseline => text["AlertText_Activity", text[options.ActivityMetric == "dauMau" ? "DauMau" : "ActiveShare"].Value, value, threshold, options.ActivityDays, Days(options.ActivityDays)],
            AlertRules.BenefitsRedemptionLow => text["AlertText_Coupons", value, options.CouponWindowDays, threshold, Days(options.CouponWindowDays)],
            AlertRules.ComplaintsHigh => text["AlertText_Complaints", value, options.ComplaintWindowDays, threshold, Days(options.ComplaintWindowDays)],
            AlertRules.PointsRedemptionBand => text[
                alert.Value < alert.Threshold ? "AlertText_PointsLow" : "AlertText_PointsHigh",
                value,
                PointsEconomy.RateWindowDays,
                Percent(options.PointsBandLow, none),
                Percent(options.PointsBandHigh, none),
                Days(PointsEconomy.RateWindowDays)],
            AlertRules.PointsLiabilityJump => text[
                "AlertText_Liability",
                value,
                options.PointsLiabilityBaselineDays,
                options.PointsLiabilityDays,
                threshold,
                Days(options.PointsLiabilityDays),
                Days(options.PointsLiabilityBaselineDays, options.PointsLiabilityDays),
                last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
            AlertRules.DataAnomaly => text["AlertText_Anomaly", alert.RegionId, alert.Message],
            _ => alert.Message,
        };
    }
}
