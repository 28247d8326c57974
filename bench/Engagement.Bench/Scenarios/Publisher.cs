using System.Diagnostics;
using Azure.Storage.Queues;
using Engagement.Contracts.Events;

namespace Engagement.Bench.Scenarios;

/// <summary>Sends events to the event queues the way a producer does: JSON body, queue by FNV-1a of the memberId.</summary>
internal sealed class Publisher(QueueServiceClient queues, string prefix, int queueCount)
{
    private readonly QueueClient[] _queues = Enumerable.Range(0, queueCount)
        .Select(i => queues.GetQueueClient(QueuePartitioner.QueueName(prefix, i)))
        .ToArray();

    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    public IReadOnlyList<QueueClient> Queues => _queues;

    public async Task CreateQueuesAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.CreateIfNotExistsAsync();
        }
    }

    public async Task DeleteQueuesAsync()
    {
        foreach (var queue in _queues)
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    /// <summary>Sends as fast as <paramref name="concurrency"/> sends in flight allow.</summary>
    public Task SendAllAsync(IEnumerable<EngagementEvent> events, int concurrency, Action<EngagementEvent>? beforeSend = null) =>
        Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (evt, ct) => await SendAsync(evt, beforeSend, ct));

    /// <summary>
    /// Sends the events as JSON arrays of up to <paramref name="perMessage"/> (CONTRACT.md §1), each array holding events
    /// of one queue in their order; <see cref="Sent"/> counts events.
    /// </summary>
    public Task SendBatchesAsync(IEnumerable<EngagementEvent> events, int perMessage, int concurrency) =>
        Parallel.ForEachAsync(Messages(events, _queues.Length, perMessage), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (message, ct) =>
        {
            await _queues[message.Queue].SendMessageAsync(message.Body, ct);
            Interlocked.Add(ref _sent, message.Count);
        });

    /// <summary>
    /// The queue messages of a load, per queue in event order: one event each (<paramref name="perMessage"/> 1), or JSON
    /// arrays of up to <paramref name="perMessage"/> events of that queue (CONTRACT.md §1); Count is the events in each.
    /// </summary>
    public static List<(int Queue, int Count, string Body)> Messages(IEnumerable<EngagementEvent> events, int queues, int perMessage) => events
        .GroupBy(e => QueuePartitioner.QueueIndex(e.MemberId, queues))
        .SelectMany(q => q.Chunk(perMessage).Select(chunk => (q.Key, chunk.Length, perMessage == 1 ? EventSerializer.ToJson(chunk[0]) : "[" + string.Join(",", chunk.Select(EventSerializer.ToJson)) + "]")))
        .ToList();

    /// <summary>Sends <paramref name="count"/> events at a steady <paramref name="perSecond"/> (open loop: a slow engine does not slow the producer).</summary>
    public async Task SendPacedAsync(Func<EngagementEvent> next, int count, double perSecond, int concurrency, Action<EngagementEvent>? beforeSend = null)
    {
        using var slots = new SemaphoreSlim(concurrency);
        var inFlight = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.FromMilliseconds(2))
            {
                await Task.Delay(due);
            }

            await slots.WaitAsync();
            var evt = next();
            inFlight.Add(SendReleasingAsync(evt));
        }

        await Task.WhenAll(inFlight);

        async Task SendReleasingAsync(EngagementEvent evt)
        {
            try
            {
                await SendAsync(evt, beforeSend, CancellationToken.None);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private async Task SendAsync(EngagementEvent evt, Action<EngagementEvent>? beforeSend, CancellationToken cancellationToken)
    {
        var body = EventSerializer.ToJson(evt);
        var queue = _queues[QueuePartitioner.QueueIndex(evt.MemberId, _queues.Length)];
        beforeSend?.Invoke(evt);
        await queue.SendMessageAsync(body, cancellationToken);
        Interlocked.Increment(ref _sent);
    }
}
