using Azure.Storage.Queues;
using Engagement.Contracts.Events;
using Engagement.EndToEnd.Tests.Ingestion;

namespace Engagement.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The event queues and poison queue of one test, used with the plain Azure.Storage.Queues client as a producer (a POS
/// fleet, a batch uploader) would: the silos under test read them. Disposing it deletes them (the silo creates them at
/// start, under the test's own <see cref="SiloSettings.QueuePrefix"/>): a test on the shared Azurite holds it with
/// <c>await using</c> declared before its silos, so they are stopped first, and no run leaves its queues behind.
/// </summary>
public sealed class EventQueues(SiloSettings settings) : IAsyncDisposable
{
    private readonly QueueServiceClient _service = new(settings.ConnectionString);

    private IEnumerable<QueueClient> Queues => Names.Select(_service.GetQueueClient);

    private QueueClient Poison => _service.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(settings.QueuePrefix));

    public async Task CreateAsync()
    {
        foreach (var queue in Queues.Append(Poison))
        {
            await queue.CreateIfNotExistsAsync();
        }
    }

    /// <summary>
    /// One member's messages go in order, from one sender; members are spread over 8 senders a queue, as a
    /// POS fleet would publish side by side.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<LoadModel.Message> messages, int base64Every)
    {
        const int lanesPerQueue = 8;
        var lanes = messages
            .Select((m, i) => (Message: m, Index: i))
            .GroupBy(x =>
            {
                var hash = x.Message.MemberId is null ? 0u : QueuePartitioner.Fnv1a32(x.Message.MemberId);
                var queue = x.Message.MemberId is null ? 0 : QueuePartitioner.QueueIndex(x.Message.MemberId, settings.QueueCount);
                return (Queue: queue, Lane: (int)(hash / (uint)settings.QueueCount % lanesPerQueue));
            });
        await Task.WhenAll(lanes.Select(async lane =>
        {
            var queue = _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, lane.Key.Queue));
            foreach (var (message, index) in lane)
            {
                var body = base64Every > 0 && index % base64Every == 0 ? LoadModel.Base64(message.Body) : message.Body;
                await queue.SendMessageAsync(body);
            }
        }));
    }

    /// <summary>
    /// Sends the messages as JSON arrays of up to <paramref name="eventsPerMessage"/> events of one queue (one
    /// object each when 1), in order per queue; returns the number of queue messages.
    /// </summary>
    public async Task<int> PublishBatchedAsync(List<LoadModel.Message> messages, int eventsPerMessage)
    {
        if (eventsPerMessage == 1)
        {
            await PublishAsync(messages, base64Every: 0);
            return messages.Count;
        }

        var batches = LoadModel.Batches(messages, eventsPerMessage, settings.QueueCount);
        await SendAsync(batches);
        return batches.Count;
    }

    /// <summary>Sends each (queue index, body) in order per queue, one sender per queue, the queues side by side.</summary>
    public Task SendAsync(IEnumerable<(int Queue, string Body)> messages) =>
        Task.WhenAll(messages.GroupBy(m => m.Queue).Select(async queue =>
        {
            var client = _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, queue.Key));
            foreach (var message in queue)
            {
                await client.SendMessageAsync(message.Body);
            }
        }));

    /// <summary>
    /// Sends every (queue index, body) at once, up to 32 side by side: fast enough that the silos cannot keep up while it
    /// lasts, in no particular order (for a load whose outcome does not depend on order).
    /// </summary>
    public Task SendAtOnceAsync(IEnumerable<(int Queue, string Body)> messages) =>
        Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (message, cancellationToken) =>
            await _service.GetQueueClient(QueuePartitioner.QueueName(settings.QueuePrefix, message.Queue)).SendMessageAsync(message.Body, cancellationToken));

    /// <summary>The event queues' names, by queue index.</summary>
    public IReadOnlyList<string> Names => Enumerable.Range(0, settings.QueueCount).Select(i => QueuePartitioner.QueueName(settings.QueuePrefix, i)).ToList();

    /// <summary>Messages still in the event queues (or only in <paramref name="names"/>), visible or held by a silo.</summary>
    public async Task<int> PendingAsync(IEnumerable<string>? names = null)
    {
        var total = 0;
        foreach (var name in names ?? Names)
        {
            total += (await _service.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return total;
    }

    public async Task<int> PoisonCountAsync() => (await Poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>
    /// Deletes the event queues and the poison queue (those already gone are skipped). Quietly: a storage or network error
    /// is written to the test's error output and the rest are still tried, so cleanup never masks the test's own failure.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var queue in Queues.Append(Poison))
        {
            try
            {
                await queue.DeleteIfExistsAsync();
            }
            catch (Exception ex) when (ex is global::Azure.RequestFailedException or HttpRequestException or IOException or AggregateException)
            {
                // Cleanup only; a leftover queue in a throwaway Azurite is harmless.
                await Console.Error.WriteLineAsync($"Could not delete queue {queue.Name}: {ex.Message}");
            }
        }
    }
}
