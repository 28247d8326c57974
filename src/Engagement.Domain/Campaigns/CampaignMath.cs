namespace Engagement.Domain.Campaigns;

/// <summary>The tallies of one group (an arm, all arms, the control, the global control).</summary>
public sealed record GroupTally
{
    /// <summary>Members assigned to the group (the rate's denominator).</summary>
    public long Audience { get; init; }

    /// <summary>Members with a purchase within the attribution window.</summary>
    public long Converted { get; init; }

    /// <summary>Their purchases within the window, CNY.</summary>
    public decimal Revenue { get; init; }

    /// <summary>Unit cost × grants the members hold (touches sent or deferred), CNY.</summary>
    public decimal Cost { get; init; }
}

/// <summary>Difference of two conversion rates with its 95% confidence interval (Newcombe's hybrid score interval).</summary>
/// <param name="Difference">rate(group) − rate(baseline), absolute (0.02 = two percentage points).</param>
/// <param name="Low">Lower 95% limit, never below −1.</param>
/// <param name="High">Upper 95% limit, never above 1.</param>
/// <param name="Relative">Difference / baseline rate; null when the baseline rate is 0.</param>
public sealed record Uplift(double Difference, double Low, double High, double? Relative)
{
    /// <summary>The interval excludes zero.</summary>
    public bool Significant => Low > 0 || High < 0;
}

/// <summary>Campaign result arithmetic, pure.</summary>
public static class CampaignMath
{
    /// <summary>z for a two-sided 95% interval (the 0.975 normal quantile).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>How <see cref="Compare"/> computes the interval, in words (shown beside results).</summary>
    public const string IntervalMethod =
        "95% CI = Newcombe's hybrid score interval (Newcombe 1998, method 10) built from the Wilson score intervals " +
        "[l1, u1], [l0, u0] of the two rates: d − sqrt((p1 − l1)² + (u0 − p0)²) to d + sqrt((u1 − p1)² + (p0 − l0)²); " +
        "it holds at small counts and at zero conversions (0 of 10 vs 0 of 20 gives −0.161 to +0.278, not 0 to 0).";

    /// <summary>converted / audience; null for an empty group.</summary>
    public static double? ConversionRate(GroupTally group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Audience <= 0 ? null : (double)group.Converted / group.Audience;
    }

    /// <summary>(revenue − cost) / cost; null when nothing was spent.</summary>
    public static double? Roi(GroupTally group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Cost <= 0 ? null : (double)((group.Revenue - group.Cost) / group.Cost);
    }

    /// <summary>
    /// Revenue the campaign added over its control, CNY: treated revenue − control revenue per control member × treated
    /// audience (what the treated members would have bought untouched, by the control's measure), rounded to 2 places
    /// (half away from zero) as the programme's money fields. Null without a control group (no control member) or an
    /// empty treated group. Can be negative: the treated members bought less than the control's rate predicts.
    /// </summary>
    public static decimal? IncrementalRevenue(GroupTally treated, GroupTally control)
    {
        ArgumentNullException.ThrowIfNull(treated);
        ArgumentNullException.ThrowIfNull(control);
        if (control.Audience <= 0 || treated.Audience <= 0)
        {
            return null;
        }

        var expected = control.Revenue * treated.Audience / control.Audience;
        return Math.Round(treated.Revenue - expected, 2, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// (incremental revenue − cost) / cost (<see cref="IncrementalRevenue"/>, the treated group's cost): the return the
    /// campaign caused, the one to report; <see cref="Roi"/> counts revenue the members would have brought anyway. Null
    /// without a control group or when nothing was spent.
    /// </summary>
    public static double? IncrementalRoi(GroupTally treated, GroupTally control)
    {
        ArgumentNullException.ThrowIfNull(treated);
        return treated.Cost <= 0 || IncrementalRevenue(treated, control) is not { } incremental
            ? null
            : (double)((incremental - treated.Cost) / treated.Cost);
    }

    /// <summary>
    /// Uplift of <paramref name="treated"/> over <paramref name="baseline"/> in conversion rate, with the 95%
    /// interval of <see cref="DifferenceInterval"/>. Relative uplift is d / p0 (null when p0 = 0). Null when either
    /// group is empty. The same method serves a campaign's arms against its control and the programme-wide uplift
    /// against the global control group.
    /// </summary>
    public static Uplift? Compare(GroupTally treated, GroupTally baseline)
    {
        ArgumentNullException.ThrowIfNull(treated);
        ArgumentNullException.ThrowIfNull(baseline);
        if (treated.Audience <= 0 || baseline.Audience <= 0)
        {
            return null;
        }

        // A conversion reported before its page's checkpoint can briefly outnumber the audience: clamp, never throw.
        var x1 = Math.Clamp(treated.Converted, 0, treated.Audience);
        var x0 = Math.Clamp(baseline.Converted, 0, baseline.Audience);
        var (low, high) = DifferenceInterval(x1, treated.Audience, x0, baseline.Audience);
        var p1 = (double)x1 / treated.Audience;
        var p0 = (double)x0 / baseline.Audience;
        var d = p1 - p0;
        return new Uplift(d, low, high, p0 > 0 ? d / p0 : null);
    }

    /// <summary>
    /// Newcombe's hybrid score interval (Newcombe 1998, Statistics in Medicine 17:873–890, method 10) for
    /// p1 − p0 = x1/n1 − x0/n0 of two independent proportions:
    /// <code>
    ///   [l1, u1], [l0, u0] = Wilson score intervals of x1/n1 and x0/n0
    ///   low  = d − sqrt((p1 − l1)² + (u0 − p0)²)
    ///   high = d + sqrt((u1 − p1)² + (p0 − l0)²)
    /// </code>
    /// Valid at zero counts (0/10 vs 0/20 → [−0.1611, 0.2775]); stays within [−1, 1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, exceeds its n, or an n is 0.</exception>
    public static (double Low, double High) DifferenceInterval(long x1, long n1, long x0, long n0, double z = Z95)
    {
        var (l1, u1) = WilsonInterval(x1, n1, z);
        var (l0, u0) = WilsonInterval(x0, n0, z);
        var p1 = (double)x1 / n1;
        var p0 = (double)x0 / n0;
        var d = p1 - p0;
        var low = d - Math.Sqrt(Square(p1 - l1) + Square(u0 - p0));
        var high = d + Math.Sqrt(Square(u1 - p1) + Square(p0 - l0));
        return (Math.Max(-1, low), Math.Min(1, high));
    }

    /// <summary>
    /// Wilson score interval for one proportion x/n (no continuity correction):
    /// (x + z²/2 ± z·sqrt(x(n − x)/n + z²/4)) / (n + z²). At x = 0 the lower limit is 0, at x = n the upper is 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">x is negative or above n, or n is not positive.</exception>
    public static (double Low, double High) WilsonInterval(long x, long n, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(n, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(x, n);
        double xs = x, ns = n, z2 = z * z;
        var center = xs + (z2 / 2);
        var half = z * Math.Sqrt((xs * (ns - xs) / ns) + (z2 / 4));
        var low = x == 0 ? 0 : (center - half) / (ns + z2);
        var high = x == n ? 1 : (center + half) / (ns + z2);
        return (low, high);
    }

    /// <summary>The sum of several groups (all arms together).</summary>
    public static GroupTally Sum(IEnumerable<GroupTally> groups) =>
        groups.Aggregate(new GroupTally(), (a, g) => new GroupTally
        {
            Audience = a.Audience + g.Audience,
            Converted = a.Converted + g.Converted,
            Revenue = a.Revenue + g.Revenue,
            Cost = a.Cost + g.Cost,
        });

    private static double Square(double v) => v * v;
}
