using System.Globalization;
using Engagement.Bench.Reporting;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Issue 12's aggregator contention check: the in-memory ingest (<see cref="IngestMemoryScenario"/>) twice, with
/// programme metrics on both times (members derive and queue their contributions), once with a sink that drops them
/// ("off") and once with the real sharded aggregators ("on"). Every event is in one region and one local day, so
/// the on run hits the same few aggregator grains: the ratio on/off should stay at or above 0.9.
/// </summary>
internal static class MetricsRatioScenario
{
    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        var config = new ConfigurationBuilder().Build();
        Console.WriteLine("  metrics off (contributions derived, dropped by a no-op sink)");
        var offResult = new ScenarioResult { Name = "metrics-off" };
        var off = await IngestMemoryScenario.RunAsync(options, offResult, s =>
        {
            s.Services.AddSingleton<IProgrammeMetricsSink, NoOpSink>();
            s.AddEngagementProgramme(config, startAlerts: false);
        }, profile: false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        Console.WriteLine("  metrics on (the sharded aggregators, one region, one day)");
        var onResult = new ScenarioResult { Name = "metrics-on" };
        var on = await IngestMemoryScenario.RunAsync(options, onResult, s => s.AddEngagementProgramme(config, startAlerts: false), profile: false);

        var ratio = off <= 0 ? 0 : on / off;
        result.Add("throughput, metrics off", off, "events/s");
        result.Add("throughput, metrics on", on, "events/s");
        result.Add(new Metric { Name = "ratio on/off", Value = ratio, Unit = "", Target = "≥ 0.9", Met = ratio >= 0.9 });
        foreach (var (name, part) in new[] { ("off", offResult), ("on", onResult) })
        {
            foreach (var metric in part.Metrics.Where(m => m.Unit is "µs" or "bytes"))
            {
                result.Add($"{metric.Name}, metrics {name}", metric.Value, metric.Unit);
            }
        }

        result.Details["shards"] = new MetricsOptions().Shards;
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"ingest-memory twice ({options.EffectiveMemoryEvents:N0} events, {options.EffectiveMemoryMembers:N0} members, all in region east on one local day): off = contributions derived and queued but dropped by a no-op sink; on = applied by the aggregators ({new MetricsOptions().Shards} shards per region and day, group commit, memory storage)."));
    }

    /// <summary>The "off" sink: accepts everything, applies nothing.</summary>
    private sealed class NoOpSink : IProgrammeMetricsSink
    {
        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions) => Task.CompletedTask;
    }
}
