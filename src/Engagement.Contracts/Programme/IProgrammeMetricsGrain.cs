using Orleans.Concurrency;

namespace Engagement.Contracts.Programme;

/// <summary>
/// Reads programme metrics (CONTRACT.md §5) by merging the sharded aggregators on read: every region × local day ×
/// shard for day counters, every region × shard for gauges. Stateless (key 0), so every silo serves reads locally.
/// </summary>
public interface IProgrammeMetricsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Counters of each local day from <paramref name="from"/> to <paramref name="to"/> (inclusive, oldest first) of
    /// <paramref name="regionId"/>, or summed over every region when null; there the distinct counts (dau, wau, mau,
    /// funnel, sharers, purchasers...) count a member active in several regions once, where each region counts it
    /// (CONTRACT.md §5; <c>Engagement.Domain.Metrics.DistinctCounts</c>).
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<CounterDay>> GetDaysAsync(string? regionId, DateOnly from, DateOnly to);

    /// <summary>Live gauges (members, points outstanding, tier, segment, value class, stage, monetary buckets) per region.</summary>
    [ReadOnly]
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> GetGaugesAsync(string? regionId);

    /// <summary>The regions that have contributed, sorted.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetRegionsAsync();
}

/// <summary>One local day's counter sums (names in <c>Engagement.Domain.Metrics.MetricNames</c>) and net revenue in CNY.</summary>
[GenerateSerializer, Immutable, Alias("engagement.counter-day.v1")]
public sealed record CounterDay
{
    [Id(0)] public DateOnly Day { get; init; }

    [Id(1)] public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Net of refunds, CNY.</summary>
    [Id(2)] public decimal Revenue { get; init; }
}
