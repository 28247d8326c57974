namespace Engagement.Azure.Streaming;

/// <summary>
/// When a receiver next asks its queue for messages: at once while messages arrive, and less often the longer the
/// queue has been quiet. After a receive that found nothing, the next one waits a tenth of the time since the last
/// message arrived (<see cref="QuietShare"/>), at most <see cref="IngestionOptions.IdlePollMaxInterval"/>; the
/// pulling agent's own timer (<see cref="IngestionOptions.PollInterval"/>) still sets the shortest cadence.
/// </summary>
/// <remarks>
/// <para>So an event that arrives on a queue quiet for <c>T</c> is read at most <c>T / 10</c> (and at most
/// <see cref="IngestionOptions.IdlePollMaxInterval"/>) later than on a busy queue, while a queue quiet all night
/// costs one receive per <see cref="IngestionOptions.IdlePollMaxInterval"/> (default 2 s) instead of up to ten a second.
/// On Azure Storage every receive is a billed transaction and counts against the account's 20,000 per second.
/// This is the queue trigger's idle back-off of Azure Functions (<c>maxPollingInterval</c>), kept short here
/// because members are expected to change within moments of an event. A queue that delivers an event every second
/// or faster is never slowed: its wait stays under the agent's 100 ms tick.</para>
/// <para>The clock is a monotonic one (<see cref="TimeProvider.GetTimestamp"/>), separate from the programme's
/// clock: tests that move the programme's time by days must not move the polling. Not thread-safe: the pulling
/// agent calls its receiver's reads one at a time.</para>
/// </remarks>
public sealed class IdleQueuePolling
{
    /// <summary>The share of the quiet time an empty queue waits before its next receive: one tenth.</summary>
    public const int QuietShare = 10;

    private readonly long _maxWait;
    private readonly TimeProvider _clock;
    private long _lastMessageAt;
    private long _nextReceiveAt;

    /// <param name="maxInterval">The longest wait between receives of a quiet queue (positive).</param>
    /// <param name="clock">Monotonic clock; <see cref="TimeProvider.System"/> in a silo.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInterval"/> is not positive.</exception>
    public IdleQueuePolling(TimeSpan maxInterval, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _maxWait = (long)(maxInterval.TotalSeconds * clock.TimestampFrequency);
        _lastMessageAt = clock.GetTimestamp();
        _nextReceiveAt = _lastMessageAt;
    }

    /// <summary>Receives skipped because the queue was quiet (a count since the receiver started).</summary>
    public long Skipped { get; private set; }

    /// <summary>True when the queue should be asked now; false (and counted in <see cref="Skipped"/>) while it rests.</summary>
    public bool IsDue()
    {
        if (_clock.GetTimestamp() >= _nextReceiveAt)
        {
            return true;
        }

        Skipped++;
        return false;
    }

    /// <summary>Records what a receive returned: any message (even one dead-lettered) makes the queue busy again.</summary>
    /// <param name="messages">Messages the receive returned, 0–32.</param>
    public void Received(int messages)
    {
        var now = _clock.GetTimestamp();
        if (messages > 0)
        {
            _lastMessageAt = now;
            _nextReceiveAt = now;
            return;
        }

        // In the clock's own timestamp units: a tenth of the quiet time, at most the longest wait.
        _nextReceiveAt = now + Math.Min((now - _lastMessageAt) / QuietShare, _maxWait);
    }
}
