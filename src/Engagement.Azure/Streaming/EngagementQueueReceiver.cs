using System.Diagnostics;
using System.Globalization;
using System.Diagnostics.CodeAnalysis;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
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
    private readonly IDeadLetterSink _deadLetters;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MessageLeases _leases;
    private readonly EventCurrencies _currencies;
    private readonly IdleQueuePolling _polling;
    private long _sequence;
    private long _received;
    private long _deleted;
    private long _poisoned;
    private long _lastSummaryTimestamp;

    /// <param name="queue">The event queue this receiver reads.</param>
    /// <param name="deadLetters">Where unreadable messages and invalid events go (the poison queue).</param>
    /// <param name="options">The ingestion settings (visibility, batch size, read-ahead, idle polling).</param>
    /// <param name="time">The programme's clock: event admission and visibility renewals.</param>
    /// <param name="logger">Structured log of receives, dead letters and totals.</param>
    /// <param name="currencies">The currencies events may carry (CONTRACT.md §1); default the programme's.</param>
    /// <param name="pollClock">The monotonic clock of <see cref="IdleQueuePolling"/>; default <see cref="TimeProvider.System"/>
    /// (not <paramref name="time"/>: the programme's clock may be moved by days).</param>
    public EngagementQueueReceiver(QueueClient queue, IDeadLetterSink deadLetters, IngestionOptions options, TimeProvider time, ILogger logger, EventCurrencies? currencies = null, TimeProvider? pollClock = null)
    {
        _polling = new IdleQueuePolling(options.IdlePollMaxInterval, pollClock ?? TimeProvider.System);
        _currencies = currencies ?? EventCurrencies.ProgrammeDefault;
        _queue = queue;
        _queueName = queue.Name;
        _deadLetters = deadLetters;
        _options = options;
        _time = time;
        _logger = logger;
        _leases = new MessageLeases(queue, options, time, logger);
        _lastSummaryTimestamp = Stopwatch.GetTimestamp();
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
        foreach (var message in messages)
        {
            try
            {
                poisoned += await AdmitAsync(message, now, batch, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // Whatever one message does, its neighbours are still delivered.
                LogUnreadable(ex, message.MessageId, _queueName);
                poisoned += await DeadLetterAsync("body: could not be read (" + ex.GetType().Name + ")", message, cancellationToken) ? 1 : 0;
            }
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

    /// <summary>A delivery of the item with this token finally failed: its message is left for the queue to hand out again.</summary>
    public void DeliveryFailed(StreamSequenceToken? token)
    {
        if (token is not null)
        {
            _leases.Abandon(token.SequenceNumber);
        }
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
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

        LogTotals("Stopped receiving from {Queue}: {Received} received, {Deleted} deleted after delivery, {Poisoned} dead-lettered, {IdleSkips} polls skipped while quiet");
    }

    public ValueTask DisposeAsync() => _leases.DisposeAsync();

    /// <summary>
    /// Adds the message's valid events to <paramref name="batch"/> and holds the message until they are applied;
    /// dead-letters what cannot be applied: the whole message when it cannot be read, each bad event of a batch
    /// alone (its index in the reason). Returns the number of dead letters written.
    /// </summary>
    private async Task<int> AdmitAsync(QueueMessage message, DateTimeOffset now, List<IBatchContainer> batch, CancellationToken cancellationToken)
    {
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            return await DeadLetterAsync($"delivery failed {message.DequeueCount - 1} times", message, cancellationToken) ? 1 : 0;
        }

        var parsed = EventParser.ParseMessage(message.Body.ToMemory().Span, now, _currencies);
        if (parsed.Error is { } unreadable)
        {
            return await DeadLetterAsync(unreadable.ToString(), message, cancellationToken) ? 1 : 0;
        }

        if (!parsed.IsBatch && parsed.Events[0].Result.Event is null)
        {
            return await DeadLetterAsync(parsed.Events[0].Result.ErrorMessage ?? "body: could not be read", message, cancellationToken) ? 1 : 0;
        }

        // A batch's bad events go first, each alone; if one cannot be written, the message waits for redelivery whole.
        var poisoned = 0;
        var total = parsed.Events.Count;
        foreach (var bad in parsed.Events.Where(e => e.Result.Event is null))
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"{bad.Result.ErrorMessage} (event [{bad.Index}] of {total} in the message)");
            if (!await PublishDeadLetterAsync(reason, bad.Text, message.MessageId, cancellationToken))
            {
                return poisoned;
            }

            poisoned++;
        }

        var valid = parsed.Events.Where(e => e.Result.Event is not null).Select(e => e.Result.Event!).ToList();
        if (valid.Count == 0)
        {
            await DeleteDeadLetteredAsync(message, cancellationToken);
            return poisoned;
        }

        var popReceipt = message.PopReceipt;
        if (poisoned > 0)
        {
            // The message now carries only what is left to apply, so a redelivery does not dead-letter its bad events twice.
            var rest = "[" + string.Join(",", parsed.Events.Where(e => e.Result.Event is not null).Select(e => e.Text)) + "]";
            popReceipt = await RewriteAsync(message, rest, cancellationToken) ?? popReceipt;
        }

        var sequences = new List<long>(valid.Count);
        foreach (var evt in valid)
        {
            if (message.DequeueCount > 1)
            {
                // Handed out before (a failed delivery, a silo that stopped): later events of the member may have
                // been applied meanwhile; the member applies this one as of its occurredAt (CONTRACT.md §1.1).
                LogRedelivered(evt.EventId, evt.MemberId, evt.OccurredAt, message.DequeueCount, message.MessageId, _queueName);
            }

            var sequence = _sequence++;
            sequences.Add(sequence);
            batch.Add(new EngagementBatchContainer
            {
                StreamId = StreamId.Create(StreamNames.MemberEvents, evt.MemberId),
                Event = evt,
                Token = new EventSequenceTokenV2(sequence),
                MessageId = message.MessageId,
                PopReceipt = popReceipt,
                DequeueCount = message.DequeueCount,
            });
        }

        // Deleted only when every one of its events has been applied (MessagesDeliveredAsync).
        _leases.Hold(message.MessageId, popReceipt, sequences);
        return poisoned;
    }

    /// <summary>Replaces the message's content (keeping it invisible); its new pop receipt, or null when the queue refused.</summary>
    private async Task<string?> RewriteAsync(QueueMessage message, string body, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, new BinaryData(body), _options.VisibilityTimeout, cancellationToken);
            return receipt.Value.PopReceipt;
        }
        catch (global::Azure.RequestFailedException ex)
        {
            // Left as it was: a redelivery dead-letters its bad events again (with the same reasons).
            LogRewriteFailed(ex, message.MessageId, _queueName);
            return null;
        }
    }

    /// <summary>Dead-letters the whole message, then deletes it; false (and the message left on the queue) when the dead letter failed.</summary>
    private async Task<bool> DeadLetterAsync(string reason, QueueMessage message, CancellationToken cancellationToken)
    {
        // Bytes that are not UTF-8 are kept as text with U+FFFD where they could not be read.
        // Dead letter first, then delete: a crash in between repeats the dead letter, never loses the message.
        if (!await PublishDeadLetterAsync(reason, message.Body.ToString(), message.MessageId, cancellationToken))
        {
            return false;
        }

        await DeleteDeadLetteredAsync(message, cancellationToken);
        return true;
    }

    private async Task<bool> PublishDeadLetterAsync(string reason, string body, string messageId, CancellationToken cancellationToken)
    {
        try
        {
            await _deadLetters.PublishAsync(reason, _queueName, body, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeadLetterFailed(ex, messageId, _queueName);
            return false;
        }
    }

    private async Task DeleteDeadLetteredAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (global::Azure.RequestFailedException ex)
        {
            // Dead-lettered but still queued: it comes back, and is dead-lettered again (the reason is the same).
            LogDeleteAfterDeadLetterFailed(ex, message.MessageId, _queueName);
        }
    }

    private void LogSummaryIfDue()
    {
        var last = Interlocked.Read(ref _lastSummaryTimestamp);
        if (Stopwatch.GetElapsedTime(last) < SummaryInterval
            || Interlocked.CompareExchange(ref _lastSummaryTimestamp, Stopwatch.GetTimestamp(), last) != last)
        {
            return;
        }

        LogTotals("Queue {Queue} so far: {Received} received, {Deleted} deleted after delivery, {Poisoned} dead-lettered, {IdleSkips} polls skipped while quiet");
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} of member {MemberId} (occurred {OccurredAt}) is delivered again, receive {DequeueCount} of message {MessageId} on {Queue}; it may be applied after later events of the member")]
    private partial void LogRedelivered(string eventId, string memberId, DateTimeOffset occurredAt, long dequeueCount, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} on {Queue} could not be read; it goes to the poison queue")]
    private partial void LogUnreadable(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not dead-letter message {MessageId} from {Queue}; it stays on the queue")]
    private partial void LogDeadLetterFailed(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch message {MessageId} on {Queue} could not be rewritten without its dead-lettered events; a redelivery dead-letters them again")]
    private partial void LogRewriteFailed(Exception ex, string messageId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered message {MessageId} could not be deleted from {Queue}; it will be dead-lettered again")]
    private partial void LogDeleteAfterDeadLetterFailed(Exception ex, string messageId, string queue);
}
