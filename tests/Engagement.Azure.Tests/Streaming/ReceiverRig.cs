using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A receiver straight on a real Azurite queue, without a cluster: the test plays the pulling agent. Its own
/// queue and poison queue, deleted afterwards. Event time is pinned: events occur at <see cref="OccurredAt"/>
/// and receivers read them at <see cref="Start"/>.
/// </summary>
internal sealed class ReceiverRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 40, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset OccurredAt = new(2026, 11, 23, 8, 39, 16, TimeSpan.FromHours(8));

    private readonly List<EngagementQueueReceiver> _receivers = [];

    private readonly ReceiveCounter _receives = new();

    /// <param name="transportFaults">Lets <see cref="Faults"/> fail the event queue's message updates and deletes as a
    /// dropped connection does, with one retry: the SDK then throws an <see cref="AggregateException"/>.</param>
    /// <param name="policy">One more per-call policy on the event queue's client (e.g. one that holds a request).</param>
    public ReceiverRig(bool transportFaults = false, HttpPipelinePolicy? policy = null)
    {
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        clientOptions.AddPolicy(_receives, HttpPipelinePosition.PerCall);
        if (policy is not null)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        if (transportFaults)
        {
            clientOptions.AddPolicy(Faults, HttpPipelinePosition.PerRetry);
            clientOptions.Retry.MaxRetries = 1;
            clientOptions.Retry.Mode = RetryMode.Fixed;
            clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(1);
        }

        var service = new QueueServiceClient(Azurite.ConnectionString, clientOptions);
        var name = Azurite.UniqueName("rig");
        Queue = service.GetQueueClient(name);
        Poison = service.GetQueueClient(name + "-poison");
    }

    public QueueClient Queue { get; }

    /// <summary>The injected failures (only with <c>transportFaults</c>).</summary>
    public MessageFaults Faults { get; } = new();

    public QueueClient Poison { get; }

    /// <summary>Receive requests (Get Messages, not peeks) sent to Azurite through this rig's clients so far.</summary>
    public long ReceiveRequests => _receives.Count;

    public static string Purchase(string memberId, string eventId) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "purchase", "memberId": "{{memberId}}", "occurredAt": "{{OccurredAt:yyyy-MM-ddTHH:mm:sszzz}}",
             "orderId": "O-{{eventId}}", "amount": 100.00}
            """);

    public static string Login(string memberId, string eventId) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            {"eventId": "{{eventId}}", "type": "login", "memberId": "{{memberId}}", "occurredAt": "{{OccurredAt:yyyy-MM-ddTHH:mm:sszzz}}"}
            """);

    public async Task InitializeAsync()
    {
        await Queue.CreateIfNotExistsAsync();
        await Poison.CreateIfNotExistsAsync();
    }

    /// <summary>
    /// A receiver reading at <paramref name="time"/> (default: a clock pinned at <see cref="Start"/>), initialised as the
    /// pulling agent does, within <paramref name="initTimeout"/> (default 10 s); its idle polling and the renewal of what
    /// it holds run on <paramref name="pollClock"/>, by default the same clock as <paramref name="time"/>: a test moves
    /// one fake, and a receiver on the pinned default never renews (as a killed silo).
    /// </summary>
    public async Task<EngagementQueueReceiver> ReceiverAsync(TimeSpan visibilityTimeout, TimeProvider? time = null, Action<IngestionOptions>? configure = null, TimeSpan? initTimeout = null, TimeProvider? pollClock = null, ILogger? logger = null)
    {
        var options = new IngestionOptions
        {
            ConnectionString = Azurite.ConnectionString,
            VisibilityTimeout = visibilityTimeout,
            MaxDequeueCount = 10,
        };
        configure?.Invoke(options);
        time ??= new FakeTimeProvider(Start);
        var receiver = new EngagementQueueReceiver(
            Queue,
            new AzureQueueDeadLetterSink(Poison, NullLogger<AzureQueueDeadLetterSink>.Instance),
            options,
            time,
            logger ?? NullLogger.Instance,
            pollClock: pollClock ?? time);
        _receivers.Add(receiver);
        await receiver.Initialize(initTimeout ?? TimeSpan.FromSeconds(10));
        return receiver;
    }

    public async Task SendAsync(params string[] bodies)
    {
        foreach (var body in bodies)
        {
            await Queue.SendMessageAsync(body);
        }
    }

    public static IReadOnlyList<EngagementBatchContainer> Containers(IList<IBatchContainer> batch) =>
        batch.Cast<EngagementBatchContainer>().ToList();

    public async Task<int> CountAsync() => (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    public async Task<IReadOnlyList<PoisonMessage>> PoisonAsync()
    {
        PeekedMessage[] peeked = await Poison.PeekMessagesAsync(32);
        return peeked.Select(m => JsonSerializer.Deserialize<PoisonMessage>(m.Body.ToString(), EventJson.Options)!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }

        await Queue.DeleteIfExistsAsync();
        await Poison.DeleteIfExistsAsync();
    }
}

/// <summary>Counts the Get Messages requests (receives, not peeks) a queue client sends.</summary>
internal sealed class ReceiveCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        if (request.Method == RequestMethod.Get
            && request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal)
            && !request.Uri.Query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _count);
        }
    }
}

/// <summary>
/// Fails every try of one kind of request on a single message (<c>PUT</c> update or <c>DELETE</c>, path
/// <c>…/messages/{id}</c>) with status 0, as a dropped connection does; sends and receives pass.
/// </summary>
internal sealed class MessageFaults : HttpPipelineSynchronousPolicy
{
    private int _failed;
    private readonly Lock _gate = new();
    private RequestMethod? _failing;

    /// <summary>The method to fail now; null lets everything through.</summary>
    public RequestMethod? Failing
    {
        get
        {
            lock (_gate)
            {
                return _failing;
            }
        }

        set
        {
            lock (_gate)
            {
                _failing = value;
            }
        }
    }

    /// <summary>Tries failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        if (Failing is { } method && request.Method == method && request.Uri.Path.Contains("/messages/", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _failed);
            throw new global::Azure.RequestFailedException(0, "connection reset (injected)");
        }
    }
}
