using System.Collections.Concurrent;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The queue receivers of this silo that have not handed back yet: a receiver is counted from its creation
/// (<see cref="Begin"/>, by <see cref="EngagementQueueAdapter.CreateReceiver"/>) until its
/// <see cref="EngagementQueueReceiver.Shutdown(TimeSpan, CancellationToken)"/> has released what it held and logged its
/// totals (<c>Stopped receiving from {Queue}: …</c>). Orleans (10.4) bounds how long a silo's stop waits for its pulling
/// agents and lets them finish in the background, so the silo's stop line waits here
/// (<see cref="WaitAsync"/>, bounded by <c>Engagement:Silo:QueueHandBackWait</c>) to come after every totals line, or to
/// name the queues whose receivers had not handed back (docs/running-locally.md, "A stop ends …"). One per silo, a singleton.
/// </summary>
public sealed class QueueHandBacks
{
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<QueueHandBack, byte> _pending = new();

    /// <summary>Hand-backs waited for on the real clock (<see cref="TimeProvider.System"/>).</summary>
    public QueueHandBacks()
        : this(TimeProvider.System)
    {
    }

    /// <param name="clock">The clock <see cref="WaitAsync"/> measures its bound on: a real duration, never the
    /// programme's clock (which may run fast or be moved by days); a fake in tests.</param>
    public QueueHandBacks(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>The queues (names, ordinal order, each once) whose receivers have been created and not handed back yet.</summary>
    public IReadOnlyList<string> Pending =>
        _pending.Keys.Select(h => h.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>A receiver of <paramref name="queue"/> was created: it is waited for until it calls <see cref="QueueHandBack.Complete"/>.</summary>
    /// <param name="queue">The storage queue's name (e.g. <c>engagement-events-0</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="queue"/> is null or blank.</exception>
    public QueueHandBack Begin(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        var handBack = new QueueHandBack(queue, this);
        _pending.TryAdd(handBack, 0);
        return handBack;
    }

    /// <summary>
    /// Waits until every receiver created so far has handed back, or <paramref name="bound"/> (a real duration on this
    /// tracker's clock) has passed, whichever comes first; never throws for the bound running out.
    /// </summary>
    /// <param name="bound">The longest wait; <see cref="TimeSpan.Zero"/> only looks.</param>
    /// <param name="cancellationToken">Ends the wait early, as the bound would.</param>
    /// <returns>The queues whose receivers had still not handed back (empty when all had), as <see cref="Pending"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is negative.</exception>
    public async Task<IReadOnlyList<string>> WaitAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, TimeSpan.Zero);
        var waiting = _pending.Keys.Select(h => h.Completion).ToList();
        if (waiting.Count > 0 && bound > TimeSpan.Zero)
        {
            try
            {
                await Task.WhenAll(waiting).WaitAsync(bound, _clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The bound ran out: the caller names what is still pending.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Cancelled: the same answer as a bound that ran out.
            }
        }

        return Pending;
    }

    internal void Remove(QueueHandBack handBack) => _pending.TryRemove(handBack, out _);
}
