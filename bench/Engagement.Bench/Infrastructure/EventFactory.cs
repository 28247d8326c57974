using System.Globalization;
using Engagement.Contracts.Events;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// Deterministic bench load: 70% purchases (one line, 20–800 CNY), the rest logins, browses, add-to-carts and
/// shares. The first <c>members</c> events give every member one event; after that members are drawn at random.
/// Ids carry the run id, so runs never see each other's members in shared storage. Purchases carry region
/// <c>east</c>, or with <c>regions</c> above 1 the member's own of <c>r01</c>… (member index modulo regions).
/// </summary>
internal sealed class EventFactory(string runId, int members, int seed, int regions = 1)
{
    private static readonly string[] Interactions = [EventTypes.Login, EventTypes.Browse, EventTypes.AddToCart, EventTypes.Share];
    private static readonly string[] Categories = ["skincare", "makeup", "fragrance", "bodycare", "haircare"];

    private readonly Random _random = new(seed);
    private long _ordinal;

    public int Members => members;

    public string MemberId(int index) => string.Create(CultureInfo.InvariantCulture, $"{runId}-M{index:D7}");

    /// <summary>
    /// The next event; <paramref name="now"/> anchors occurredAt (up to an hour earlier). Its member is
    /// <paramref name="member"/> (an index below <see cref="Members"/>) when given; otherwise each member in turn for the
    /// first <see cref="Members"/> events, then one at random.
    /// </summary>
    public EngagementEvent Next(DateTimeOffset now, string? forceType = null, int? member = null)
    {
        var ordinal = _ordinal++;
        var index = member ?? (ordinal < members ? (int)ordinal : _random.Next(members));
        var type = forceType ?? (_random.Next(100) < 70 ? EventTypes.Purchase : Interactions[_random.Next(Interactions.Length)]);
        var eventId = string.Create(CultureInfo.InvariantCulture, $"{runId}-e{ordinal}");
        var occurredAt = now.AddSeconds(-_random.Next(0, 3600));
        if (type != EventTypes.Purchase)
        {
            return new EngagementEvent
            {
                EventId = eventId,
                Type = type,
                MemberId = MemberId(index),
                OccurredAt = occurredAt,
                Channel = "app",
            };
        }

        var quantity = 1 + _random.Next(3);
        var unitPrice = Math.Round((decimal)(20 + (_random.NextDouble() * 260)), 2);
        return new EngagementEvent
        {
            EventId = eventId,
            Type = type,
            MemberId = MemberId(index),
            OccurredAt = occurredAt,
            StoreId = string.Create(CultureInfo.InvariantCulture, $"S{_random.Next(1, 40):D3}"),
            RegionId = regions <= 1 ? "east" : string.Create(CultureInfo.InvariantCulture, $"r{1 + (index % regions):D2}"),
            Channel = "pos",
            OrderId = string.Create(CultureInfo.InvariantCulture, $"{runId}-o{ordinal}"),
            Amount = unitPrice * quantity,

            // A List, as EventParser makes for events read from a queue. A collection expression here would make a
            // compiler-synthesized IReadOnlyList type that Orleans has no codec for: every serialization of the event
            // (memory streams serialize each one) then failed a codec lookup by reflection before falling back.
            Items = new List<EventItem>
            {
                new()
                {
                    Sku = string.Create(CultureInfo.InvariantCulture, $"SKU-{_random.Next(1, 500)}"),
                    Category = Categories[_random.Next(Categories.Length)],
                    Quantity = quantity,
                    UnitPrice = unitPrice,
                },
            },
        };
    }
}
