namespace Engagement.Azure.Streaming;

/// <summary>
/// The sequence numbers of the items an adapter's receivers hand to the pulling agents: one counter per adapter,
/// shared by all its receivers, so no two receivers ever give out the same number. A delivery failure reported by
/// an agent that has since stopped (<see cref="EngagementQueueAdapter.DeliveryFailed"/>, routed to whichever
/// receiver serves the queue now) then names no item of the new receiver, and cannot abandon an unrelated message.
/// </summary>
public sealed class QueueSequence
{
    private long _last = -1;

    /// <summary>The next number: 0 first, then strictly increasing; safe from any thread.</summary>
    public long Next() => Interlocked.Increment(ref _last);
}
