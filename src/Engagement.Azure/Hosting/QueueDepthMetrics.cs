using System.Diagnostics.Metrics;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Azure.Reminders;
using Engagement.Azure.Streaming;
using Engagement.Contracts.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>
/// How many messages wait in the event queues and in the poison queue, as gauges on the <c>Engagement.Azure</c> meter
/// (<see cref="EngagementAzureMetrics.MeterName"/>), each tagged <c>queue</c> with the queue's name:
/// <see cref="MessagesName"/> for every event queue (<c>{prefix}-0</c> … <c>{prefix}-{N-1}</c>),
/// <see cref="DeadLetterMessagesName"/> for <c>{prefix}-poison</c>, both the queue service's approximate message count
/// (messages held invisible by a reader included), and <see cref="SampleAgeName"/>, seconds since that queue's count
/// was last read. Storage is read at most once per sample interval (<c>Engagement:Operations:QueueDepthSampleEvery</c>,
/// default 30 s), in the background: a scrape returns the cached counts and starts a read when they are older than that,
/// so scrapes never wait on storage nor multiply its requests. A queue whose read fails (storage down, the queue missing)
/// keeps its last count, logged as a Warning, and its age grows: alert on the age as well as on the count. A queue that
/// does not exist (yet: the poison queue is created by the first dead letter) counts 0. No measurement for a queue
/// until its first read answered. README "Watching it".
/// </summary>
public sealed partial class QueueDepthMetrics : IHostedService, IDisposable
{
    /// <summary>Gauge of an event queue's approximate message count (<c>engagement_queue_messages</c> in Prometheus).</summary>
    public const string MessagesName = "engagement.queue.messages";

    /// <summary>Gauge of the poison (dead-letter) queue's approximate message count (<c>engagement_queue_dead_letter_messages</c>).</summary>
    public const string DeadLetterMessagesName = "engagement.queue.dead_letter.messages";

    /// <summary>Gauge of the seconds since a queue's count was last read (<c>engagement_queue_depth_age_seconds</c>).</summary>
    public const string SampleAgeName = "engagement.queue.depth_age";

    /// <summary>Default sample interval: 30 s.</summary>
    public static readonly TimeSpan DefaultSampleEvery = TimeSpan.FromSeconds(30);

    // One meter and one set of gauges for the process, never disposed: OpenTelemetry merges same-named instruments
    // process-wide, so a meter per instance, disposed with it, ended the stream of every other live instance's gauges.
    private static readonly Meter Meter = new(EngagementAzureMetrics.MeterName);
    private static readonly Lock LiveGate = new();
    private static readonly List<QueueDepthMetrics> Live = [];

    static QueueDepthMetrics()
    {
        Meter.CreateObservableGauge(MessagesName, () => Each(m => m.Counts(m._eventQueues)), unit: "{message}", description: "Approximate number of messages in each event queue, read at most once per sample interval.");
        Meter.CreateObservableGauge(DeadLetterMessagesName, () => Each(m => m.Counts([m._poisonQueue])), unit: "{message}", description: "Approximate number of messages in the poison (dead-letter) queue, read at most once per sample interval.");
        Meter.CreateObservableGauge(SampleAgeName, () => Each(m => m.Ages()), unit: "s", description: "Seconds since each queue's message count was last read.");
    }

    private readonly QueueServiceClient _queues;
    private readonly IReadOnlyList<string> _eventQueues;
    private readonly string _poisonQueue;
    private readonly TimeSpan _sampleEvery;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueDepthMetrics> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Count, DateTimeOffset ReadAt)> _last = new(StringComparer.Ordinal);
    private DateTimeOffset? _sampleStartedAt;
    private Task _sampling = Task.CompletedTask;

    /// <summary>Creates the gauges for <paramref name="eventQueues"/> and <paramref name="poisonQueue"/> on <paramref name="queues"/>.</summary>
    /// <param name="queues">The account of the queues.</param>
    /// <param name="eventQueues">The event queues' names.</param>
    /// <param name="poisonQueue">The poison queue's name.</param>
    /// <param name="sampleEvery">How often at most storage is read; above zero.</param>
    /// <param name="time">The clock of the sample interval and the age (UTC).</param>
    /// <param name="logger">Where a failed read is reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleEvery"/> is not above zero.</exception>
    public QueueDepthMetrics(QueueServiceClient queues, IReadOnlyList<string> eventQueues, string poisonQueue, TimeSpan sampleEvery, TimeProvider time, ILogger<QueueDepthMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(eventQueues);
        ArgumentException.ThrowIfNullOrEmpty(poisonQueue);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sampleEvery, TimeSpan.Zero);
        _queues = queues;
        _eventQueues = eventQueues;
        _poisonQueue = poisonQueue;
        _sampleEvery = sampleEvery;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        lock (LiveGate)
        {
            Live.Add(this);
        }
    }

    /// <summary>The read in flight or last finished (for tests).</summary>
    public Task Sampling
    {
        get
        {
            lock (_gate)
            {
                return _sampling;
            }
        }
    }

    /// <summary>The measurements of every live (not disposed) instance.</summary>
    private static List<Measurement<T>> Each<T>(Func<QueueDepthMetrics, List<Measurement<T>>> measure)
        where T : struct
    {
        QueueDepthMetrics[] live;
        lock (LiveGate)
        {
            live = [.. Live];
        }

        return live.SelectMany(measure).ToList();
    }

    private List<Measurement<long>> Counts(IReadOnlyList<string> names)
    {
        var last = Snapshot();
        var measurements = new List<Measurement<long>>(names.Count);
        foreach (var name in names)
        {
            if (last.TryGetValue(name, out var read))
            {
                measurements.Add(new Measurement<long>(read.Count, new KeyValuePair<string, object?>("queue", name)));
            }
        }

        return measurements;
    }

    private List<Measurement<double>> Ages()
    {
        var last = Snapshot();
        var now = _time.GetUtcNow();
        return last.Select(q => new Measurement<double>(Math.Max(0, (now - q.Value.ReadAt).TotalSeconds), new KeyValuePair<string, object?>("queue", q.Key))).ToList();
    }

    /// <summary>The cached counts; starts a read when none is in flight and the last one started a sample interval ago.</summary>
    private Dictionary<string, (long Count, DateTimeOffset ReadAt)> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_sampling.IsCompleted && (_sampleStartedAt is not { } at || now - at >= _sampleEvery))
            {
                _sampleStartedAt = now;
                _sampling = Task.Run(SampleAsync);
            }

            return new Dictionary<string, (long, DateTimeOffset)>(_last, StringComparer.Ordinal);
        }
    }

    private async Task SampleAsync()
    {
        foreach (var name in _eventQueues.Append(_poisonQueue))
        {
            try
            {
                var properties = await _queues.GetQueueClient(name).GetPropertiesAsync();
                var readAt = _time.GetUtcNow();
                lock (_gate)
                {
                    _last[name] = (properties.Value.ApproximateMessagesCount, readAt);
                }
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound.ToString())
            {
                // Not created yet: the poison queue exists only after the first dead letter
                // (AzureQueueDeadLetterSink), an event queue before its first message; nothing waits in it.
                var readAt = _time.GetUtcNow();
                lock (_gate)
                {
                    _last[name] = (0, readAt);
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // Storage unreachable (an SDK timeout too) or the queue missing: the last count stays, its age grows.
                LogReadFailed(_logger, ex, name);
            }
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        // The static gauges stop reporting this instance; the shared meter stays for the others.
        lock (LiveGate)
        {
            Live.Remove(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue depth: could not read the message count of queue {Queue}; its last count is reported, with its age")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string queue);
}

/// <summary>Registers <see cref="QueueDepthMetrics"/>.</summary>
public static class QueueDepthMetricsHostingExtensions
{
    /// <summary>
    /// Adds the queue-depth gauges for the queues of <see cref="IngestionOptions"/> (its connection string, prefix and
    /// queue count; registered by <c>AddEngagementQueueStreams</c>), read at most once per <paramref name="sampleEvery"/>
    /// on the real clock (a registered <see cref="TimeProvider"/> instead, when there is one).
    /// </summary>
    public static IServiceCollection AddEngagementQueueDepthMetrics(this IServiceCollection services, TimeSpan sampleEvery)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp =>
        {
            var ingestion = sp.GetRequiredService<IOptions<IngestionOptions>>().Value;
            var queues = new QueueServiceClient(ingestion.ConnectionString, new QueueClientOptions
            {
                // A scrape never waits on this; a storage outage should still not keep a read hanging for minutes.
                Retry = { MaxRetries = 1, NetworkTimeout = TimeSpan.FromSeconds(10) },
            });
            var names = Enumerable.Range(0, ingestion.QueueCount).Select(i => QueuePartitioner.QueueName(ingestion.QueueNamePrefix, i)).ToList();
            return new QueueDepthMetrics(
                queues,
                names,
                ingestion.PoisonQueueName,
                sampleEvery,
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILogger<QueueDepthMetrics>>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<QueueDepthMetrics>());
        return services;
    }
}
