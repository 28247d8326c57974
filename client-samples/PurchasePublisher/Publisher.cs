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
    /// <summary>A message partitioned by the memberId found in the body; queue 0 when there is none.</summary>
    public static OutgoingMessage FromBody(string body, string label) => new(body, Inspect(body).MemberId, label);

    /// <summary>The queue per CONTRACT.md §1, or 0 for a message without a member.</summary>
    public int QueueIndex(int queueCount) => MemberId is null ? 0 : QueueChoice.QueueIndex(MemberId, queueCount);

    /// <summary>
    /// Reads a body the way the partitioning needs it: whether it is one JSON object, and its
    /// top-level string fields memberId, type and eventId (null when absent, empty or not strings).
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

        static string? Field(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text
                ? text
                : null;
    }
}

/// <summary>What <see cref="OutgoingMessage.Inspect"/> found in a body.</summary>
internal readonly record struct BodyFields(bool IsJsonObject, string? MemberId, string? Type, string? EventId);

/// <summary>What a publish run did.</summary>
internal sealed record PublishResult(long Sent, long[] PerQueue, IReadOnlyDictionary<string, long> PerLabel, TimeSpan Elapsed);

/// <summary>
/// Sends messages to the event queues with bounded concurrency.
///
/// Ordering: messages are spread over <c>concurrency</c> lanes by member, and each lane sends one
/// message at a time, in the order given. So one member's events reach their queue in the order
/// they were published, while many members' events are in flight at once.
/// </summary>
internal sealed class Publisher
{
    private readonly QueueClient[] _queues;
    private readonly bool _base64;
    private readonly int _concurrency;

    public Publisher(QueueServiceClient service, string prefix, int queueCount, bool base64, int concurrency)
    {
        Endpoint = service.Uri;
        _queues = Enumerable.Range(0, queueCount)
            .Select(i => service.GetQueueClient(QueueChoice.QueueName(prefix, i)))
            .ToArray();
        _base64 = base64;
        _concurrency = concurrency;
    }

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
        ExceptionDispatchInfo? failure = null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lanes = Enumerable.Range(0, _concurrency)
            .Select(_ => Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(64)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            }))
            .ToArray();

        async Task SendLaneAsync(ChannelReader<OutgoingMessage> lane)
        {
            try
            {
                await foreach (var message in lane.ReadAllAsync(stop.Token))
                {
                    var index = message.QueueIndex(_queues.Length);
                    var text = _base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Body)) : message.Body;
                    await _queues[index].SendMessageAsync(text, stop.Token);

                    Interlocked.Increment(ref perQueue[index]);
                    lock (perLabel)
                    {
                        perLabel[message.Label] = perLabel.GetValueOrDefault(message.Label) + 1;
                    }

                    progress.Report(Interlocked.Increment(ref sent));
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
        return new PublishResult(sent, perQueue, perLabel, progress.Elapsed);
    }
}
