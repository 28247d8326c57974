using System.Globalization;
using Engagement.Domain.Metrics;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// One sharded aggregator (CONTRACT.md §5): the day counters of one region × local day × shard, or the gauges of one
/// region × shard; keys from <see cref="MetricKeys"/>. Applies each contribution id once and answers only after the
/// sums are durable.
/// </summary>
public interface IMetricAggregatorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies the contributions not applied before (by member sequence, or by id). Durable on return: concurrent calls
    /// are committed together in one write (group commit), and each returns only after the write that holds its
    /// contributions. Passed as <see cref="Immutable{T}"/>: the caller never changes the list or its items after the
    /// call, so Orleans does not deep-copy them (their counters are interface-typed dictionaries, slow to copy).
    /// </summary>
    /// <exception cref="ArgumentException">A contribution belongs to another aggregator (<see cref="MetricKeys.Of"/>).</exception>
    Task ApplyAsync(Immutable<IReadOnlyList<MetricContribution>> contributions);

    /// <summary>The sums (day counters or gauges) as stored.</summary>
    Task<DayCounters> GetAsync();
}

/// <summary>Keys of the aggregator grains.</summary>
public static class MetricKeys
{
    /// <summary><c>d|{region}|{yyyy-MM-dd}|{shard}</c>: day counters.</summary>
    public static string Day(string regionId, DateOnly day, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"d|{regionId}|{day:yyyy-MM-dd}|{shard}");

    /// <summary><c>g|{region}|{shard}</c>: gauges.</summary>
    public static string Gauge(string regionId, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"g|{regionId}|{shard}");

    /// <summary>The key a contribution goes to.</summary>
    public static string Of(MetricContribution contribution)
    {
        ArgumentNullException.ThrowIfNull(contribution);
        return contribution.IsGauge ? Gauge(contribution.RegionId, contribution.Shard) : Day(contribution.RegionId, contribution.Day, contribution.Shard);
    }

    /// <summary>The region of an aggregator key.</summary>
    public static string RegionOf(string key) => key.Split('|')[1];
}

/// <summary>The set of regions that have contributed (key 0), so reads know which shards to merge.</summary>
public interface IProgrammeRegionsGrain : IGrainWithIntegerKey
{
    /// <summary>Records a region (idempotent); at most <see cref="ProgrammeRegionsGrain.MaxRegions"/> are kept, plus <see cref="MetricsOptions.OtherRegion"/>.</summary>
    Task AddAsync(string regionId);

    /// <summary>
    /// The region <paramref name="regionId"/>'s contributions count under: itself (recorded now if there is room), or,
    /// once <see cref="ProgrammeRegionsGrain.MaxRegions"/> other regions are kept, <see cref="MetricsOptions.OtherRegion"/>
    /// (recorded, and a warning logged). The answer for a region never changes.
    /// </summary>
    Task<string> ResolveAsync(string regionId);

    /// <summary>The regions, sorted ordinally.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> GetAsync();
}
