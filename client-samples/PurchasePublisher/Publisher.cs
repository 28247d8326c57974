using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Azure.Storage.Queues;

namespace PurchasePublisher;

/// <summary>
/// One message to publish: its body (JSON text), the member it belongs to (null when the body has
/// none or is not JSON) and a label for the summary (the event type, "(duplicate)", "(malformed)").
/// </summary>
internal sealed record OutgoingMessage(string Body, string? MemberId, string Label)
{
    /// <summary>
    /// A line of a replayed file as it is: one message, a batch (JSON array) included, labelled per event by
    /// <see cref="ReplayLabel"/>.
    /// </summary>
    public static OutgoingMessage FromReplay(string body, ReplayLine line) =>
        new(body, line.MemberId, line.Labels[0]) { Labels = line.Labels, IsBatch = line.IsBatch };

    /// <summary>One label per event the body carries: <see cref="Label"/> alone, or each event's of a replayed batch.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [Label];

    /// <summary>True for a body that already is a JSON array of events: sent as it is, never merged into another.</summary>
    public bool IsBatch { get; init; }

    /// <summary>A message partitioned by the memberId found in the body; queue 0 when there is none.</summary>
    public static OutgoingMessage FromBody(string body, string label) => new(body, Inspect(body).MemberId, label);

    /// <summary>The queue per CONTRACT.md §1, or 0 for a message without a member.</summary>
    public int QueueIndex(int queueCount) => MemberId is null ? 0 : QueueChoice.QueueIndex(MemberId, queueCount);

    /// <summary>
    /// Reads a body the way the partitioning needs it: whether it is one JSON object, and its
    /// top-level string fields memberId, type and eventId (null when absent, empty, not strings, or not Unicode text
    /// such as a lone surrogate escape).
    /// </summary>
    public static BodyFields Inspect(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return root.ValueKind == JsonValueKind.Object
                ? new BodyFields(true, Field(root, "memberId"), Field(root, "type"), Field(root, "eventId"))
                : default;
        }
        catch (JsonException)
        {
            return default;
        }

        // A lone surrogate escape ("\ud800") is valid JSON but no string: GetString throws InvalidOperationException.
        // Such a field is as good as absent (the engine dead-letters that one event); it must not stop a send mid-file.
        static string? Field(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            try
            {
                return value.GetString() is { Length: > 0 } text ? text : null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }
}

/// <summary>What <see cref="OutgoingMessage.Inspect"/> found in a body.</summary>
internal readonly record struct BodyFields(bool IsJsonObject, string? MemberId, string? Type, string? EventId);

/// <summary>What a publish run did: <paramref name="Sent"/> events (per queue and label) in <paramref name="QueueMessages"/> queue messages.</summary>
internal sealed record PublishResult(long Sent, long[] PerQueue, IReadOnlyDictionary<string, long> PerLabel, TimeSpan Elapsed, long QueueMessages);

/// <summary>
/// Sends messages to the event queues with bounded concurrency.
///
/// Ordering: messages are spread over <c>concurrency</c> lanes by member, and each lane sends one
/// message at a time, in the order given. So one member's events reach their queue in the order
/// they were published, while many members' events are in flight at once.
///
/// Batches (<c>--batch N</c>): a lane gathers up to N events per queue into one JSON array message
/// (CONTRACT.md §1), sent when full, when the next would pass 64 KB, or when the lane has nothing
/// more waiting; the engine applies each on its own. A body that is not a JSON object goes alone (a replayed batch
/// line too: it is already one array message, counted by its events).
/// </summary>
internal sealed class Publisher
{
    private readonly QueueClient[] _queues;
    private readonly bool _base64;
    private readonly int _concurrency;
    private readonly int _batch;

    public Publisher(QueueServiceClient service, string prefix, int queueCount, bool base64, int concurrency, int batch = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        _batch = batch;
        Endpoint = service.Uri;
        _queues = Enumerable.Range(0, queueCount)
            .Select(i => service.GetQueueClient(QueueChoice.QueueName(prefix, i)))
            .ToArray();
        _base64 = base64;
        _concurrency = concurrency;
    }

    /// <summary>The most events one message may carry (CONTRACT.md §1).</summary>
    public const int MaxBatch = 100;

    // The queue's limit is 64 KiB per message; base64 makes a body 4/3 as long.
    private const int MaxMessageBytes = 60 * 1024;

    public Uri Endpoint { get; }

    public IReadOnlyList<QueueClient> Queues => _queues;

    /// <summary>Creates the queues that do not exist yet; the first call that reaches the service.</summary>
    public async Task EnsureQueuesAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in _queues)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public async Task<PublishResult> PublishAsync(IEnumerable<OutgoingMessage> messages, long total, CancellationToken cancellationToken)
    {
        var progress = new ProgressBar(total);
        var perQueue = new long[_queues.Length];
        var perLabel = new Dictionary<string, long>(StringComparer.Ordinal);
        long sent = 0;
        long queueMessages = 0;
        ExceptionDispatchInfo? failure = null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lanes = Enumerable.Range(0, _concurrency)
            .Select(_ => Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(Math.Max(64, 2 * _batch))
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            }))
            .ToArray();

        async Task SendAsync(int queue, string body, IReadOnlyList<OutgoingMessage> events)
        {
            var text = _base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body;
            await _queues[queue].SendMessageAsync(text, stop.Token);
            Interlocked.Increment(ref queueMessages);
            var eventCount = events.Sum(e => e.Labels.Count);
            Interlocked.Add(ref perQueue[queue], eventCount);
            lock (perLabel)
            {
                foreach (var label in events.SelectMany(e => e.Labels))
                {
                    perLabel[label] = perLabel.GetValueOrDefault(label) + 1;
                }
            }

            progress.Report(Interlocked.Add(ref sent, eventCount));
        }

        async Task SendLaneAsync(ChannelReader<OutgoingMessage> lane)
        {
            var pending = new Dictionary<int, Pending>();
            async Task FlushAsync(int queue)
            {
                if (pending.Remove(queue, out var batch))
                {
                    await SendAsync(queue, batch.Events.Count == 1 ? batch.Events[0].Body : "[" + string.Join(",", batch.Events.Select(e => e.Body)) + "]", batch.Events);
                }
            }

            try
            {
                while (await lane.WaitToReadAsync(stop.Token))
                {
                    while (lane.TryRead(out var message))
                    {
                        var index = message.QueueIndex(_queues.Length);
                        if (_batch == 1 || message.IsBatch || !OutgoingMessage.Inspect(message.Body).IsJsonObject)
                        {
                            // Junk goes alone: in an array it would take its neighbours to the poison queue. A replayed
                            // batch goes as it is: an array inside an array is not an event.
                            await FlushAsync(index);
                            await SendAsync(index, message.Body, [message]);
                            continue;
                        }

                        var bytes = Encoding.UTF8.GetByteCount(message.Body) + 1;
                        if (pending.TryGetValue(index, out var open) && open.Bytes + bytes > (_base64 ? MaxMessageBytes * 3 / 4 : MaxMessageBytes))
                        {
                            await FlushAsync(index);
                        }

                        var batch = pending.TryGetValue(index, out var existing) ? existing : pending[index] = new Pending();
                        batch.Events.Add(message);
                        batch.Bytes += bytes;
                        if (batch.Events.Count >= _batch)
                        {
                            await FlushAsync(index);
                        }
                    }

                    // Nothing more waiting in this lane: send what it gathered rather than hold it back.
                    foreach (var queue in pending.Keys.ToList())
                    {
                        await FlushAsync(queue);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Another lane failed, or Ctrl+C; the first failure is reported below.
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null);
                await stop.CancelAsync();
            }
        }

        var workers = lanes.Select(lane => Task.Run(() => SendLaneAsync(lane.Reader), CancellationToken.None)).ToArray();
        try
        {
            foreach (var message in messages)
            {
                var lane = message.MemberId is null
                    ? (int)(Interlocked.Read(ref sent) % _concurrency)
                    : (int)(QueueChoice.Fnv1a32(message.MemberId) % (uint)_concurrency);
                await lanes[lane].Writer.WriteAsync(message, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped early; see below.
        }
        finally
        {
            foreach (var lane in lanes)
            {
                lane.Writer.TryComplete();
            }
        }

        await Task.WhenAll(workers);
        progress.Complete(Interlocked.Read(ref sent));
        failure?.Throw();
        cancellationToken.ThrowIfCancellationRequested();
        return new PublishResult(sent, perQueue, perLabel, progress.Elapsed, queueMessages);
    }

    /// <summary>The events a lane is gathering for one queue, in order, and their size as array members.</summary>
    private sealed class Pending
    {
        public List<OutgoingMessage> Events { get; } = [];

        public int Bytes { get; set; } = 2;
    }
}
