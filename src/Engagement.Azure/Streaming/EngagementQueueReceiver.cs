using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Azure.Streaming;

/// <summary>
/// Reads one storage queue for the pulling agent. Valid events go to the agent's cache; invalid ones and
/// ones received too often go to the poison queue and are then deleted. A valid message is deleted only in
/// <see cref="MessagesDeliveredAsync(IList{IBatchContainer}, CancellationToken)"/>, which the agent calls with
/// the items its cache purged — and the cache purges an item only after every consumer cursor has moved past
/// it, i.e. after the consumer's handler returned (see StreamingHostingExtensions for the whole argument).
/// </summary>
public sealed class EngagementQueueReceiver : IQueueAdapterReceiver
{
    private const int MaxReceiveCount = 32;
    private const int DeleteParallelism = 16;
    private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<string, StrongBox<long>> PollsByQueue = new(StringComparer.Ordinal);

    private readonly QueueClient _queue;
    private readonly string _queueName;
    private readonly IDeadLetterSink _deadLetters;
    private readonly IngestionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StrongBox<long> _polls;
    private long _sequence;
    private long _received;
    private long _deleted;
    private long _poisoned;
    private long _lastSummaryTimestamp;

    public EngagementQueueReceiver(QueueClient queue, IDeadLetterSink deadLetters, IngestionOptions options, TimeProvider time, ILogger logger)
    {
        _queue = queue;
        _queueName = queue.Name;
        _deadLetters = deadLetters;
        _options = options;
        _time = time;
        _logger = logger;
        _polls = PollsByQueue.GetOrAdd(queue.Name, _ => new StrongBox<long>());
        _lastSummaryTimestamp = Stopwatch.GetTimestamp();
    }

    public string QueueName => _queueName;

    /// <summary>How many receive calls the receivers of a queue made in this process; tests use it as a clock.</summary>
    internal static long PollCount(string queueName) =>
        PollsByQueue.TryGetValue(queueName, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        await _queue.CreateIfNotExistsAsync(cancellationToken: cts.Token);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("Receiving events from queue {Queue}", _queueName);
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

        Interlocked.Increment(ref _polls.Value);
        QueueMessage[] messages = await _queue.ReceiveMessagesAsync(count, _options.VisibilityTimeout, cancellationToken);
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
            var body = message.Body.ToString();
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                var reason = $"delivery failed {message.DequeueCount - 1} times";
                poisoned += await DeadLetterAsync(reason, message, body, cancellationToken) ? 1 : 0;
                continue;
            }

            var parsed = EventParser.Parse(body, now);
            if (parsed.Event is not { } evt)
            {
                poisoned += await DeadLetterAsync(parsed.ErrorMessage!, message, body, cancellationToken) ? 1 : 0;
                continue;
            }

            batch.Add(new EngagementBatchContainer
            {
                StreamId = StreamId.Create(StreamNames.MemberEvents, evt.MemberId),
                Event = evt,
                Token = new EventSequenceTokenV2(_sequence++),
                MessageId = message.MessageId,
                PopReceipt = message.PopReceipt,
                DequeueCount = message.DequeueCount,
            });
        }

        Interlocked.Add(ref _received, messages.Length);
        Interlocked.Add(ref _poisoned, poisoned);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var total = messages.Length;
            var valid = batch.Count;
            _logger.LogDebug("Received {Count} messages from {Queue}: {Valid} to deliver, {Poisoned} dead-lettered", total, _queueName, valid, poisoned);
        }

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
            if (await DeleteAsync(message.MessageId!, message.PopReceipt!, ct))
            {
                Interlocked.Increment(ref _deleted);
            }
        });
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Undelivered messages are not touched: they become visible again and another silo takes them.
        LogTotals("Stopped receiving from {Queue}: {Received} received, {Deleted} deleted after delivery, {Poisoned} dead-lettered");
        return Task.CompletedTask;
    }

    private async Task<bool> DeadLetterAsync(string reason, QueueMessage message, string body, CancellationToken cancellationToken)
    {
        try
        {
            // Dead letter first, then delete: a crash in between repeats the dead letter, never loses the message.
            await _deadLetters.PublishAsync(reason, _queueName, body, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not dead-letter message {MessageId} from {Queue}; it stays on the queue", message.MessageId, _queueName);
            return false;
        }

        await DeleteAsync(message.MessageId, message.PopReceipt, cancellationToken);
        return true;
    }

    private async Task<bool> DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The visibility timeout ran out first and someone received it again; that copy is deduped by eventId.
            _logger.LogWarning("Message {MessageId} on {Queue} was received again before it could be deleted", messageId, _queueName);
            return false;
        }
        catch (RequestFailedException ex)
        {
            _logger.LogWarning(ex, "Could not delete message {MessageId} from {Queue}; it will be redelivered", messageId, _queueName);
            return false;
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

        LogTotals("Queue {Queue} so far: {Received} received, {Deleted} deleted after delivery, {Poisoned} dead-lettered");
    }

    private void LogTotals([System.Diagnostics.CodeAnalysis.ConstantExpected] string template)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var received = Interlocked.Read(ref _received);
        var deleted = Interlocked.Read(ref _deleted);
        var poisoned = Interlocked.Read(ref _poisoned);
#pragma warning disable CA2254 // Both callers pass a constant template.
        _logger.LogInformation(template, _queueName, received, deleted, poisoned);
#pragma warning restore CA2254
    }
}
