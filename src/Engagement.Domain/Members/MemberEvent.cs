namespace Engagement.Domain.Members;

/// <summary>One event for one member, as the engine sees it (the grain maps the wire envelope to it).</summary>
public sealed record MemberEvent(string EventId, string Type, DateTimeOffset OccurredAt)
{
    public string? OrderId { get; init; }

    /// <summary>In <see cref="Currency"/>; at most as many decimals as its minor unit.</summary>
    public decimal? Amount { get; init; }

    /// <summary>ISO 4217 code of <see cref="Amount"/>; null or empty means the programme currency (CONTRACT.md §1).</summary>
    public string? Currency { get; init; }

    public string? RegionId { get; init; }

    public string? StoreId { get; init; }

    public string? Channel { get; init; }

    public IReadOnlyList<MemberEventItem> Items { get; init; } = [];

    /// <summary>
    /// Flattened properties; nested objects arrive with dotted keys (<c>consent.sms</c>). Empty by default: one shared
    /// read-only instance, not a dictionary made per event that the mapper's own value then replaces.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Purchase only: coupon codes used on the order (CONTRACT.md §1); <c>Domain/Offers/MemberCoupons</c> confirms them.</summary>
    public IReadOnlyList<string> Coupons { get; init; } = [];

    /// <summary>The queue the event was read from, null when not from a queue; kept on a held refund for its dead letter.</summary>
    public string? SourceQueue { get; init; }

    /// <summary>The producer's text of the event when read from a queue (CONTRACT.md §1 dead-letter <c>body</c>); else null.</summary>
    public string? SourceText { get; init; }

    /// <summary>The event's 0-based place in the batch message it came from (with <see cref="SourceBatchSize"/>); null when it was not part of one. Kept on a held refund for its dead letter.</summary>
    public int? SourceBatchIndex { get; init; }

    /// <summary>How many events that batch message held; null as <see cref="SourceBatchIndex"/>.</summary>
    public int? SourceBatchSize { get; init; }
}

/// <summary>One line of a purchase.</summary>
public sealed record MemberEventItem(string? Sku, string? Category, int Quantity, decimal UnitPrice);
