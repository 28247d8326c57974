namespace Engagement.Domain.Campaigns;

/// <summary>The tallies of one group (an arm, all arms, the control, the global control).</summary>
public sealed record GroupTally
{
    public long Audience { get; init; }

    public long Converted { get; init; }

    public decimal Revenue { get; init; }

    public decimal Cost { get; init; }
}

/// <summary>Difference of two conversion rates with its 95% confidence interval.</summary>
public sealed record Uplift(double Difference, double Low, double High, double? Relative)
{
    /// <summary>The interval excludes zero.</summary>
    public bool Significant => Low > 0 || High < 0;
}

/// <summary>Campaign result arithmetic, pure.</summary>
public static class CampaignMath
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>converted / audience; null for an empty group.</summary>
    public static double? ConversionRate(GroupTally group) =>
        group.Audience <= 0 ? null : (double)group.Converted / group.Audience;

    /// <summary>(revenue − cost) / cost; null when nothing was spent.</summary>
    public static double? Roi(GroupTally group) =>
        group.Cost <= 0 ? null : (double)((group.Revenue - group.Cost) / group.Cost);

    /// <summary>
    /// Uplift of <paramref name="treated"/> over <paramref name="baseline"/> in conversion rate, with a 95% Wald
    /// interval for the difference of two independent proportions:
    /// <code>
    ///   p1 = x1 / n1,  p0 = x0 / n0,  d = p1 − p0
    ///   se = sqrt( p1 (1 − p1) / n1  +  p0 (1 − p0) / n0 )
    ///   95% CI = d ± 1.959964 · se
    /// </code>
    /// Relative uplift is d / p0 (null when p0 = 0). Null when either group is empty. The normal approximation is
    /// fair when each group has at least ~10 conversions and ~10 non-conversions; below that the interval is too narrow,
    /// which a reader should keep in mind for small tests.
    /// </summary>
    public static Uplift? Compare(GroupTally treated, GroupTally baseline)
    {
        ArgumentNullException.ThrowIfNull(treated);
        ArgumentNullException.ThrowIfNull(baseline);
        if (treated.Audience <= 0 || baseline.Audience <= 0)
        {
            return null;
        }

        double n1 = treated.Audience, n0 = baseline.Audience;
        var p1 = treated.Converted / n1;
        var p0 = baseline.Converted / n0;
        var d = p1 - p0;
        var se = Math.Sqrt((p1 * (1 - p1) / n1) + (p0 * (1 - p0) / n0));
        var half = Z95 * se;
        return new Uplift(d, d - half, d + half, p0 > 0 ? d / p0 : null);
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
}
