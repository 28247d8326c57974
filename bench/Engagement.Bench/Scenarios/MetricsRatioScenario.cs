using System.Globalization;
using Engagement.Bench.Reporting;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Issue 12's aggregator contention check: the in-memory ingest (<see cref="IngestMemoryScenario"/>) with programme
/// metrics on every time (members derive and queue their contributions), with a sink that drops them ("off") and with
/// the real sharded aggregators ("on"). Every event is in one region and one local day, so the on runs hit the same few
/// aggregator grains: the ratio on/off should stay at or above 0.9. One warm-up pass of each at a tenth of the size
/// (not counted: the first run in a process pays for JIT and tiering, which alone moved a single-pair ratio by ±15%),
/// then off, on, off, on; the ratio is the mean of the on runs over the mean of the off runs.
/// </summary>
internal static class MetricsRatioScenario
{
    private const int Rounds = 2;

    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        var config = new ConfigurationBuilder().Build();
        void Off(ISiloBuilder s)
        {
            s.Services.AddSingleton<IProgrammeMetricsSink, NoOpSink>();
            s.AddEngagementProgramme(config, startAlerts: false);
        }

        void On(ISiloBuilder s) => s.AddEngagementProgramme(config, startAlerts: false);

        var warmUp = options.WithMemorySize(Math.Max(200, options.EffectiveMemoryEvents / 10), Math.Max(20, options.EffectiveMemoryMembers / 10));
        Console.WriteLine("  warm-up (not counted): metrics off, then on, at a tenth of the size");
        await IngestMemoryScenario.RunAsync(warmUp, new ScenarioResult { Name = "warm-up" }, Off, profile: false);
        await IngestMemoryScenario.RunAsync(warmUp, new ScenarioResult { Name = "warm-up" }, On, profile: false);

        var runs = new List<(string Phase, double Rate, ScenarioResult Part)>();
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (phase, configure) in new (string, Action<ISiloBuilder>)[] { ("off", Off), ("on", On) })
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                Console.WriteLine(phase == "off"
                    ? $"  round {round}: metrics off (contributions derived, dropped by a no-op sink)"
                    : $"  round {round}: metrics on (the sharded aggregators, one region, one day)");
                var part = new ScenarioResult { Name = "metrics-" + phase };
                var rate = await IngestMemoryScenario.RunAsync(options, part, configure, profile: false);
                runs.Add((phase, rate, part));
                result.Details[string.Create(CultureInfo.InvariantCulture, $"round {round} {phase}, events/s")] = rate;
            }
        }

        var off = runs.Where(r => r.Phase == "off").Average(r => r.Rate);
        var on = runs.Where(r => r.Phase == "on").Average(r => r.Rate);
        var ratio = off <= 0 ? 0 : on / off;
        result.Add("throughput, metrics off (mean)", off, "events/s");
        result.Add("throughput, metrics on (mean)", on, "events/s");
        result.Add(new Metric { Name = "ratio on/off", Value = ratio, Unit = "", Target = "≥ 0.9", Met = ratio >= 0.9 });
        foreach (var phase in new[] { "off", "on" })
        {
            var parts = runs.Where(r => r.Phase == phase).Select(r => r.Part).ToList();
            foreach (var name in parts[0].Metrics.Where(m => m.Unit is "µs" or "bytes").Select(m => m.Name))
            {
                result.Add($"{name}, metrics {phase}", parts.Average(p => p.Metrics.First(m => m.Name == name).Value), parts[0].Metrics.First(m => m.Name == name).Unit);
            }

            foreach (var (key, value) in parts[^1].Details.Where(d => d.Key.StartsWith("alloc_sampled.", StringComparison.Ordinal) || d.Key == "grain_state_writes"))
            {
                result.Details[$"{phase}.{key}"] = value;
            }
        }

        result.Details["shards"] = new MetricsOptions().Shards;
        result.Details["rows per aggregator"] = AggregatorRows.Count;
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"ingest-memory {Rounds * 2} times after a warm-up ({options.EffectiveMemoryEvents:N0} events, {options.EffectiveMemoryMembers:N0} members, all in region east on one local day), alternating: off = contributions derived and queued but dropped by a no-op sink; on = applied by the aggregators ({new MetricsOptions().Shards} shards per region and day, {AggregatorRows.Count} rows each, group commit, in-memory rows in their stored form)."));
    }

    /// <summary>The "off" sink: accepts everything, applies nothing.</summary>
    private sealed class NoOpSink : IProgrammeMetricsSink
    {
        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions) => Task.CompletedTask;
    }
}
