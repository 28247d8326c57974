using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Holds one aggregator's sums and dedupe marks as <see cref="AggregatorRows.Count"/> rows (<see cref="AggregatorRows"/>)
/// in <see cref="IAggregatorRowStore"/>. Reentrant with group commit: calls that arrive while a write is in flight wait
/// together and are applied and written in the next single write, which carries only the rows their members touch, so
/// a hot region-day costs one small write per batch however many members it has seen. Reads and callers see only what a
/// successful write stored; after a failed write the grain deactivates and reloads what storage holds (memory never
/// ahead of storage). Sums written by the earlier single-state form (grain state <c>metrics</c>) are moved into rows at
/// the first activation.
/// </summary>
[Reentrant]
public sealed partial class MetricAggregatorGrain(
    [PersistentState("metrics", GrainStorageNames.State)] IPersistentState<AggregatorShard> legacy,
    IAggregatorRowStore store,
    IOptions<MetricsOptions> options,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<MetricAggregatorGrain> logger)
    : Grain, IMetricAggregatorGrain
{
    private readonly List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> _waiting = [];
    private Task? _committing;
    private bool _regionRecorded;

    // What storage holds (loaded at activation, then each successful write): row → state, and row → ETag.
    private readonly Dictionary<int, AggregatorShard> _states = [];
    private readonly Dictionary<int, string> _etags = [];

    // Row → the state a successful write replaced, when this grain made it (AggregatorRows.Apply) and it has at most
    // SpareMarksMax marks: the row's next commit refills its dictionaries instead of copying the row into new ones
    // (AggregatorShard.Apply's spare). _made: the rows whose state in _states came from Apply (a loaded or migrated
    // state may share its dictionaries, so it never becomes a spare).
    private readonly Dictionary<int, AggregatorShard> _spares = [];
    private readonly HashSet<int> _made = [];

    // The fields of the last contribution checked against the key (see ApplyAsync).
    private string? _checkedRegion;
    private DateOnly _checkedDay;
    private int _checkedShard;
    private bool _checkedGauge;
    private DayCounters? _sum;

    // The most member marks a row's spare may have: a spare keeps a second copy of its row resident for as long as the
    // grain is active, so a row of a large gauge shard is copied per commit as before. A Dictionary<ulong, MemberMark>
    // slot is a 32-byte entry and a 4-byte bucket (36 bytes); a dictionary refilled up to 1,024 marks has 1,103 slots
    // (the prime at or above its capacity), so the spares' marks take at most about 64 × 1,103 × 36 ≈ 2.5 MB per
    // aggregator, plus their counters (28 bytes a slot, one per counter name the row has seen; the names are shared, not copied).
    private const int SpareMarksMax = 1024;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var stored = await store.ReadAsync(key, cancellationToken);
        if (stored.Count == 0 && legacy.RecordExists)
        {
            // Move the single-state form into rows (the write fails on a conflict: then another activation did it).
            var rows = AggregatorRows.Split(legacy.State).Select(kv => new AggregatorRow(kv.Key, kv.Value, null)).ToList();
            var etags = await store.WriteAsync(key, rows, AggregatorRows.Sum(rows.Select(r => r.State)), cancellationToken);
            stored = [.. rows.Select(r => r with { ETag = etags[r.Row] })];
            LogMigrated(key, legacy.State.Members.Count);
        }

        if (legacy.RecordExists)
        {
            await legacy.ClearStateAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        foreach (var row in stored)
        {
            _states[row.Row] = row.State.WithoutExpired(now, options.Value.DedupeDays);
            _etags[row.Row] = row.ETag!;
        }
    }

    public async Task ApplyAsync(Immutable<IReadOnlyList<MetricContribution>> contributions)
    {
        var list = contributions.Value ?? throw new ArgumentNullException(nameof(contributions));
        var key = this.GetPrimaryKeyString();
        foreach (var c in list)
        {
            // Cheap while the fields repeat (they do: one aggregator's contributions share region, day and shard).
            if (!string.Equals(c.RegionId, _checkedRegion, StringComparison.Ordinal) || c.Day != _checkedDay || c.Shard != _checkedShard || c.IsGauge != _checkedGauge)
            {
                if (MetricKeys.Of(c) != key)
                {
                    throw new ArgumentException($"every contribution must belong to aggregator '{key}'", nameof(contributions));
                }

                (_checkedRegion, _checkedDay, _checkedShard, _checkedGauge) = (c.RegionId, c.Day, c.Shard, c.IsGauge);
            }
        }

        if (!_regionRecorded)
        {
            await GrainFactory.GetGrain<IProgrammeRegionsGrain>(0).AddAsync(MetricKeys.RegionOf(key));
            _regionRecorded = true;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Add((list, done));
        // One commit loop at a time; it may have finished synchronously (all repeats), so a completed one is replaced.
        if (_committing is null || _committing.IsCompleted)
        {
            _committing = CommitAsync();
        }

        await done.Task;
    }

    public Task<DayCounters> GetAsync() =>
        Task.FromResult(_sum ??= AggregatorRows.Sum(_states.Values));

    private async Task CommitAsync()
    {
        while (_waiting.Count > 0)
        {
            var batch = _waiting.ToList();
            _waiting.Clear();
            var (changed, _) = AggregatorRows.Apply(_states, batch.SelectMany(b => b.Contributions), time.GetUtcNow(), options.Value.DedupeDays, _spares);
            if (changed.Count > 0 && !await WriteAsync(changed, batch))
            {
                return;
            }

            batch.ForEach(b => b.Done.SetResult());
        }
    }

    private async Task<bool> WriteAsync(IReadOnlyDictionary<int, AggregatorShard> changed, List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> batch)
    {
        var rows = changed.Select(kv => new AggregatorRow(kv.Key, kv.Value, _etags.GetValueOrDefault(kv.Key))).ToList();
        try
        {
            // The sums over every row once these are written go in the same write, for readers of many days at once.
            var total = AggregatorRows.Sum(_states.Where(kv => !changed.ContainsKey(kv.Key)).Select(kv => kv.Value).Concat(changed.Values));
            var etags = await store.WriteAsync(this.GetPrimaryKeyString(), rows, total);
            foreach (var row in rows)
            {
                _etags[row.Row] = etags[row.Row];
                if (_made.Contains(row.Row) && _states.TryGetValue(row.Row, out var replaced) && replaced.Members.Count <= SpareMarksMax)
                {
                    _spares[row.Row] = replaced;
                }
                else
                {
                    _spares.Remove(row.Row);
                }

                _states[row.Row] = row.State;
                _made.Add(row.Row);
            }

            _sum = total;
            return true;
        }
        catch (Exception ex)
        {
            if (ex is ArgumentException)
            {
                // A row past what storage holds (member marks are never forgotten): refused, so counted late, never twice.
                LogRowTooLarge(ex, this.GetPrimaryKeyString());
            }
            else
            {
                LogWriteFailed(ex, this.GetPrimaryKeyString());
            }

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Aggregator {Key} has a row larger than storage holds (member marks past its bound); its members' contributions stay in their outboxes, uncounted")]
    private partial void LogRowTooLarge(Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Aggregator {Key}: single-state sums and {Marks} member marks moved into rows")]
    private partial void LogMigrated(string key, int marks);
}

/// <summary>The region registry (see <see cref="IProgrammeRegionsGrain"/>).</summary>
public sealed partial class ProgrammeRegionsGrain(
    [PersistentState("regions", GrainStorageNames.State)] IPersistentState<List<string>> state,
    ILogger<ProgrammeRegionsGrain> logger)
    : Grain, IProgrammeRegionsGrain
{
    /// <summary>Regions kept at most (a region is a grain-key part; producers send a handful); later ones count under <see cref="MetricsOptions.OtherRegion"/>.</summary>
    public const int MaxRegions = 256;

    public async Task AddAsync(string regionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(regionId);
        if (state.State.Contains(regionId))
        {
            return;
        }

        if (!string.Equals(regionId, MetricsOptions.OtherRegion, StringComparison.Ordinal) && Kept() >= MaxRegions)
        {
            LogRegionOverflow(regionId, MaxRegions, MetricsOptions.OtherRegion);
            return;
        }

        await state.WriteOrRestoreAsync([.. state.State.Append(regionId).Order(StringComparer.Ordinal)], state.State, DeactivateOnIdle);
    }

    public async Task<string> ResolveAsync(string regionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(regionId);
        if (state.State.Contains(regionId))
        {
            return regionId;
        }

        var resolved = Kept() < MaxRegions ? regionId : MetricsOptions.OtherRegion;
        if (resolved != regionId)
        {
            LogRegionOverflow(regionId, MaxRegions, MetricsOptions.OtherRegion);
        }

        await AddAsync(resolved);
        return resolved;
    }

    public Task<IReadOnlyList<string>> GetAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State]);

    private int Kept() => state.State.Count(r => !string.Equals(r, MetricsOptions.OtherRegion, StringComparison.Ordinal));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Region {RegionId} is past the {MaxRegions} regions kept: its members count under region {OtherRegion}")]
    private partial void LogRegionOverflow(string regionId, int maxRegions, string otherRegion);
}
