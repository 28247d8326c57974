namespace Engagement.Domain.Members;

/// <summary>A refund that arrived before its purchase, waiting (bounded) for it.</summary>
public sealed class HeldRefund
{
    public string EventId { get; set; } = "";

    public string OrderId { get; set; } = "";

    public decimal Amount { get; set; }

    /// <summary>Currency of <see cref="Amount"/>; null means the programme currency.</summary>
    public string? Currency { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset HeldAt { get; set; }

    public string? RegionId { get; set; }

    public string? StoreId { get; set; }

    public string? Channel { get; set; }

    /// <summary>The event to replay once the purchase is in.</summary>
    public MemberEvent ToEvent() => new(EventId, MemberEventTypes.Refund, OccurredAt)
    {
        OrderId = OrderId,
        Amount = Amount,
        Currency = Currency,
        RegionId = RegionId,
        StoreId = StoreId,
        Channel = Channel,
    };
}
