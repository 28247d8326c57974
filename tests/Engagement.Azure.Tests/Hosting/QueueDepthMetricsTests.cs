using System.Diagnostics.Metrics;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Hosting;

/// <summary>
/// The queue-depth gauges (<see cref="QueueDepthMetrics"/>, docs/monitoring.md "Queue depths") against the test run's Azurite, on a
/// pinned clock: storage is read in the background, at the start and at every tick of the sample interval's timer, and
/// a scrape reads the latest sample (it used to start the read, so each scrape showed the previous one); a count that
/// can no longer be read stays with its growing age, said once when sampling starts failing and once when it recovers.
/// What a scrape of the real host shows: Engagement.Api.Tests' <c>QueueDepthMetricsTests</c>.
/// </summary>
public sealed class QueueDepthMetricsTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Storage that does not answer (a closed port) fails no observation: no count is reported until one was read. A
    /// queue that does not exist (the poison queue before the first dead letter, a deleted queue) counts 0. A message
    /// added shows after one step of the timer, without a scrape in between, and not before it: a scrape reads no storage.
    /// </summary>
    [Fact]
    public async Task TheTimerSamplesTheCountsAScrapeReadsTheLatestAndAMissingQueueCountsZero()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        var down = new QueueServiceClient(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1",
            new QueueClientOptions { Retry = { MaxRetries = 0 } });
        using (var unreachable = new QueueDepthMetrics(down, ["depthdown-0"], "depthdown-poison", Step, clock, NullLogger<QueueDepthMetrics>.Instance))
        using (var gauges = new Gauges("depthdown-0", "depthdown-poison"))
        {
            await unreachable.StartAsync(CancellationToken.None);
            await SampledAsync(unreachable, 1);
            gauges.Observe();
            Assert.Empty(gauges.Values);
            await unreachable.StopAsync(CancellationToken.None);
        }

        var name = "depth" + Guid.NewGuid().ToString("N")[..12];
        var queues = new QueueServiceClient(Azurite.ConnectionString);
        var queue = queues.GetQueueClient(name + "-0");
        await queue.CreateAsync();

        // No poison queue, as on a healthy deployment (the first dead letter creates it): 0 dead letters, not nothing.
        await queue.SendMessageAsync("a");
        await queue.SendMessageAsync("b");
        using var metrics = new QueueDepthMetrics(queues, [name + "-0"], name + "-poison", Step, clock, NullLogger<QueueDepthMetrics>.Instance);
        using var gauge = new Gauges(name + "-0", name + "-poison");
        await metrics.StartAsync(CancellationToken.None);
        await SampledAsync(metrics, 1);
        gauge.Observe();
        Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.DeadLetterMessagesName, name + "-poison")]);

        // Before the timer's step a third message is not read, however often scraped: the latest sample is reported.
        await queue.SendMessageAsync("c");
        clock.Advance(Step - TimeSpan.FromSeconds(1));
        gauge.Observe();
        gauge.Observe();
        Assert.Equal(1, metrics.Samples);
        Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(29, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);

        // The step: the timer samples, and the first scrape after it shows the third message, read now.
        clock.Advance(TimeSpan.FromSeconds(1));
        await SampledAsync(metrics, 2);
        gauge.Observe();
        Assert.Equal(3, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);

        // The queue is gone: nothing waits in it, 0, read at the next step.
        await queue.DeleteAsync();
        clock.Advance(Step);
        await SampledAsync(metrics, 3);
        gauge.Observe();
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.DeadLetterMessagesName, name + "-poison")]);
        await metrics.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Storage stops answering (its requests sent to a closed port): the last count stays and its age grows step by
    /// step; one Warning says sampling fails, however many samples fail. Storage answers again: the next step reads the
    /// count, its age is 0, and one Information says sampling recovered.
    /// </summary>
    [Fact]
    public async Task AnOutageKeepsTheLastCountWithAGrowingAgeAndIsLoggedOnceAsItsRecovery()
    {
        using var sampling = await Sampling.StartAsync("depthout", "a", "b");
        var (clock, name, storage, queue, logs, _, metrics, gauge) = sampling;

        storage.Down = true;
        await queue.SendMessageAsync("c");
        for (var step = 1; step <= 3; step++)
        {
            clock.Advance(Step);
            await SampledAsync(metrics, 1 + step);
            gauge.Observe();
            Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
            Assert.Equal(30 * step, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
            Assert.Equal(0, gauge.Values[(QueueDepthMetrics.DeadLetterMessagesName, name + "-poison")]);
            Assert.Equal(30 * step, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-poison")]);
        }

        var failing = Assert.Single(logs.Lines(LogLevel.Warning, "Queue depth sampling fails"));
        Assert.Contains(name + "-0", failing, StringComparison.Ordinal);
        Assert.Empty(logs.Lines(LogLevel.Information, "Queue depth sampling recovered"));

        storage.Down = false;
        for (var step = 1; step <= 2; step++)
        {
            clock.Advance(Step);
            await SampledAsync(metrics, 4 + step);
            gauge.Observe();
            Assert.Equal(3, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
            Assert.Equal(0, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
        }

        Assert.Single(logs.Lines(LogLevel.Information, "Queue depth sampling recovered"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Queue depth sampling fails"));
        await metrics.StopAsync(CancellationToken.None);
        await queue.DeleteAsync();
    }

    /// <summary>
    /// A read that fails with an exception no storage outage throws (the SDK's pipeline can throw NotSupportedException,
    /// FormatException…) is a failed read like any other: the last count stays, one Warning names the queue, and the
    /// next step samples again and reads the new count. It used to end the sampling loop for good, with no log line.
    /// </summary>
    [Fact]
    public async Task AnUnexpectedFaultOfAReadIsAFailedReadAndSamplingGoesOn()
    {
        using var sampling = await Sampling.StartAsync("depthodd", "a", "b");
        var (clock, name, storage, queue, logs, _, metrics, gauge) = sampling;

        // The next request (the read of {name}-0) throws NotSupportedException; every later one behaves.
        storage.Fault = (_, _) =>
        {
            storage.Fault = null;
            return Task.FromException(new NotSupportedException("probe: not a storage outage"));
        };
        await queue.SendMessageAsync("c");
        clock.Advance(Step);
        await SampledAsync(metrics, 2);
        gauge.Observe();
        Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(30, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
        var failing = Assert.Single(logs.Lines(LogLevel.Warning, "Queue depth sampling fails"));
        Assert.Contains(name + "-0", failing, StringComparison.Ordinal);

        clock.Advance(Step);
        await SampledAsync(metrics, 3);
        gauge.Observe();
        Assert.Equal(3, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
        Assert.Single(logs.Lines(LogLevel.Warning, "Queue depth sampling fails"));
        Assert.Single(logs.Lines(LogLevel.Information, "Queue depth sampling recovered"));
        await metrics.StopAsync(CancellationToken.None);
        await queue.DeleteAsync();
    }

    /// <summary>
    /// The Warning is written at the first read that fails, not when the whole sample ends: here the event queue's read
    /// fails and the poison queue's read hangs (as every read does, ~20 s each, when storage does not answer); the
    /// Warning is there while the sample is still in flight. It used to wait for the last read of the sample.
    /// </summary>
    [Fact]
    public async Task TheWarningIsWrittenAtTheFirstFailedReadNotAfterTheSample()
    {
        using var sampling = await Sampling.StartAsync("depthhang");
        var (clock, name, storage, _, logs, _, metrics, _) = sampling;

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        storage.Fault = async (request, cancellationToken) =>
        {
            var path = request.RequestUri?.AbsolutePath ?? "";
            if (path.Contains(name + "-poison", StringComparison.Ordinal))
            {
                await release.Task.WaitAsync(cancellationToken);
            }
            else
            {
                throw new HttpRequestException("probe: connection refused");
            }
        };
        clock.Advance(Step);
        await Eventually.TrueAsync(
            () => logs.Lines(LogLevel.Warning, "Queue depth sampling fails").Count == 1,
            TimeSpan.FromSeconds(20),
            "the Warning written while the sample's last read hangs");
        Assert.Equal(1, metrics.Samples);

        release.SetResult();
        await SampledAsync(metrics, 2);
        var failing = Assert.Single(logs.Lines(LogLevel.Warning, "Queue depth sampling fails"));
        Assert.Contains(name + "-0", failing, StringComparison.Ordinal);
        await metrics.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Stop and Dispose may each come twice, in either order, also on a service never started: a host stops a service
    /// whose start failed and stops it again at shutdown, and its container disposes it before or after. A stop after
    /// Dispose used to throw ObjectDisposedException (it cancelled the disposed source). A start after Dispose is refused.
    /// (That no sample follows a stop is not claimed here: a sample that did not happen cannot be waited for.)
    /// </summary>
    [Fact]
    public async Task StopAndDisposeMayEachComeTwiceInEitherOrder()
    {
        using (var stoppedFirst = await Sampling.StartAsync("depthstop", "a"))
        {
            var metrics = stoppedFirst.Metrics;
            await metrics.StopAsync(CancellationToken.None);
            await metrics.StopAsync(CancellationToken.None);
            metrics.Dispose();
            await metrics.StopAsync(CancellationToken.None);
            metrics.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => metrics.StartAsync(CancellationToken.None));
        }

        using (var disposedFirst = await Sampling.StartAsync("depthdisp", "a"))
        {
            var metrics = disposedFirst.Metrics;
            metrics.Dispose();
            metrics.Dispose();
            await metrics.StopAsync(CancellationToken.None);
            await metrics.StopAsync(CancellationToken.None);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => metrics.StartAsync(CancellationToken.None));
        }

        // Never started (its start never came, or failed before it): stopped twice, then disposed and stopped again.
        using var neverStarted = new QueueDepthMetrics(Unreachable(), ["depthnever-0"], "depthnever-poison", Step, new FakeTimeProvider(Pinned), NullLogger<QueueDepthMetrics>.Instance);
        await neverStarted.StopAsync(CancellationToken.None);
        await neverStarted.StopAsync(CancellationToken.None);
        neverStarted.Dispose();
        await neverStarted.StopAsync(CancellationToken.None);
        Assert.Equal(0, neverStarted.Samples);
    }

    /// <summary>
    /// A host's stop and its container's Dispose can run at the same time (a shutdown timing out while the stop waits):
    /// on a started service, each of many rounds of the two together ends without an exception, whichever wins the lock.
    /// </summary>
    [Fact]
    public async Task StopAndDisposeAtTheSameTimeNeverThrow()
    {
        for (var round = 0; round < 20; round++)
        {
            var metrics = new QueueDepthMetrics(Unreachable(), ["depthrace-0"], "depthrace-poison", Step, new FakeTimeProvider(Pinned), NullLogger<QueueDepthMetrics>.Instance);
            await metrics.StartAsync(CancellationToken.None);
            await Task.WhenAll(metrics.StopAsync(CancellationToken.None), Task.Run(metrics.Dispose));
            await Task.WhenAll(Task.Run(metrics.Dispose), metrics.StopAsync(CancellationToken.None));
        }
    }

    /// <summary>The instant the tests' clocks are pinned at: 02:00 UTC, 5 Dec 2026.</summary>
    private static readonly DateTimeOffset Pinned = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    /// <summary>A queue account nobody listens at (port 1), with no retries: a read fails at once.</summary>
    private static QueueServiceClient Unreachable() => new(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1",
        new QueueClientOptions { Retry = { MaxRetries = 0 } });

    /// <summary>Waits (real time, a deadline) until <paramref name="metrics"/> has finished <paramref name="samples"/> samples.</summary>
    private static Task SampledAsync(QueueDepthMetrics metrics, long samples) =>
        Eventually.TrueAsync(() => metrics.Samples >= samples, TimeSpan.FromSeconds(20), $"{samples} samples taken");

    /// <summary>
    /// What the outage and fault tests start from: a started <see cref="QueueDepthMetrics"/> on a clock pinned at 02:00 UTC,
    /// 5 Dec 2026, sampling <c>{Name}-0</c> and <c>{Name}-poison</c> of the test run's Azurite through a
    /// <see cref="Switchable"/> client with no retries, its logs captured and its gauges listened to, its first sample
    /// taken. <c>{Name}-0</c> is created first holding the messages given, unless none are.
    /// </summary>
    /// <param name="Clock">Pinned at 02:00 UTC, 5 Dec 2026; the test moves it.</param>
    /// <param name="Name">The queues' name before <c>-0</c> and <c>-poison</c>.</param>
    /// <param name="Storage">What the sampling client's requests go through.</param>
    /// <param name="Queue"><c>{Name}-0</c>, through a plain client (never switched off).</param>
    /// <param name="Logs">What the metrics logged.</param>
    /// <param name="Loggers">The factory writing to <paramref name="Logs"/>.</param>
    /// <param name="Metrics">The started metrics.</param>
    /// <param name="Gauge">The gauges of <c>{Name}-0</c> and <c>{Name}-poison</c>.</param>
    private sealed record Sampling(FakeTimeProvider Clock, string Name, Switchable Storage, QueueClient Queue, LogCapture Logs, ILoggerFactory Loggers, QueueDepthMetrics Metrics, Gauges Gauge) : IDisposable
    {
        /// <summary>Starts the sampling of queues named <paramref name="prefix"/> and a fresh suffix (see the class).</summary>
        public static async Task<Sampling> StartAsync(string prefix, params string[] messages)
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
            var name = prefix + Guid.NewGuid().ToString("N")[..12];
            var storage = new Switchable();
            var queues = new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions
            {
                Transport = new HttpClientTransport(new HttpClient(storage)),
                Retry = { MaxRetries = 0 },
            });
            var queue = new QueueServiceClient(Azurite.ConnectionString).GetQueueClient(name + "-0");
            if (messages.Length > 0)
            {
                await queue.CreateAsync();
                foreach (var message in messages)
                {
                    await queue.SendMessageAsync(message);
                }
            }

            var logs = new LogCapture();
            var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
            var metrics = new QueueDepthMetrics(queues, [name + "-0"], name + "-poison", Step, clock, loggers.CreateLogger<QueueDepthMetrics>());
            var sampling = new Sampling(clock, name, storage, queue, logs, loggers, metrics, new Gauges(name + "-0", name + "-poison"));
            await metrics.StartAsync(CancellationToken.None);
            await SampledAsync(metrics, 1);
            return sampling;
        }

        /// <summary>Stops and disposes what <see cref="StartAsync"/> made, and deletes <c>{Name}-0</c> when it was created (the tests that delete it themselves leave nothing to do).</summary>
        public void Dispose()
        {
            Gauge.Dispose();
            Metrics.Dispose();
            Loggers.Dispose();
            Queue.DeleteIfExists();
        }
    }

    /// <summary>
    /// Sends the client's requests to the test run's Azurite, or, while <see cref="Down"/>, to a closed port on the same
    /// host: storage that stops answering, for one client, without stopping Azurite for the other tests.
    /// </summary>
    private sealed class Switchable() : DelegatingHandler(new SocketsHttpHandler())
    {
        private volatile bool _down;
        private Func<HttpRequestMessage, CancellationToken, Task>? _fault;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        /// <summary>Run before a request is sent, while set: it may throw, or hold the request.</summary>
        public Func<HttpRequestMessage, CancellationToken, Task>? Fault
        {
            get => Volatile.Read(ref _fault);
            set => Volatile.Write(ref _fault, value);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Fault is { } fault)
            {
                await fault(request, cancellationToken);
            }

            if (Down && request.RequestUri is { } uri)
            {
                request.RequestUri = new UriBuilder(uri) { Host = "127.0.0.1", Port = 1 }.Uri;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Listens to the three gauges for the given queues; <see cref="Observe"/> observes them once.</summary>
    private sealed class Gauges : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Gauges(params string[] queues)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngagementAzureMetrics.MeterName
                    && instrument.Name is QueueDepthMetrics.MessagesName or QueueDepthMetrics.DeadLetterMessagesName or QueueDepthMetrics.SampleAgeName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags, queues));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags, queues));
            _listener.Start();
        }

        public Dictionary<(string Instrument, string Queue), double> Values { get; } = [];

        public void Observe() => _listener.RecordObservableInstruments();

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string[] queues)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue" && tag.Value is string queue && queues.Contains(queue))
                {
                    Values[(instrument.Name, queue)] = value;
                }
            }
        }
    }
}
