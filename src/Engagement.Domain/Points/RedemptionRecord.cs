namespace Engagement.Domain.Points;

/// <summary>A remembered redemption, so a retried request gets its first outcome back.</summary>
public sealed class RedemptionRecord
{
    public string RedemptionId { get; set; } = "";

    public string Status { get; set; } = "";

    public long Points { get; set; }

    public decimal? CashAmount { get; set; }

    public string? RewardId { get; set; }

    /// <summary>
    /// The store whose unit a catalogue redemption took; null for a store-less one (no unit taken). Compared as given, null
    /// included (<see cref="RedemptionPolicy.Redeem"/>): no records from before the field was stored exist to excuse.
    /// </summary>
    public string? StoreId { get; set; }

    public decimal PointsValue { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>Redemption outcomes; the same strings as the HTTP contract.</summary>
public static class RedemptionStatuses
{
    public const string Accepted = "accepted";
    public const string InsufficientPoints = "insufficient_points";
    public const string NegativeBalance = "negative_balance";
    public const string Invalid = "invalid";
}
