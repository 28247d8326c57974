using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Programme;

/// <summary>
/// Holds one aggregator's sums and recent ids (<see cref="AggregatorShard"/>). Calls are serialized (not reentrant),
/// so each apply is one state write; the grain adopts the new sums only after that write succeeded, and deactivates
/// after a failed one so it reloads what storage holds (memory never ahead of storage).
/// </summary>
public sealed partial class MetricAggregatorGrain(
    [PersistentState("metrics", GrainStorageNames.State)] IPersistentState<AggregatorShard> state,
    IOptions<MetricsOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<MetricAggregatorGrain> logger)
    : Grain, IMetricAggregatorGrain
{
    private bool _regionRecorded;

    public async Task<int> ApplyAsync(IReadOnlyList<MetricContribution> contributions)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        var key = this.GetPrimaryKeyString();
        if (contributions.Any(c => MetricKeys.Of(c) != key))
        {
            throw new ArgumentException($"every contribution must belong to aggregator '{key}'", nameof(contributions));
        }

        if (!_regionRecorded)
        {
            await GrainFactory.GetGrain<IProgrammeRegionsGrain>(0).AddAsync(MetricKeys.RegionOf(key));
            _regionRecorded = true;
        }

        var before = state.State;
        var (next, applied) = AggregatorShard.Apply(before, contributions, time.GetUtcNow(), options.Value.DedupeDays);
        if (applied == 0 && next.Applied.Count == before.Applied.Count)
        {
            LogRepeats(key, contributions.Count);
            return 0;
        }

        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            DeactivateOnIdle();
            throw;
        }

        return applied;
    }

    public Task<DayCounters> GetAsync() =>
        Task.FromResult(new DayCounters { Counters = state.State.Counters, Revenue = state.State.Revenue });

    [LoggerMessage(Level = LogLevel.Debug, Message = "Aggregator {Key} ignored {Count} repeated contributions")]
    private partial void LogRepeats(string key, int count);
}

/// <summary>The region registry (see <see cref="IProgrammeRegionsGrain"/>).</summary>
public sealed class ProgrammeRegionsGrain(
    [PersistentState("regions", GrainStorageNames.State)] IPersistentState<List<string>> state)
    : Grain, IProgrammeRegionsGrain
{
    /// <summary>Regions kept at most (a region is a grain-key part; producers send a handful).</summary>
    public const int MaxRegions = 256;

    public async Task AddAsync(string regionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(regionId);
        if (state.State.Contains(regionId) || state.State.Count >= MaxRegions)
        {
            return;
        }

        var before = state.State;
        state.State = [.. before.Append(regionId).Order(StringComparer.Ordinal)];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<IReadOnlyList<string>> GetAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State]);
}
