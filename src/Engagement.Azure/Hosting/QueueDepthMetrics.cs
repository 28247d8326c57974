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
/// was last read. Storage is read in the background, once when the service starts and then on a
/// <see cref="PeriodicTimer"/> of the given <see cref="TimeProvider"/> every sample interval
/// (<c>Engagement:Operations:QueueDepthSampleEvery</c>, default 30 s): a scrape reads the latest sample only, so it never
/// waits on storage nor multiplies its requests. A queue whose read fails (storage down, an SDK timeout, any other exception) keeps
/// its last count and its age grows, and sampling goes on: alert on the age as well as on the count. The first read that
/// fails is logged once as a Warning, at once (not after the sample's other reads), and the first that succeeds after failures once as an Information, not a line per sample. A queue that
/// does not exist (yet: the poison queue is created by the first dead letter) counts 0. No measurement for a queue
/// until its first read answered. docs/monitoring.md "Queue depths".
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
        Meter.CreateObservableGauge(MessagesName, () => Each(m => m.Counts(m._eventQueues)), unit: "{message}", description: "Approximate number of messages in each event queue, read in the background every sample interval.");
        Meter.CreateObservableGauge(DeadLetterMessagesName, () => Each(m => m.Counts([m._poisonQueue])), unit: "{message}", description: "Approximate number of messages in the poison (dead-letter) queue, read in the background every sample interval.");
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
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _life = new();
    private Task _loop = Task.CompletedTask;
    private long _samples;
    private bool _failing;
    private bool _disposed;

    /// <summary>Creates the gauges for <paramref name="eventQueues"/> and <paramref name="poisonQueue"/> on <paramref name="queues"/>.</summary>
    /// <param name="queues">The account of the queues.</param>
    /// <param name="eventQueues">The event queues' names.</param>
    /// <param name="poisonQueue">The poison queue's name.</param>
    /// <param name="sampleEvery">How often storage is read, from <see cref="StartAsync"/> on; above zero.</param>
    /// <param name="time">The clock of the sample interval (its timer) and of the age (UTC).</param>
    /// <param name="logger">Where sampling failing and recovering is reported.</param>
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

    /// <summary>How many samples (one read of every queue, whether or not each answered) have finished since the start (for tests).</summary>
    public long Samples => Interlocked.Read(ref _samples);

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

    /// <summary>The latest sample's counts, as read (never a read of storage).</summary>
    private Dictionary<string, (long Count, DateTimeOffset ReadAt)> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, (long, DateTimeOffset)>(_last, StringComparer.Ordinal);
        }
    }

    /// <summary>Samples now, then at every tick of the timer until the service stops.</summary>
    private async Task SampleLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_sampleEvery, _time);
        try
        {
            do
            {
                await SampleAsync(stopping);
                Interlocked.Increment(ref _samples);
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped: the last counts stay reported until disposed.
        }
    }

    private async Task SampleAsync(CancellationToken stopping)
    {
        var failed = false;
        foreach (var name in _eventQueues.Append(_poisonQueue))
        {
            try
            {
                var properties = await _queues.GetQueueClient(name).GetPropertiesAsync(stopping);
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
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                // Storage unreachable (an SDK timeout too), or any other fault of the read (the SDK's pipeline may throw
                // NotSupportedException, FormatException…): the last count stays, its age grows, sampling goes on.
                failed = true;
                if (!_failing)
                {
                    // Said now, at the first failed read, not after the sample's other reads (each may hang ~20 s).
                    _failing = true;
                    LogSamplingFails(_logger, ex, name, _sampleEvery.TotalSeconds);
                }
            }
        }

        // Said once when sampling starts failing (above) and once when it recovers, not at every sample of an outage.
        if (!failed && _failing)
        {
            _failing = false;
            LogSamplingRecovered(_logger);
        }
    }

    /// <summary>Starts sampling: a first read now, then one every sample interval, in the background.</summary>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_life)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // The token is taken here, under the lock that Dispose takes too: read later on the pool thread, a Dispose
            // in between would make _stopping.Token throw ObjectDisposedException inside the loop's task.
            var stopping = _stopping.Token;
            _loop = Task.Run(() => SampleLoopAsync(stopping), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops sampling and waits for a read in flight to end (it is cancelled); the last counts stay reported until
    /// disposed. Idempotent, and safe after <see cref="Dispose"/> or never started: a host may stop a service twice
    /// (a failed start is stopped, then the host is), and disposes it in any order with its stop.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task loop;
        lock (_life)
        {
            // Cancel once: a second stop, or a stop after Dispose (its source disposed), has nothing left to cancel.
            if (!_disposed && !_stopping.IsCancellationRequested)
            {
                _stopping.Cancel();
            }

            loop = _loop;
        }

        await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops sampling (without waiting for a read in flight) and stops reporting this instance. Idempotent.</summary>
    public void Dispose()
    {
        // The static gauges stop reporting this instance; the shared meter stays for the others.
        lock (LiveGate)
        {
            Live.Remove(this);
        }

        lock (_life)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue depth sampling fails: could not read the message count of queue {Queue}; the last counts are reported, with their growing age (engagement_queue_depth_age_seconds), and sampling goes on every {SampleEverySeconds} s (said once, until it recovers)")]
    private static partial void LogSamplingFails(ILogger logger, Exception exception, string queue, double sampleEverySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue depth sampling recovered: every queue's message count was read again")]
    private static partial void LogSamplingRecovered(ILogger logger);
}

/// <summary>Registers <see cref="QueueDepthMetrics"/>.</summary>
public static class QueueDepthMetricsHostingExtensions
{
    /// <summary>
    /// Adds the queue-depth gauges for the queues of <see cref="IngestionOptions"/> (its connection string, prefix and
    /// queue count; registered by <c>AddEngagementQueueStreams</c>), read in the background every <paramref name="sampleEvery"/>
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
