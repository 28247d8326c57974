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

    /// <summary>Longest <see cref="SourceText"/> kept (UTF-16 chars): a refund's text is a few hundred; state stays small.</summary>
    public const int MaxSourceTextLength = 2048;

    /// <summary>The queue the refund came from; null when not from a queue. Its dead letter's <c>queue</c> (CONTRACT.md §1).</summary>
    public string? SourceQueue { get; set; }

    /// <summary>
    /// The producer's text of the refund, its dead letter's <c>body</c> (CONTRACT.md §1); null when not from a
    /// queue or longer than <see cref="MaxSourceTextLength"/> (then the dead letter carries this record instead).
    /// </summary>
    public string? SourceText { get; set; }

    /// <summary>The event to replay once the purchase is in.</summary>
    public MemberEvent ToEvent() => new(EventId, MemberEventTypes.Refund, OccurredAt)
    {
        OrderId = OrderId,
        Amount = Amount,
        Currency = Currency,
        RegionId = RegionId,
        StoreId = StoreId,
        Channel = Channel,
        SourceQueue = SourceQueue,
        SourceText = SourceText,
    };
}
