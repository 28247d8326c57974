namespace Engagement.Domain.Metrics;

/// <summary>Alert rule names (CONTRACT.md §5).</summary>
public static class AlertRules
{
    /// <summary>activeShare (or dau/mau) below the baseline on <see cref="AlertOptions.ActivityDays"/> consecutive days.</summary>
    public const string ActivityBelowBaseline = "activity.below-baseline";

    /// <summary>couponRedemptionRate below <see cref="AlertOptions.CouponRedemptionMin"/>.</summary>
    public const string BenefitsRedemptionLow = "benefits.redemption-low";

    /// <summary>complaintRate above <see cref="AlertOptions.ComplaintRateMax"/>.</summary>
    public const string ComplaintsHigh = "complaints.high";

    /// <summary>pointsRedemptionRate outside [<see cref="AlertOptions.PointsBandLow"/>, <see cref="AlertOptions.PointsBandHigh"/>].</summary>
    public const string PointsRedemptionBand = "points.redemption-band";

    /// <summary>
    /// Points outstanding at the end of the last complete local day more than <see cref="AlertOptions.PointsLiabilityRiseMax"/>
    /// above their trailing baseline (<see cref="AlertPolicy.PointsLiability"/>).
    /// </summary>
    public const string PointsLiabilityJump = "points.liability-jump";

    /// <summary>A backup or storage fault, raised by the code that saw it.</summary>
    public const string DataAnomaly = "data.anomaly";

    /// <summary>
    /// The region id of programme-wide alerts (on the wire, in alert ids and book keys). No region can have it:
    /// <see cref="MetricsOptions.RegionOf"/> counts a region id <c>all</c> under <see cref="MetricsOptions.DefaultRegion"/>.
    /// </summary>
    public const string AllRegions = "all";

    /// <summary>
    /// Every rule an alert can carry (CONTRACT.md §5's and <see cref="PointsLiabilityJump"/>), in the order the console's
    /// alert-history filter offers them.
    /// </summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ActivityBelowBaseline, BenefitsRedemptionLow, ComplaintsHigh, PointsRedemptionBand, PointsLiabilityJump, DataAnomaly,
    ];
}

/// <summary>Alert thresholds (<c>Engagement:Alerts</c>, CONTRACT.md §5); every rule can be tuned or turned off.</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Engagement:Alerts";

    /// <summary>The queue alert state changes are published to (default <c>engagement-alerts</c>, CONTRACT.md §5).</summary>
    public string QueueName { get; set; } = "engagement-alerts";

    /// <summary>Rule names turned off.</summary>
    public List<string> Disabled { get; set; } = [];

    /// <summary>The activity baseline as a fraction (e.g. 0.05 for "5% of members active"), or null for the programme's own trailing 8-week median.</summary>
    public double? ActivityBaseline { get; set; }

    /// <summary>Which activity measure is compared: <c>activeShare</c> (mau/members, default) or <c>dauMau</c>.</summary>
    public string ActivityMetric { get; set; } = "activeShare";

    /// <summary>Consecutive days below the baseline that raise the alert (default 14).</summary>
    public int ActivityDays { get; set; } = 14;

    /// <summary>Days of the trailing median baseline (default 56, 8 weeks); at least half must have a value.</summary>
    public int BaselineDays { get; set; } = 56;

    /// <summary>couponRedemptionRate below this raises <c>benefits.redemption-low</c> (default 0.15).</summary>
    public double CouponRedemptionMin { get; set; } = 0.15;

    /// <summary>Days of the coupon window: complete local days, ending yesterday (default 30).</summary>
    public int CouponWindowDays { get; set; } = 30;

    /// <summary>Coupons issued in the window needed before the rule judges (default 20).</summary>
    public long CouponMinIssued { get; set; } = 20;

    /// <summary>complaintRate above this raises <c>complaints.high</c> (default 0.03).</summary>
    public double ComplaintRateMax { get; set; } = 0.03;

    /// <summary>Days of the complaint window: complete local days, ending yesterday (default 7).</summary>
    public int ComplaintWindowDays { get; set; } = 7;

    /// <summary>Active member-days in the window needed before the rule judges (default 100).</summary>
    public long ComplaintMinActive { get; set; } = 100;

    /// <summary>Low end of the pointsRedemptionRate band (default 0.28).</summary>
    public double PointsBandLow { get; set; } = 0.28;

    /// <summary>High end of the band (default 0.32).</summary>
    public double PointsBandHigh { get; set; } = 0.32;

    /// <summary>Points issued in 90 days needed before the band rule judges (default 1,000).</summary>
    public long PointsMinIssued { get; set; } = 1000;

    /// <summary>
    /// The share outstanding points may rise above their baseline before <c>points.liability-jump</c> fires (default
    /// 0.15: 15%), judged exactly in decimal.
    /// </summary>
    public decimal PointsLiabilityRiseMax { get; set; } = 0.15m;

    /// <summary>
    /// Days the liability rule judges (default 7): the rise is that of the end of the last complete local day over the
    /// baseline, which ends the day before these days.
    /// </summary>
    public int PointsLiabilityDays { get; set; } = 7;

    /// <summary>Days of the liability baseline, the median of their end-of-day outstanding points (default 28).</summary>
    public int PointsLiabilityBaselineDays { get; set; } = 28;

    /// <summary>
    /// Baseline outstanding points needed before the liability rule judges (default 1,000,000 points): at 10,000 one big
    /// purchase's points (1,501 on 10,000) fired it.
    /// </summary>
    public long PointsLiabilityMinOutstanding { get; set; } = 1_000_000;

    /// <summary>How often the alert grain evaluates, minutes (1–60, default 60).</summary>
    public int EvaluateEveryMinutes { get; set; } = 60;

    /// <summary>Closed episodes kept in history (default 500).</summary>
    public int HistoryLimit { get; set; } = 500;

    /// <summary>
    /// Days of series the rules read, ending today: the longest window of complete local days (the points rule's 90 of
    /// <see cref="PointsEconomy.RateWindowDays"/> by default) and today, which no rule judges.
    /// </summary>
    public int LookbackDays => Math.Max(
        Math.Max(Math.Max(ActivityDays + (ActivityBaseline is null ? BaselineDays : 0), CouponWindowDays), Math.Max(ComplaintWindowDays, PointsEconomy.RateWindowDays)),
        PointsLiabilityDays + PointsLiabilityBaselineDays) + 1;

    /// <summary>Configuration errors, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ActivityBaseline is < 0 or > 1)
        {
            errors.Add("ActivityBaseline must be a fraction 0–1.");
        }

        if (ActivityMetric is not ("activeShare" or "dauMau"))
        {
            errors.Add("ActivityMetric must be activeShare or dauMau.");
        }

        if (ActivityDays is < 1 or > 90 || BaselineDays is < 7 or > 180 || CouponWindowDays is < 1 or > 90 || ComplaintWindowDays is < 1 or > 90)
        {
            errors.Add("ActivityDays, CouponWindowDays, ComplaintWindowDays must be 1–90 and BaselineDays 7–180.");
        }

        if (PointsLiabilityRiseMax is <= 0 or > 10 || PointsLiabilityDays is < 1 or > 90 || PointsLiabilityBaselineDays is < 7 or > 180 || PointsLiabilityMinOutstanding < 1)
        {
            errors.Add("PointsLiabilityRiseMax must be above 0 and at most 10, PointsLiabilityDays 1–90, PointsLiabilityBaselineDays 7–180 and PointsLiabilityMinOutstanding at least 1.");
        }

        if (PointsBandLow < 0 || PointsBandHigh > 1 || PointsBandLow > PointsBandHigh)
        {
            errors.Add("PointsBandLow ≤ PointsBandHigh, both fractions 0–1.");
        }

        if (QueueName.Length is < 3 or > 63 || !QueueName.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            errors.Add("QueueName must be 3–63 characters of a–z 0–9 -.");
        }

        if (EvaluateEveryMinutes is < 1 or > 60 || HistoryLimit is < 1 or > 10_000)
        {
            errors.Add("EvaluateEveryMinutes must be 1–60 and HistoryLimit 1–10000.");
        }

        return errors;
    }
}
