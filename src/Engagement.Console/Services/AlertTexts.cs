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

    /// <summary>What the alert says and what to do, in the viewer's language; the stored message for a rule it does not know.</summary>
    public static string Message(IStringLocalizer<ProgrammeStrings> text, AlertView alert, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentNullException.ThrowIfNull(options);
        var none = text["None"].Value;
        var value = Percent(alert.Value, none);
        var threshold = Percent(alert.Threshold, none);
        return alert.Rule switch
        {
            AlertRules.ActivityBelowBaseline => text["AlertText_Activity", text[options.ActivityMetric == "dauMau" ? "DauMau" : "ActiveShare"].Value, value, threshold, options.ActivityDays],
            AlertRules.BenefitsRedemptionLow => text["AlertText_Coupons", value, options.CouponWindowDays, threshold],
            AlertRules.ComplaintsHigh => text["AlertText_Complaints", value, options.ComplaintWindowDays, threshold],
            AlertRules.PointsRedemptionBand => text[
                alert.Value < alert.Threshold ? "AlertText_PointsLow" : "AlertText_PointsHigh",
                value,
                PointsEconomy.RateWindowDays,
                Percent(options.PointsBandLow, none),
                Percent(options.PointsBandHigh, none)],
            AlertRules.PointsLiabilityJump => text["AlertText_Liability", value, options.PointsLiabilityBaselineDays, options.PointsLiabilityDays, threshold],
            AlertRules.DataAnomaly => text["AlertText_Anomaly", alert.RegionId, alert.Message],
            _ => alert.Message,
        };
    }
}
