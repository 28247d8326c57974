namespace Engagement.Domain.Members;

/// <summary>
/// Where an event sits in the member's history (CONTRACT.md §1.1): by <c>occurredAt</c> (compared as UTC instants),
/// ties broken by an ordinal id (the orderId of a purchase, the eventId of a behaviour). Every order-sensitive rule
/// decides over events sorted by this key, so the outcome does not depend on arrival order.
/// </summary>
public readonly record struct EventKey(DateTimeOffset At, string Id) : IComparable<EventKey>
{
    /// <summary>Earlier instant first; on the same instant, the smaller id (ordinal) first.</summary>
    public int CompareTo(EventKey other)
    {
        var byTime = At.UtcTicks.CompareTo(other.At.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(EventKey left, EventKey right) => left.CompareTo(right) < 0;

    public static bool operator >(EventKey left, EventKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventKey left, EventKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventKey left, EventKey right) => left.CompareTo(right) >= 0;
}
