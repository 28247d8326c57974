namespace Engagement.Domain.Tiers;

/// <summary>One tier: the trailing growth it takes and the points multiplier it gives.</summary>
public sealed class TierRule
{
    /// <summary>Growth value in the trailing window needed to hold the tier.</summary>
    public long Threshold { get; set; }

    /// <summary>Points per CNY on purchases made while holding the tier.</summary>
    public decimal PointsMultiplier { get; set; } = 1m;
}
