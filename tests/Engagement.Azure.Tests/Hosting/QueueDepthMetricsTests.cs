using System.Diagnostics.Metrics;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Reminders;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Hosting;

/// <summary>
/// The queue-depth gauges (<see cref="QueueDepthMetrics"/>, README "Watching it") against the test run's Azurite: a
/// scrape never waits on storage nor fails with it, storage is read at most once per sample interval, and a count that
/// can no longer be read stays with its growing age. What a scrape of the real host shows: Engagement.Api.Tests'
/// <c>QueueDepthMetricsTests</c>.
/// </summary>
public sealed class QueueDepthMetricsTests
{
    /// <summary>
    /// Storage that does not answer (a closed port) fails no observation: no count is reported until one was read, and
    /// the read runs apart from the scrape. A queue that does not exist (the poison queue before the first dead letter,
    /// a deleted queue) counts 0; storage is read at most once per sample interval.
    /// </summary>
    [Fact]
    public async Task AScrapeNeverFailsAndAMissingQueueCountsZero()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero));
        var down = new QueueServiceClient(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1",
            new QueueClientOptions { Retry = { MaxRetries = 0 } });
        using (var unreachable = new QueueDepthMetrics(down, ["depthdown-0"], "depthdown-poison", TimeSpan.FromSeconds(30), clock, NullLogger<QueueDepthMetrics>.Instance))
        using (var gauges = new Gauges("depthdown-0", "depthdown-poison"))
        {
            gauges.Observe();
            await unreachable.Sampling;
            gauges.Observe();
            Assert.Empty(gauges.Values);
        }

        var name = "depth" + Guid.NewGuid().ToString("N")[..12];
        var queues = new QueueServiceClient(Azurite.ConnectionString);
        var queue = queues.GetQueueClient(name + "-0");
        await queue.CreateAsync();

        // No poison queue, as on a healthy deployment (the first dead letter creates it): 0 dead letters, not nothing.
        await queue.SendMessageAsync("a");
        await queue.SendMessageAsync("b");
        using var metrics = new QueueDepthMetrics(queues, [name + "-0"], name + "-poison", TimeSpan.FromSeconds(30), clock, NullLogger<QueueDepthMetrics>.Instance);
        using var gauge = new Gauges(name + "-0", name + "-poison");
        gauge.Observe();
        await metrics.Sampling;
        gauge.Observe();
        Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.DeadLetterMessagesName, name + "-poison")]);

        // Within the interval a third message is not read: the cached count is reported.
        await queue.SendMessageAsync("c");
        clock.Advance(TimeSpan.FromSeconds(29));
        gauge.Observe();
        await metrics.Sampling;
        Assert.Equal(2, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(29, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);

        // The queue is gone: nothing waits in it, 0, read now.
        await queue.DeleteAsync();
        clock.Advance(TimeSpan.FromSeconds(31));
        gauge.Observe();
        await metrics.Sampling;
        gauge.Observe();
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.MessagesName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.SampleAgeName, name + "-0")]);
        Assert.Equal(0, gauge.Values[(QueueDepthMetrics.DeadLetterMessagesName, name + "-poison")]);
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
