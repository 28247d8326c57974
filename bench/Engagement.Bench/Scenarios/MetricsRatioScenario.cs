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
/// aggregator grains: the ratio on/off should stay at or above 0.9. Off, on, off, on, each on a silo of its own and
/// each at steady state (warm-up passes on that silo until the JIT has settled, as ingest-memory: a run after one short
/// warm-up pass still ran much of its hot path as instrumented tier-0 code, at a third of the steady speed, which
/// diluted whatever the aggregators cost); the ratio is the mean of the on runs over the mean of the off runs.
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
                var rate = await IngestMemoryScenario.RunAsync(options, part, configure, profile: false, warmUp: true);
                runs.Add((phase, rate, part));
                result.Details[string.Create(CultureInfo.InvariantCulture, $"round {round} {phase}, events/s")] = rate;
                result.Details[string.Create(CultureInfo.InvariantCulture, $"round {round} {phase}, warm-up passes")] = part.Details.GetValueOrDefault("warmup_passes");
                result.Details[string.Create(CultureInfo.InvariantCulture, $"round {round} {phase}, JIT settled")] = part.Details.GetValueOrDefault("warmup_settled");
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
            $"ingest-memory {Rounds * 2} times, each at steady state on its own silo ({options.EffectiveMemoryEvents:N0} events, {options.EffectiveMemoryMembers:N0} members, all in region east on one local day), alternating: off = contributions derived and queued but dropped by a no-op sink; on = applied by the aggregators ({new MetricsOptions().Shards} shards per region and day, {AggregatorRows.Count} rows each, group commit, in-memory rows in their stored form)."));
    }

    /// <summary>The "off" sink: accepts everything, applies nothing.</summary>
    private sealed class NoOpSink : IProgrammeMetricsSink
    {
        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions) => Task.CompletedTask;
    }
}
