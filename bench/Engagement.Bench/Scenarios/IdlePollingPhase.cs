using System.Globalization;
using Engagement.Azure.Streaming;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Events;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// ingest-durable's last phase: the silo runs with nothing to read for <see cref="BenchOptions.IdleSeconds"/>, and
/// the bench counts the queue receives it still makes (each a billed transaction on Azure Storage, and on Azurite a
/// scan of the queue). With fixed polling that is up to 10 a second per queue (the agent waits <c>PollInterval</c>,
/// 100 ms, after each receive; about 7 measured here); the receiver's idle back-off (<c>IdleQueuePolling</c>)
/// stretches the pause to a tenth of the quiet time, at most <c>Engagement:Ingestion:IdlePollMaxInterval</c>
/// (default 2 s; <c>--idle-poll-max-ms 100</c> gives the old figure).
/// </summary>
internal static class IdlePollingPhase
{
    public static async Task MeasureAsync(BenchOptions options, ScenarioResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  idle: {options.IdleSeconds} s with no events on {options.Queues} queues"));
        var (receives, empty) = (IngestionMetrics.ReceivesTotal, IngestionMetrics.EmptyReceivesTotal);
        using var census = StorageOperations.Start();
        var half = TimeSpan.FromSeconds(options.IdleSeconds / 2.0);

        // The window is the measurement itself (a span of quiet time), not a wait for a condition.
        await Task.Delay(half);
        var atHalf = IngestionMetrics.ReceivesTotal;
        await Task.Delay(half);

        var total = IngestionMetrics.ReceivesTotal - receives;
        var lastHalf = IngestionMetrics.ReceivesTotal - atHalf;
        var queueSeconds = options.Queues * (double)options.IdleSeconds;
        result.Details["idle.seconds"] = options.IdleSeconds;
        result.Details["idle.queue_receives"] = total;
        result.Details["idle.queue_receives_empty"] = IngestionMetrics.EmptyReceivesTotal - empty;
        result.Details["idle.queue_receives_last_half"] = lastHalf;
        result.Details["idle.storage_requests"] = census.Requests;
        result.Details["idle.poll_max_ms"] = options.IdlePollMaxMs ?? new IngestionOptions().IdlePollMaxInterval.TotalMilliseconds;
        result.Add(new Metric
        {
            Name = string.Create(CultureInfo.InvariantCulture, $"queue receives per queue per second, idle ({options.IdleSeconds} s with no events)"),
            Value = Math.Round(total / queueSeconds, 2),
            Unit = "/s",
            Positive = false,
        });
        result.Add(new Metric
        {
            Name = "queue receives per queue per second, idle, second half of the window",
            Value = Math.Round(lastHalf / (queueSeconds / 2), 2),
            Unit = "/s",
            Positive = false,
        });
    }
}
