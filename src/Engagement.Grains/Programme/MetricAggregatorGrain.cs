using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Holds one aggregator's sums and recent ids (<see cref="AggregatorShard"/>). Reentrant with group commit: calls that
/// arrive while a write is in flight wait together and are applied and written in the next single write, so a hot
/// region-day costs one state write per batch, not per event. Reads and callers see only what a successful write
/// stored; after a failed write the grain deactivates and reloads what storage holds (memory never ahead of storage).
/// </summary>
[Reentrant]
public sealed partial class MetricAggregatorGrain(
    [PersistentState("metrics", GrainStorageNames.State)] IPersistentState<AggregatorShard> state,
    IOptions<MetricsOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<MetricAggregatorGrain> logger)
    : Grain, IMetricAggregatorGrain
{
    private readonly List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> _waiting = [];
    private Task? _committing;
    private bool _regionRecorded;

    // What storage holds (loaded at activation, then each successful write); reads answer from it, never from a write in flight.
    private AggregatorShard _stored = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = state.State;
        return Task.CompletedTask;
    }

    public async Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
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

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Add((contributions, done));
        // One commit loop at a time; it may have finished synchronously (all repeats), so a completed one is replaced.
        if (_committing is null || _committing.IsCompleted)
        {
            _committing = CommitAsync();
        }

        await done.Task;
    }

    public Task<DayCounters> GetAsync() =>
        Task.FromResult(new DayCounters { Counters = _stored.Counters, Revenue = _stored.Revenue });

    private async Task CommitAsync()
    {
        while (_waiting.Count > 0)
        {
            var batch = _waiting.ToList();
            _waiting.Clear();
            var before = state.State;
            var (next, applied) = AggregatorShard.Apply(before, batch.SelectMany(b => b.Contributions), time.GetUtcNow(), options.Value.DedupeDays);
            if (applied == 0 && next.Applied.Count == before.Applied.Count)
            {
                batch.ForEach(b => b.Done.SetResult());
                continue;
            }

            if (!await WriteAsync(next, before, batch))
            {
                return;
            }

            batch.ForEach(b => b.Done.SetResult());
        }
    }

    private async Task<bool> WriteAsync(AggregatorShard next, AggregatorShard before, List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> batch)
    {
        state.State = next;
        try
        {
            await state.WriteStateAsync();
            _stored = next;
            return true;
        }
        catch (Exception ex)
        {
            state.State = before;
            LogWriteFailed(ex, this.GetPrimaryKeyString());
            foreach (var waiter in batch.Concat(_waiting))
            {
                waiter.Done.TrySetException(ex);
            }

            _waiting.Clear();
            DeactivateOnIdle();
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aggregator {Key} could not write its sums; callers re-emit")]
    private partial void LogWriteFailed(Exception exception, string key);
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

        await state.WriteOrRestoreAsync([.. state.State.Append(regionId).Order(StringComparer.Ordinal)], state.State, DeactivateOnIdle);
    }

    public Task<IReadOnlyList<string>> GetAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State]);
}
