using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Merges the sharded aggregators on read (see <see cref="IProgrammeMetricsGrain"/>). Days come from the sums stored
/// beside the aggregators' rows (<see cref="IAggregatorRowStore.ReadSumsAsync"/>: one range read per region, no
/// aggregator activated, so a 400-day range costs a few queries rather than thousands of activations); with a store in
/// one silo's memory, and for gauges, from the aggregator grains, at most <see cref="MaxParallelReads"/> in flight.
/// </summary>
[StatelessWorker]
public sealed class ProgrammeMetricsGrain(IOptions<MetricsOptions> options, IAggregatorRowStore store) : Grain, IProgrammeMetricsGrain
{
    /// <summary>Aggregator reads in flight per request.</summary>
    public const int MaxParallelReads = 64;

    /// <summary>
    /// Days one read may span: headroom over the longest read asked for (<see cref="HealthMetrics.MaxReadDays"/>, 400: a
    /// range, or the points view's range with its 90-day rate window, which starts at the earlier of the two and so spans
    /// at most 400 days). The window days the read adds before its first (wau, mau) do not count.
    /// </summary>
    public const int MaxDays = 500;

    public async Task<IReadOnlyList<CounterDay>> GetDaysAsync(string? regionId, DateOnly from, DateOnly to)
    {
        if (to < from || to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw new ArgumentOutOfRangeException(nameof(to), $"a read spans 1–{MaxDays} days, from ≤ to");
        }

        var regions = await RegionsAsync(regionId);
        var shards = options.Value.Shards;
        // The window counters (wau, mau, ...) of a day sum window entries of up to MaxWidth − 1 days before it.
        var first = from.AddDays(-(MetricWindows.MaxWidth - 1));
        var days = Enumerable.Range(0, to.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        var keys = (from day in days from region in regions from shard in Enumerable.Range(0, shards) select (day, MetricKeys.Day(region, day, shard))).ToList();
        var read = store.SharedByTheCluster ? await ReadSumsAsync(keys.Select(k => k.Item2).ToList(), regions) : await ReadAsync(keys.Select(k => k.Item2).ToList());
        var byDay = keys.GroupBy(k => k.day).ToDictionary(g => g.Key, g => g.Select(k => read[k.Item2]).ToList());
        var merged = days.Select(day => DayCounters.Sum(day, byDay.GetValueOrDefault(day) ?? [])).ToList();
        // A member active in several regions counts in each; the programme counts it once (DistinctCounts).
        Func<DayCounters, DayCounters> scope = regionId is null ? DistinctCounts.Programme : DistinctCounts.Region;
        return MetricWindows.Resolve(merged, from).Select(scope).Select(ToView).ToList();
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetGaugesAsync(string? regionId)
    {
        var regions = await RegionsAsync(regionId);
        var keys = (from region in regions from shard in Enumerable.Range(0, options.Value.Shards) select MetricKeys.Gauge(region, shard)).ToList();
        var read = await ReadAsync(keys);
        return regions.ToDictionary(
            r => r,
            r => DayCounters.Sum(default, keys.Where(k => MetricKeys.RegionOf(k) == r).Select(k => read[k])).Counters,
            StringComparer.Ordinal);
    }

    public Task<IReadOnlyList<string>> GetRegionsAsync() => GrainFactory.GetGrain<IProgrammeRegionsGrain>(0).GetAsync();

    private async Task<IReadOnlyList<string>> RegionsAsync(string? regionId) =>
        regionId is null ? await GetRegionsAsync() : [regionId];

    /// <summary>The stored sums of <paramref name="keys"/>, one range read per region (its keys sort together); empty sums for an aggregator that never wrote.</summary>
    private async Task<Dictionary<string, DayCounters>> ReadSumsAsync(IReadOnlyList<string> keys, IReadOnlyList<string> regions)
    {
        var result = new Dictionary<string, DayCounters>(StringComparer.Ordinal);
        var byRegion = keys.GroupBy(MetricKeys.RegionOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var region in regions)
        {
            if (!byRegion.TryGetValue(region, out var regionKeys))
            {
                continue;
            }

            var sums = await store.ReadSumsAsync(regionKeys);
            foreach (var key in regionKeys)
            {
                result[key] = sums.TryGetValue(key, out var sum) ? sum : new DayCounters();
            }
        }

        return result;
    }

    private async Task<Dictionary<string, DayCounters>> ReadAsync(IReadOnlyList<string> keys)
    {
        var result = new Dictionary<string, DayCounters>(StringComparer.Ordinal);
        foreach (var chunk in keys.Chunk(MaxParallelReads))
        {
            var values = await Task.WhenAll(chunk.Select(k => GrainFactory.GetGrain<IMetricAggregatorGrain>(k).GetAsync()));
            for (var i = 0; i < chunk.Length; i++)
            {
                result[chunk[i]] = values[i];
            }
        }

        return result;
    }

    private static CounterDay ToView(DayCounters c) => new() { Day = c.Day, Counters = c.Counters, Revenue = c.Revenue };
}
