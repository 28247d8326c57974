using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// <c>/metrics</c> showed what the silos received and deleted but not what waits in the queues, nor in the poison
/// queue: an operator had to open Azure Monitor to see a backlog or dead letters pile up. The queue-depth gauges
/// (<c>QueueDepthMetrics</c>, docs/monitoring.md "Queue depths") on the real host, against the test run's Azurite. Their caching
/// and storage failures: Engagement.Azure.Tests' <c>QueueDepthMetricsTests</c>.
/// </summary>
[Collection(OperationsHostCollection.Name)]
public sealed class QueueDepthMetricsTests(OperationsHostFixture host)
{
    /// <summary>
    /// Messages put in the host's own queues show on a scrape: 5 in event queue 1, sent invisible for an hour so that
    /// the silo's receiver leaves them there (the approximate count includes invisible messages). The poison queue is
    /// never created here, as on a healthy deployment (the first dead letter creates it): its gauge shows 0, not
    /// nothing (it was absent, and every sample logged a Warning, while no queue existed). No other queue's count is
    /// asserted: the other tests of this host post events to its event queues. A second instance of the gauges,
    /// disposed before the scrape, leaves the host's gauges reported.
    /// </summary>
    [Fact]
    public async Task AScrapeShowsTheEventQueuesMessageCountsAndZeroDeadLettersWithoutAPoisonQueue()
    {
        var queues = new QueueServiceClient(Variable("AZURE_STORAGE_CONNECTION_STRING"));
        var events = queues.GetQueueClient(host.QueueNamePrefix + "-1");
        var poison = queues.GetQueueClient(host.QueueNamePrefix + "-poison");
        Assert.False(await poison.ExistsAsync());
        await events.CreateIfNotExistsAsync();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                await events.SendMessageAsync("{}", visibilityTimeout: TimeSpan.FromHours(1));
            }

            using var scraper = host.Client(null);
            await scraper.GetStringAsync("metrics");

            // Another instance of the gauges in this process (another host, a restarted hosted service), disposed: it
            // disposed its own meter of the same name, which ended the host's OpenTelemetry streams of these gauges.
            using (new QueueDepthMetrics(queues, [host.QueueNamePrefix + "-other-0"], host.QueueNamePrefix + "-other-poison", TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<QueueDepthMetrics>.Instance))
            {
                await scraper.GetStringAsync("metrics");
            }

            var text = await Poll.UntilAsync(
                async () => (string?)await scraper.GetStringAsync("metrics"),
                t => Value(t, "engagement_queue_messages", events.Name) == 5 && Value(t, "engagement_queue_dead_letter_messages", poison.Name) is not null,
                seconds: 30);

            Assert.Equal(0, Value(text, "engagement_queue_dead_letter_messages", poison.Name));
            Assert.NotNull(Value(text, "engagement_queue_depth_age_seconds", poison.Name));
        }
        finally
        {
            await events.ClearMessagesAsync();
        }
    }

    /// <summary>A sample's value in Prometheus' text format, by metric name and <c>queue</c> label; null when absent.</summary>
    private static double? Value(string text, string metric, string queue)
    {
        var pattern = new Regex($@"^{Regex.Escape(metric)}\{{[^}}]*queue=""{Regex.Escape(queue)}""[^}}]*\}} (\S+)", RegexOptions.Multiline);
        var match = pattern.Match(text);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test (it starts Azurite).");
}
