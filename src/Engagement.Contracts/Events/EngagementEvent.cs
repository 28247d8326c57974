using System.Text.Json.Serialization;

namespace Engagement.Contracts.Events;

/// <summary>
/// The wire envelope of CONTRACT.md §1: one event from a transaction system, as read from
/// a queue or <c>POST /api/v1/events</c>. Field names are fixed; additions are fine.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.event.v1")]
public sealed record EngagementEvent
{
    /// <summary>Idempotency key, 1–128 chars.</summary>
    [Id(0)] public required string EventId { get; init; }

    /// <summary>One of <see cref="EventTypes"/>.</summary>
    [Id(1)] public required string Type { get; init; }

    [Id(2)] public required string MemberId { get; init; }

    [Id(3)] public required DateTimeOffset OccurredAt { get; init; }

    [Id(4)] public string? StoreId { get; init; }

    [Id(5)] public string? RegionId { get; init; }

    [Id(6)] public string? Channel { get; init; }

    [Id(7)] public string? OrderId { get; init; }

    [Id(8)] public decimal? Amount { get; init; }

    /// <summary>ISO currency; <c>CNY</c> when absent.</summary>
    [Id(9)] public string Currency { get; init; } = "CNY";

    [Id(10)] public IReadOnlyList<EventItem> Items { get; init; } = [];

    /// <summary>Free-form properties; nested JSON objects arrive flattened with dotted keys (<c>consent.sms</c>).</summary>
    [Id(11)] public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Purchase only: coupon codes used on this order (CONTRACT.md §1, §2.1); the member marks them redeemed by it. At most 20. Any other type carrying codes is refused naming <c>coupons</c> (<see cref="EventValidator"/>).</summary>
    [Id(12)] public IReadOnlyList<string> Coupons { get; init; } = [];

    /// <summary>
    /// The storage queue this event was read from (e.g. <c>engagement-events-2</c>), so a member that refuses it
    /// dead-letters it naming that queue (CONTRACT.md §1); null when it did not come from a queue (<c>POST /events</c>,
    /// an Orleans producer). One shared string per queue. Not part of the wire JSON.
    /// </summary>
    [Id(13), JsonIgnore] public string? SourceQueue { get; init; }

    /// <summary>
    /// The producer's own text of this event (the message body, or this event's element of a batch message) when it
    /// came from a queue: the <c>body</c> of its dead letter (CONTRACT.md §1); null otherwise. The string the parser
    /// already read, not a copy. Not part of the wire JSON.
    /// </summary>
    [Id(14), JsonIgnore] public string? SourceText { get; init; }

    /// <summary>
    /// This event's place in the batch message it came from (a JSON array on a queue, CONTRACT.md §1): its 0-based
    /// index, with <see cref="SourceBatchSize"/>; null for an event that was a message of its own or did not come from a
    /// queue. Not part of the wire JSON.
    /// </summary>
    [Id(15), JsonIgnore] public int? SourceBatchIndex { get; init; }

    /// <summary>How many events the batch message this event came from held; null as <see cref="SourceBatchIndex"/>. Not part of the wire JSON.</summary>
    [Id(16), JsonIgnore] public int? SourceBatchSize { get; init; }
}

/// <summary>One line of a purchase.</summary>
[GenerateSerializer, Immutable, Alias("engagement.event-item.v1")]
public sealed record EventItem
{
    [Id(0)] public string? Sku { get; init; }

    [Id(1)] public string? Category { get; init; }

    [Id(2)] public int Quantity { get; init; }

    [Id(3)] public decimal UnitPrice { get; init; }
}
