namespace Engagement.Domain.Members;

/// <summary>One event for one member, as the engine sees it (the grain maps the wire envelope to it).</summary>
public sealed record MemberEvent(string EventId, string Type, DateTimeOffset OccurredAt)
{
    public string? OrderId { get; init; }

    public decimal? Amount { get; init; }

    public string? RegionId { get; init; }

    public string? StoreId { get; init; }

    public string? Channel { get; init; }

    public IReadOnlyList<MemberEventItem> Items { get; init; } = [];

    /// <summary>Flattened properties; nested objects arrive with dotted keys (<c>consent.sms</c>).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>One line of a purchase.</summary>
public sealed record MemberEventItem(string? Sku, string? Category, int Quantity, decimal UnitPrice);
