using Engagement.Contracts.Events;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>Builds wire events for tests.</summary>
public static class Events
{
    /// <summary>A purchase of <paramref name="amount"/> CNY in <paramref name="region"/>; its event id <c>p-{orderId}</c> unless given.</summary>
    public static EngagementEvent Purchase(string memberId, string orderId, decimal amount, DateTimeOffset at, string? eventId = null, string region = "east") => new()
    {
        EventId = eventId ?? $"p-{orderId}",
        Type = EventTypes.Purchase,
        MemberId = memberId,
        OccurredAt = at,
        OrderId = orderId,
        Amount = amount,
        RegionId = region,
    };

    public static EngagementEvent Refund(string memberId, string orderId, decimal amount, DateTimeOffset at, string? eventId = null) => new()
    {
        EventId = eventId ?? $"r-{orderId}-{amount}",
        Type = EventTypes.Refund,
        MemberId = memberId,
        OccurredAt = at,
        OrderId = orderId,
        Amount = amount,
    };

    public static EngagementEvent Of(string type, string memberId, DateTimeOffset at, string? eventId = null, IReadOnlyDictionary<string, string>? properties = null) => new()
    {
        EventId = eventId ?? $"{type}-{Guid.NewGuid():N}",
        Type = type,
        MemberId = memberId,
        OccurredAt = at,
        Properties = properties ?? new Dictionary<string, string>(),
    };
}
