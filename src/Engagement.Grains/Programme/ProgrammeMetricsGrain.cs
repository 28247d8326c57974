using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Merges the sharded aggregators on read (see <see cref="IProgrammeMetricsGrain"/>): at most
/// <see cref="MaxParallelReads"/> aggregator reads in flight per request.
/// </summary>
[StatelessWorker]
public sealed class ProgrammeMetricsGrain(IOptions<MetricsOptions> options) : Grain, IProgrammeMetricsGrain
{
    /// <summary>Aggregator reads in flight per request.</summary>
    public const int MaxParallelReads = 64;

    /// <summary>Days one read may span (the 400 days kept, plus the 90-day rate window before the oldest).</summary>
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
        var read = await ReadAsync(keys.Select(k => k.Item2).ToList());
        var byDay = keys.GroupBy(k => k.day).ToDictionary(g => g.Key, g => g.Select(k => read[k.Item2]).ToList());
        var merged = days.Select(day => DayCounters.Sum(day, byDay.GetValueOrDefault(day) ?? [])).ToList();
        return MetricWindows.Resolve(merged, from).Select(ToView).ToList();
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
