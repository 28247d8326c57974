using System.Diagnostics.CodeAnalysis;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Reads one storage queue for the pulling agent. Valid events go to the agent's cache; a message that cannot
/// be decoded, parsed or validated, or was received too often, goes to the poison queue by itself and is then
/// deleted: one message never fails its batch. A message may carry a JSON array of up to 100 events
/// (CONTRACT.md §1): each is validated on its own, a bad one dead-lettered alone with its index in the reason. A valid message is deleted only in
/// <see cref="MessagesDeliveredAsync(IList{IBatchContainer}, CancellationToken)"/>, which the agent calls with
/// the items its cache purged — and the cache purges an item only after every consumer cursor has moved past
/// it, i.e. after the consumer's handler returned (see StreamingHostingExtensions for the whole argument).
/// Until then the message is held invisible by <see cref="MessageLeases"/>, which renews its short visibility
/// timeout and releases it on graceful shutdown.
/// </summary>
public sealed partial class EngagementQueueReceiver : IQueueAdapterReceiver, IAsyncDisposable
{
    private const int MaxReceiveCount = 32;
    private const int DeleteParallelism = 16;
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly QueueClient _queue;
    private readonly string _queueName;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MessageLeases _leases;
    private readonly MessageAdmission _admission;
    private readonly IdleQueuePolling _polling;
    private readonly QueueHandBack? _handBack;
    private long _received;
    private long _deleted;
    private long _poisoned;
    private readonly TimeProvider _summaryClock;
    private long _lastSummaryTimestamp;

    // The counts (received, deleted, dead letters) the last "so far" line showed: an idle queue's line is not repeated.
    private (long Received, long Deleted, long Poisoned) _lastSummary;

    /// <param name="queue">The event queue this receiver reads.</param>
    /// <param name="deadLetters">Where unreadable messages and invalid events go (the poison queue).</param>
    /// <param name="options">The ingestion settings (visibility, batch size, read-ahead, idle polling).</param>
    /// <param name="time">The programme's clock: event admission (an event's occurredAt against "now").</param>
    /// <param name="logger">Structured log of receives, dead letters and totals.</param>
    /// <param name="currencies">The currencies events may carry (CONTRACT.md §1); default the programme's.</param>
    /// <param name="pollClock">The real clock: monotonic for <see cref="IdleQueuePolling"/> and the held messages'
    /// renewals (<see cref="MessageLeases"/>: visibility timeouts are real durations), wall for a message's age against
    /// <see cref="IngestionOptions.PoisonAfter"/>; default <see cref="TimeProvider.System"/> (not <paramref name="time"/>: the
    /// programme's clock may run fast or be moved by days).</param>
    /// <param name="sequences">The adapter's counter, shared by all its receivers (a failure reported late by a stopped
    /// agent must not name an item of this one); default a counter of this receiver's own.</param>
    /// <param name="handBack">Completed when <see cref="Shutdown(TimeSpan, CancellationToken)"/> ends, after the totals
    /// line: the silo's stop line waits for it (<see cref="QueueHandBacks"/>); default none.</param>
    public EngagementQueueReceiver(QueueClient queue, IDeadLetterSink deadLetters, IngestionOptions options, TimeProvider time, ILogger logger, EventCurrencies? currencies = null, TimeProvider? pollClock = null, QueueSequence? sequences = null, QueueHandBack? handBack = null)
    {
        _handBack = handBack;
        var realClock = pollClock ?? TimeProvider.System;
        _polling = new IdleQueuePolling(options.IdlePollMaxInterval, realClock);
        _queue = queue;
        _queueName = queue.Name;
        _options = options;
        _time = time;
        _logger = logger;
        _leases = new MessageLeases(queue, options, realClock, logger);
        _admission = new MessageAdmission(queue, deadLetters, options, _leases, currencies ?? EventCurrencies.ProgrammeDefault, realClock, sequences ?? new QueueSequence(), logger);
        _summaryClock = realClock;
        _lastSummaryTimestamp = realClock.GetTimestamp();
    }

    public string QueueName => _queueName;

    /// <summary>The messages this receiver holds (received, not yet deleted, released or given up).</summary>
    public MessageLeases Leases => _leases;

    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The renewal of held messages starts first and whatever happens next: the pulling agent reads the queue even when
        // this method fails or times out (a busy storage account at start-up), and messages it holds must not fall visible.
        _leases.Start();
        LogStarted(_queueName, _options.VisibilityTimeout);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The agent receives anyway; a queue that is really missing fails those receives, which are retried and logged.
            LogCreateSlow(_queueName, timeout);
        }
    }

    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        // A negative maxCount is the agent's "unlimited".
        var count = Math.Min(maxCount < 0 ? _options.BatchSize : Math.Min(maxCount, _options.BatchSize), MaxReceiveCount);
        if (count <= 0)
        {
            return [];
        }

        // Read ahead only as far as this silo applies events in half a visibility timeout (at least one batch,
        // at most MaxHeldEvents): held messages are then mostly applied before they need a renewal, and a slow
        // silo does not hoard a queue's messages.
        var readAhead = Math.Clamp(_leases.AppliedWithin(_options.VisibilityTimeout / 2), _options.BatchSize, _options.MaxHeldEvents);
        if (_leases.HeldEvents >= readAhead || !_polling.IsDue())
        {
            LogSummaryIfDue();
            return [];
        }

        QueueMessage[] messages;
        try
        {
            messages = await _queue.ReceiveMessagesAsync(count, _options.VisibilityTimeout, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return []; // the agent is stopping; a receive it cancelled is not an error to retry and log
        }

        _polling.Received(messages.Length);
        IngestionMetrics.Receive(messages.Length);
        if (messages.Length == 0)
        {
            LogSummaryIfDue();
            return [];
        }

        var now = _time.GetUtcNow();
        var batch = new List<IBatchContainer>(messages.Length);
        var poisoned = 0;
        try
        {
            foreach (var message in messages)
            {
                poisoned += await _admission.AdmitAsync(message, now, batch, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The agent is stopping: what is held already is handed over with the batch (or released at Shutdown),
            // never left held and undelivered; the messages not yet admitted reappear after their timeout.
        }

        Interlocked.Add(ref _received, messages.Length);
        IngestionMetrics.MessagesReceived(messages.Length);
        Interlocked.Add(ref _poisoned, poisoned);
        LogReceived(messages.Length, _queueName, batch.Count, poisoned);
        LogSummaryIfDue();
        return batch;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        var delivered = messages.OfType<EngagementBatchContainer>().Where(m => m.MessageId is not null).ToList();
        if (delivered.Count == 0)
        {
            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(delivered, options, async (message, ct) =>
        {
            if (await _leases.CompleteAsync(message.MessageId!, message.PopReceipt!, message.Token.SequenceNumber, ct))
            {
                Interlocked.Increment(ref _deleted);
                IngestionMetrics.MessageDeleted();
            }
        });
    }

    /// <summary>
    /// A delivery of the item with this token finally failed: its message is left for the queue to hand out again;
    /// <paramref name="why"/>, the consumer's last failure if known, goes into its poison reason.
    /// </summary>
    public void DeliveryFailed(StreamSequenceToken? token, string? why = null)
    {
        if (token is not null)
        {
            _leases.Abandon(token.SequenceNumber, why);
        }
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // Held messages become visible at once for the queue's next owner, not after their visibility timeout.
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await _leases.ReleaseAllAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // What was not released reappears after its (short) visibility timeout.
            }

            LogTotals("Stopped receiving from {Queue}: {Received} messages received, {Deleted} messages deleted after delivery, {Poisoned} dead letters sent (refused at admission: an unreadable message or an invalid event; every dead letter, those a member refused too: engagement.events.poisoned), {IdleSkips} polls skipped while quiet");
        }
        finally
        {
            // After the totals line, and also when the release failed (Orleans logs that failure): the stop line waits
            // for this, and a receiver whose hand-back is over must not hold it up.
            _handBack?.Complete();
        }
    }

    public ValueTask DisposeAsync() => _leases.DisposeAsync();

    private void LogSummaryIfDue()
    {
        var last = Interlocked.Read(ref _lastSummaryTimestamp);
        if (_summaryClock.GetElapsedTime(last) < SummaryInterval
            || Interlocked.CompareExchange(ref _lastSummaryTimestamp, _summaryClock.GetTimestamp(), last) != last)
        {
            return;
        }

        // Only one caller gets here per interval (the exchange above), so the last counts need no lock.
        var counts = (Interlocked.Read(ref _received), Interlocked.Read(ref _deleted), Interlocked.Read(ref _poisoned));
        if (counts == _lastSummary)
        {
            return;
        }

        _lastSummary = counts;
        LogTotals("Queue {Queue} so far: {Received} messages received, {Deleted} messages deleted after delivery, {Poisoned} dead letters sent (refused at admission: an unreadable message or an invalid event; every dead letter, those a member refused too: engagement.events.poisoned), {IdleSkips} polls skipped while quiet");
    }

    private void LogTotals([ConstantExpected] string template)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var received = Interlocked.Read(ref _received);
        var deleted = Interlocked.Read(ref _deleted);
        var poisoned = Interlocked.Read(ref _poisoned);
#pragma warning disable CA2254 // Both callers pass a constant template.
        _logger.LogInformation(template, _queueName, received, deleted, poisoned, _polling.Skipped);
#pragma warning restore CA2254
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} was not confirmed to exist within {Timeout}; receiving from it anyway")]
    private partial void LogCreateSlow(string queue, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Receiving events from queue {Queue} (visibility timeout {VisibilityTimeout}, renewed while held)")]
    private partial void LogStarted(string queue, TimeSpan visibilityTimeout);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Received {Count} messages from {Queue}: {Valid} to deliver, {Poisoned} dead-lettered")]
    private partial void LogReceived(int count, string queue, int valid, int poisoned);
}
