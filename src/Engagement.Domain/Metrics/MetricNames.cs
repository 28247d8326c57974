using System.Globalization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Names of the counters a member contributes to a region's local day (CONTRACT.md §5). Each is a sum over the
/// contributions applied once; the §5 rates are computed from them by <see cref="HealthMetrics"/>.
/// </summary>
public static class MetricNames
{
    /// <summary>Members that joined the programme that day (registered, or first seen).</summary>
    public const string NewMembers = "newMembers";

    /// <summary>Members that came to this region from another that day (their region follows their events' <c>regionId</c>).</summary>
    public const string MovedIn = "membersMovedIn";

    /// <summary>Members that left this region for another that day.</summary>
    public const string MovedOut = "membersMovedOut";

    /// <summary>Distinct members with any activity (every event type but <c>complaint</c>) that day.</summary>
    public const string Dau = "dau";

    /// <summary>Distinct members active on any of the 7 days ending that day.</summary>
    public const string Wau = "wau";

    /// <summary>Distinct members active on any of the 30 days ending that day.</summary>
    public const string Mau = "mau";

    /// <summary>Purchase events that day.</summary>
    public const string Purchases = "purchases";

    /// <summary>Distinct members with a purchase that day.</summary>
    public const string Purchasers = "purchasers";

    /// <summary>Distinct members with at least two purchases that day.</summary>
    public const string Repurchasers = "repurchasers";

    /// <summary>Distinct members with a purchase in the 30 days ending that day.</summary>
    public const string Purchasers30 = "purchasers30";

    /// <summary>Distinct members with at least two purchases in the 30 days ending that day.</summary>
    public const string Repurchasers30 = "repurchasers30";

    /// <summary>
    /// Calendar-period distinct purchasers (<see cref="PeriodCounts"/>): +1 on the local day of a member's first purchase
    /// within that day's ISO week (Monday start), so the sum over a week's first days up to any day is the week's
    /// distinct purchasers so far.
    /// </summary>
    public const string PurchasersIsoWeek = "purchasersIsoWeek";

    /// <summary>+1 on the day a member reaches its second purchase within that day's ISO week (two purchase days, or two purchases on one day).</summary>
    public const string RepurchasersIsoWeek = "repurchasersIsoWeek";

    /// <summary>+1 on the day of a member's first purchase within that day's calendar month (<see cref="PurchasersIsoWeek"/>).</summary>
    public const string PurchasersMonth = "purchasersMonth";

    /// <summary>+1 on the day a member reaches its second purchase within that day's calendar month.</summary>
    public const string RepurchasersMonth = "repurchasersMonth";

    /// <summary>+1 on the day of a member's first purchase within that day's calendar quarter.</summary>
    public const string PurchasersQuarter = "purchasersQuarter";

    /// <summary>+1 on the day a member reaches its second purchase within that day's calendar quarter.</summary>
    public const string RepurchasersQuarter = "repurchasersQuarter";

    /// <summary>+1 on the day of a member's first purchase within that day's calendar year.</summary>
    public const string PurchasersYear = "purchasersYear";

    /// <summary>+1 on the day a member reaches its second purchase within that day's calendar year.</summary>
    public const string RepurchasersYear = "repurchasersYear";

    /// <summary>Members whose first purchase ever fell on that day.</summary>
    public const string FirstPurchasers = "firstPurchasers";

    /// <summary>Of <see cref="FirstPurchasers"/> of that day, those who bought again within 7 days (counted on the first purchase's day).</summary>
    public const string Repurchased7d = "repurchased7d";

    /// <summary>Of <see cref="NewMembers"/> of that day, those active on the next day (counted on the joining day).</summary>
    public const string RetainedNextDay = "retainedNextDay";

    /// <summary>Share events that day.</summary>
    public const string Shares = "shares";

    /// <summary>Distinct members who shared that day.</summary>
    public const string Sharers = "sharers";

    /// <summary>Complaint events that day.</summary>
    public const string Complaints = "complaints";

    /// <summary>Funnel: distinct members with a <c>login</c> that day.</summary>
    public const string FunnelLogin = "funnelLogin";

    /// <summary>Funnel: distinct members with a <c>browse</c> that day.</summary>
    public const string FunnelBrowse = "funnelBrowse";

    /// <summary>Funnel: distinct members with an <c>add_to_cart</c> that day.</summary>
    public const string FunnelCart = "funnelCart";

    /// <summary>Points credited that day (purchases, offers, corrections upward).</summary>
    public const string PointsIssued = "pointsIssued";

    /// <summary>Points spent on redemptions that day.</summary>
    public const string PointsRedeemed = "pointsRedeemed";

    /// <summary>Points lost to lot expiry that day.</summary>
    public const string PointsExpired = "pointsExpired";

    /// <summary>Points taken back by refunds and downward corrections that day.</summary>
    public const string PointsReversed = "pointsReversed";

    /// <summary>Net manual adjustments (signed) that day.</summary>
    public const string PointsAdjusted = "pointsAdjusted";

    /// <summary>Coupons issued that day.</summary>
    public const string CouponsIssued = "couponsIssued";

    /// <summary>Coupons redeemed that day.</summary>
    public const string CouponsRedeemed = "couponsRedeemed";

    /// <summary>Prefix of the coupons issued that day per offer: <c>couponsIssued:{offerId}</c>.</summary>
    public const string CouponsIssuedOfferPrefix = "couponsIssued:";

    /// <summary>Prefix of the coupons redeemed that day per offer: <c>couponsRedeemed:{offerId}</c>.</summary>
    public const string CouponsRedeemedOfferPrefix = "couponsRedeemed:";

    /// <summary>Campaign touches that reached a member that day.</summary>
    public const string CampaignReached = "campaignReached";

    /// <summary>Campaign conversions that day.</summary>
    public const string CampaignConverted = "campaignConverted";

    /// <summary>Activity too late to be placed in the member's day window (older than <see cref="MemberMetrics.ExactLatenessDays"/>): not counted in distinct counts.</summary>
    public const string LateUncounted = "lateUncounted";
}

/// <summary>Names of the live gauges (<c>GET /segments</c>), moved by +1/−1 on member transitions.</summary>
public static class GaugeNames
{
    /// <summary>Members of the region.</summary>
    public const string Members = "members";

    /// <summary>Points outstanding (balance held by the region's members, net: a member's debt counts against it), points.</summary>
    public const string PointsOutstanding = "pointsOutstanding";

    /// <summary>
    /// Points the region's members owe (the negative balances a refund of spent points leaves, as a positive number),
    /// points: the points liability is <see cref="PointsOutstanding"/> plus this, the positive balances alone.
    /// </summary>
    public const string PointsDebt = "pointsDebt";

    public const string TierPrefix = "tier:";
    public const string SegmentPrefix = "segment:";
    public const string ValueClassPrefix = "valueClass:";
    public const string StagePrefix = "stage:";

    /// <summary>Monetary histogram bucket (see <see cref="MonetaryHistogram"/>), e.g. <c>monetary:12</c>.</summary>
    public const string MonetaryPrefix = "monetary:";

    /// <summary>
    /// How many names <see cref="Of"/> keeps: the tiers, RFM segments, value classes and stages a programme configures
    /// are far fewer; a name past it is made each time it is asked for.
    /// </summary>
    internal const int MaxKeptNames = 1024;

    /// <summary>Gauge names made so far by <see cref="Of"/>, kept while there are at most <see cref="MaxKeptNames"/>.</summary>
    private static readonly GaugeNameCache Named = new(MaxKeptNames);

    /// <summary><see cref="Monetary"/>'s names, one per bucket 0…<see cref="MonetaryHistogram.MaxBucket"/>, made on first use.</summary>
    private static readonly string?[] MonetaryNames = new string?[MonetaryHistogram.MaxBucket + 1];

    /// <summary>
    /// The gauge named <paramref name="prefix"/> followed by <paramref name="value"/> (<c>tier:V2</c>): the same text as
    /// <c>prefix + value</c>, made once and reused, so moving a member between gauges makes no string per outcome.
    /// </summary>
    internal static string Of(string prefix, string value) => Named.Of(prefix, value);

    /// <summary>The gauge of monetary histogram bucket <paramref name="bucket"/> (<c>monetary:12</c>), made once per bucket.</summary>
    internal static string Monetary(int bucket)
    {
        if ((uint)bucket >= (uint)MonetaryNames.Length)
        {
            return MonetaryPrefix + bucket.ToString(CultureInfo.InvariantCulture);
        }

        return MonetaryNames[bucket] ??= MonetaryPrefix + bucket.ToString(CultureInfo.InvariantCulture);
    }
}
