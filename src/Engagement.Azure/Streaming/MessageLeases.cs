using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Contracts.Events;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Streaming;

/// <summary>
/// The messages one receiver holds between receive and delete, kept invisible by renewing their visibility
/// timeout while they are processed, so the timeout itself can be short (<see cref="IngestionOptions.VisibilityTimeout"/>,
/// 30 s): when a silo dies, its messages reappear for another silo within that timeout instead of minutes.
/// Each renewal (Update Message) returns a new pop receipt, which the delete then uses.
/// </summary>
/// <remarks>
/// Its clock is the real one the receiver polls by, never the programme's: visibility timeouts are real durations
/// on the storage service, and the programme's clock may run fast (<c>Engagement:Testing:ClockSpeed</c>) or be
/// moved by days, which would let go of held messages at once, or never renew them.
/// </remarks>
/// <remarks>
/// A message leaves in one of four ways: deleted after its events were applied (<see cref="CompleteAsync"/>);
/// abandoned after a final delivery failure (<see cref="Abandon"/>: no longer renewed, so the queue hands it out
/// again after the timeout and it counts towards MaxDequeueCount); released at once on graceful shutdown
/// (<see cref="ReleaseAllAsync"/>); or let go after <see cref="IngestionOptions.MaxHoldTime"/> (a stuck consumer).
/// Redelivery of an event already applied is harmless: the member dedupes by eventId.
/// </remarks>
public sealed partial class MessageLeases : IAsyncDisposable
{
    private const int Parallelism = 16;

    private readonly QueueClient _queue;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, MessageLease> _byMessage = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, MessageLease> _bySequence = new();

    // Copies whose message was received again while they were held: their events are still mapped (a late failure of one
    // is still the message's) until each ends, or MaxHoldTime lets go of them as of any held message.
    private readonly ConcurrentDictionary<MessageLease, byte> _superseded = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<DateTimeOffset> _applied = new();
    private readonly MessageFailures _failures;
    private Task _loop = Task.CompletedTask;
    private long _renewals;

    /// <param name="queue">The queue whose messages are held.</param>
    /// <param name="options">Visibility timeout, MaxHoldTime, MaxHeldEvents.</param>
    /// <param name="realClock">A real clock (<see cref="TimeProvider.System"/> in a silo; a fake in tests): held, renewed
    /// and applied times and the renewal timer; never the programme's clock.</param>
    /// <param name="logger">Where lost, let-go and abandoned messages are named.</param>
    public MessageLeases(QueueClient queue, IngestionOptions options, TimeProvider realClock, ILogger logger)
    {
        _queue = queue;
        _options = options;
        _time = realClock;
        _logger = logger;
        _failures = new MessageFailures(options.MaxHeldEvents);
    }

    /// <summary>Messages held now (renewed or abandoned, not yet deleted or released).</summary>
    public int Count => _byMessage.Count;

    /// <summary>Events of the held messages not yet applied: what the agent's cache holds for this queue.</summary>
    /// <remarks>Superseded copies count too: their events are still in the cache until each ends.</remarks>
    public int HeldEvents => _byMessage.Values.Concat(_superseded.Keys).Sum(l => Math.Max(0, Volatile.Read(ref l.Outstanding)));

    /// <summary>
    /// Events applied (their message deleted or not) within <paramref name="window"/> before now, counted up to
    /// <see cref="IngestionOptions.MaxHeldEvents"/>: the pace at which this queue's held events are being worked off.
    /// </summary>
    /// <remarks>Only the latest MaxHeldEvents times are kept: the receiver reads ahead at most that many, so a larger
    /// count would change nothing, and at target load one time per event for 15 s would be some 750,000 entries.</remarks>
    public int AppliedWithin(TimeSpan window)
    {
        var since = _time.GetUtcNow() - window;
        while (_applied.TryPeek(out var at) && at < since)
        {
            _applied.TryDequeue(out _);
        }

        return _applied.Count;
    }

    /// <summary>Visibility renewals made so far.</summary>
    public long Renewals => Interlocked.Read(ref _renewals);

    /// <summary>Starts renewing; a tick every sixth of the timeout renews what has had half of it since its last renewal.</summary>
    public void Start()
    {
        if (_loop.IsCompleted)
        {
            _loop = RenewLoopAsync(_stop.Token);
        }
    }

    /// <summary>
    /// Holds a received message, by its id and latest pop receipt, whose events carry the given sequence numbers
    /// (one per event of the message) and, when given, the given event ids (in the same order).
    /// A message received again while an earlier copy is still held (its visibility ran out first: a stalled silo) is
    /// renewed and deleted by this copy from now on; the earlier copy's events still count as the message's when they
    /// fail, and a failure already seen is kept (<see cref="TakeFirstFailure"/>), not started afresh.
    /// </summary>
    public void Hold(string messageId, string popReceipt, IReadOnlyCollection<long> sequences, IReadOnlyList<string>? eventIds = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var now = _time.GetUtcNow();
        var lease = new MessageLease(messageId, popReceipt, now, [.. sequences], eventIds is null ? [] : [.. eventIds]);
        _byMessage.AddOrUpdate(messageId, lease, (_, earlier) =>
        {
            MarkSuperseded(earlier);
            return lease;
        });
        foreach (var sequence in sequences)
        {
            _bySequence[sequence] = lease;
        }
    }

    /// <summary>
    /// One event of the message is done; when all are, the message is deleted with its latest pop receipt.
    /// Nothing is deleted for an abandoned message. Returns whether this call deleted the message.
    /// </summary>
    public async Task<bool> CompleteAsync(string messageId, string popReceipt, long sequence, CancellationToken cancellationToken)
    {
        _applied.Enqueue(_time.GetUtcNow());
        while (_applied.Count > _options.MaxHeldEvents && _applied.TryDequeue(out _))
        {
            // Oldest first: what is kept are the latest, so a count within any window is exact up to the cap.
        }

        // By the event's own sequence, not the message id: a message that came back (abandoned, or its timeout ran
        // out) and was received again is a new lease, which the old copy's events must not count down.
        if (!_bySequence.TryRemove(sequence, out var lease))
        {
            // Not held (let go after MaxHoldTime, or lost to a renewal conflict): the receipt it came with may still
            // work, unless a newer copy of the message is held now (that copy is deleted when its own events are done).
            return !_byMessage.ContainsKey(messageId) && await DeleteAsync(messageId, popReceipt, cancellationToken);
        }

        if (Interlocked.Decrement(ref lease.Outstanding) > 0)
        {
            return false;
        }

        await lease.Gate.WaitAsync(cancellationToken);
        try
        {
            Forget(lease);
            if (lease.Abandoned || lease.Superseded || !await DeleteAsync(lease.MessageId, lease.PopReceipt, cancellationToken))
            {
                // A superseded copy's receipt is stale: the newer copy is deleted when its own events are done.
                return false;
            }

            _failures.Forget(lease.MessageId);
            return true;
        }
        finally
        {
            lease.Gate.Release();
        }
    }

    /// <summary>
    /// A delivery of this event finally failed: stop renewing its message, so the queue hands it out again.
    /// <paramref name="why"/>: the consumer's last failure when the silo saw it (<see cref="ConsumerFailures"/>), kept for the poison reason.
    /// </summary>
    public void Abandon(long sequence, string? why = null)
    {
        if (_bySequence.TryRemove(sequence, out var lease))
        {
            lease.Abandoned = true;
            LogAbandoned(_queue.Name, lease.MessageId);
            RecordFailure(lease, sequence, why);

            // The failed event is never purged to CompleteAsync; count it done here.
            if (Interlocked.Decrement(ref lease.Outstanding) <= 0)
            {
                Forget(lease);
            }
        }
    }

    /// <summary>
    /// What this receiver saw go wrong with the message: the event whose delivery finally failed, when (UTC, the real
    /// clock) and, when this silo saw it, why (the agent's failure handler is given no exception, only the event's token:
    /// <see cref="ConsumerFailures"/>); null when none was seen here. The first failure of the message, kept across its
    /// receives (<see cref="MessageFailures"/>): a later one only adds its cause, once, when the first's was not seen here.
    /// Taken: asked once, when the message goes to the poison queue.
    /// </summary>
    public string? TakeFirstFailure(string messageId) => _failures.Take(messageId);

    /// <summary>Graceful shutdown: every held message visible again at once (visibility 0), for the next owner of the queue.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        var held = _byMessage.Values.Where(l => !l.Abandoned).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        var released = 0;
        await Parallel.ForEachAsync(held, options, async (lease, ct) =>
        {
            if (await UpdateAsync(lease, TimeSpan.Zero, ct))
            {
                Interlocked.Increment(ref released);
            }

            Forget(lease);
        });
        if (held.Count > 0)
        {
            LogReleased(_queue.Name, released, held.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        foreach (var lease in _byMessage.Values)
        {
            Forget(lease);
        }
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked for.
        }
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var timeout = _options.VisibilityTimeout;
        using var timer = new PeriodicTimer(timeout / 6, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await RenewDueAsync(timeout, cancellationToken);
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                // One bad tick must not end the renewing for good: held messages would fall visible while applied.
                LogTickFailed(ex, _queue.Name);
            }
        }
    }

    /// <summary>One tick: lets go of what was held too long, renews what has had half its timeout since the last renewal.</summary>
    private async Task RenewDueAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var stale in _byMessage.Values.Where(l => now - l.HeldSince > _options.MaxHoldTime))
        {
            // A consumer stuck this long (or an abandoned message never purged): let the queue decide again.
            Forget(stale);
            LogLetGo(_queue.Name, stale.MessageId, _options.MaxHoldTime);
        }

        foreach (var superseded in _superseded.Keys.Where(l => Volatile.Read(ref l.Outstanding) <= 0 || now - l.HeldSince > _options.MaxHoldTime))
        {
            Forget(superseded);
        }

        var due = _byMessage.Values.Where(l => !l.Abandoned && now - l.RenewedAt >= timeout / 2).ToList();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(due, options, async (lease, ct) =>
        {
            if (await UpdateAsync(lease, timeout, ct))
            {
                Interlocked.Increment(ref _renewals);
                IngestionMetrics.VisibilityRenewed();
            }
        });
    }

    /// <summary>Sets the visibility of a held message; false (and the lease forgotten) when the queue no longer knows this receipt.</summary>
    private async Task<bool> UpdateAsync(MessageLease lease, TimeSpan visibility, CancellationToken cancellationToken)
    {
        await lease.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!_byMessage.ContainsKey(lease.MessageId) || lease.Abandoned || lease.Superseded)
            {
                return false;
            }

            var started = _time.GetUtcNow();
            UpdateReceipt receipt = await _queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, (BinaryData?)null, visibility, cancellationToken);
            lease.PopReceipt = receipt.PopReceipt;
            lease.RenewedAt = started;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 404)
        {
            // Deleted meanwhile, or its timeout ran out and it was received again (here: the newer copy may be held
            // already, its Hold having run while this update was in flight; or elsewhere, deduped by eventId). This copy
            // is no longer renewed, but its events stay mapped, so a late failure of one is still the message's.
            Supersede(lease);
            LogLost(_queue.Name, lease.MessageId, ex.ErrorCode);
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogRenewFailed(ex, _queue.Name, lease.MessageId);
            return false;
        }
        finally
        {
            lease.Gate.Release();
        }
    }

    private async Task<bool> DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 404)
        {
            // The visibility timeout ran out first and someone received it again; that copy is deduped by eventId.
            LogLost(_queue.Name, messageId, ex.ErrorCode);
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogDeleteFailed(ex, _queue.Name, messageId);
            return false;
        }
    }

    private void RecordFailure(MessageLease lease, long sequence, string? why)
    {
        if (lease.Superseded && !_byMessage.ContainsKey(lease.MessageId))
        {
            // No copy held here: the message was deleted (applied), or another receiver has it; nobody would take this.
            return;
        }

        var index = Array.IndexOf(lease.Sequences, sequence);
        var eventId = index >= 0 && index < lease.EventIds.Length ? lease.EventIds[index] : "?";
        var now = _time.GetUtcNow();
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"event {eventId}: its consumer kept failing for {_options.DeliveryRetryWindow} (at {now:O}){(why is null ? "" : ": " + why)}");
        _failures.Record(lease.MessageId, text, why, now);
    }

    /// <summary>No longer renewed nor deleted by this copy; its events stay mapped until each ends or MaxHoldTime passes.</summary>
    private void Supersede(MessageLease lease)
    {
        MarkSuperseded(lease);
        _byMessage.TryRemove(new KeyValuePair<string, MessageLease>(lease.MessageId, lease));
    }

    private void MarkSuperseded(MessageLease lease)
    {
        lease.Superseded = true;
        _superseded.TryAdd(lease, 0);
    }

    private void Forget(MessageLease lease)
    {
        _byMessage.TryRemove(new KeyValuePair<string, MessageLease>(lease.MessageId, lease));
        _superseded.TryRemove(lease, out _);
        foreach (var sequence in lease.Sequences)
        {
            _bySequence.TryRemove(new KeyValuePair<long, MessageLease>(sequence, lease));
        }
    }
}
