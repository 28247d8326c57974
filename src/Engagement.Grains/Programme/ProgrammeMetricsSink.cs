using System.Collections.Concurrent;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Engagement.Grains.Programme;

/// <summary>
/// Where a member's metric contributions go (the seam the member outbox calls; see WIRING in the metrics branch
/// report): groups them by aggregator and applies each group, in parallel. At-least-once is enough: the aggregators
/// apply each contribution once, so an outbox that re-emits after a crash changes nothing.
/// </summary>
public interface IProgrammeMetricsSink
{
    /// <summary>
    /// Applies <paramref name="contributions"/>; returns once every aggregator has them durably (throws otherwise: re-emit
    /// later). The sink may read the list until the returned task completes: do not change it before.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<MetricContribution> contributions);
}

/// <summary>
/// The sink on the aggregator grains, batching per aggregator on the caller's side: contributions for an aggregator are
/// collected for <see cref="MetricsOptions.SendLingerMilliseconds"/> (real time, not the engine clock: it is a batching
/// window) and while a call to it is in flight, then go in one call (one message and one commit for many members'
/// contributions, not one each). Each caller returns only once the call that carried its contributions returned, i.e.
/// once they are durable; a failed call fails every caller it carried (their outboxes re-emit).
/// </summary>
public sealed class GrainProgrammeMetricsSink(IGrainFactory grains, IOptions<MetricsOptions>? options = null) : IProgrammeMetricsSink
{
    private readonly TimeSpan _linger = TimeSpan.FromMilliseconds(options?.Value.SendLingerMilliseconds ?? 0);

    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    // Region → the region it counts under (itself, or the overflow bucket); the registry's answer never changes.
    private readonly ConcurrentDictionary<string, string> _regions = new(StringComparer.Ordinal);

    /// <summary>Regions whose answer is remembered at most (a bound on memory against garbage region ids).</summary>
    private const int MaxRegionsRemembered = 4_096;

    public async Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        if (contributions.Count == 0)
        {
            return;
        }

        var routed = UnderTheirOwnRegions(contributions) ? contributions : await RouteAsync(contributions);
        await ToAggregators(routed);
    }

    /// <summary>
    /// True when every contribution's region is remembered as counting under itself: the usual case, every region after
    /// its first contribution, taken without a lookup map (this runs on every member's emit).
    /// </summary>
    private bool UnderTheirOwnRegions(IReadOnlyList<MetricContribution> contributions)
    {
        for (var i = 0; i < contributions.Count; i++)
        {
            var region = contributions[i].RegionId;
            if (!_regions.TryGetValue(region, out var resolved) || !string.Equals(resolved, region, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Each contribution under the region it counts under, asking the registry for regions not remembered.</summary>
    private async Task<IReadOnlyList<MetricContribution>> RouteAsync(IReadOnlyList<MetricContribution> contributions)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var region in contributions.Select(c => c.RegionId).Distinct(StringComparer.Ordinal))
        {
            if (!_regions.TryGetValue(region, out var resolved))
            {
                resolved = await grains.GetGrain<IProgrammeRegionsGrain>(0).ResolveAsync(region);
                if (_regions.Count < MaxRegionsRemembered)
                {
                    _regions[region] = resolved;
                }
            }

            map[region] = resolved;
        }

        return map.All(kv => kv.Key == kv.Value) ? contributions : OverflowBucket.Move(contributions, map);
    }

    /// <summary>
    /// Queues each aggregator's share of <paramref name="routed"/> (grouped by <see cref="MetricKeys.Of"/>, in order of
    /// first appearance, each in its order). One aggregator's contributions (a member's day or gauge alone) go as they
    /// are; otherwise a key is made per group, not per contribution: a contribution joins the group whose first has its
    /// region, day, shard and kind, and only one that matches none has its key compared.
    /// </summary>
    private Task ToAggregators(IReadOnlyList<MetricContribution> routed)
    {
        var first = routed[0];
        var one = true;
        for (var i = 1; one && i < routed.Count; i++)
        {
            one = SameAggregator(first, routed[i]);
        }

        if (one)
        {
            return Enqueue(MetricKeys.Of(first), routed);
        }

        var groups = new List<(string Key, MetricContribution First, List<MetricContribution> Contributions)>();
        foreach (var c in routed)
        {
            var at = 0;
            while (at < groups.Count && !SameAggregator(groups[at].First, c))
            {
                at++;
            }

            if (at == groups.Count)
            {
                var key = MetricKeys.Of(c);
                at = 0;
                while (at < groups.Count && !string.Equals(groups[at].Key, key, StringComparison.Ordinal))
                {
                    at++;
                }

                if (at == groups.Count)
                {
                    groups.Add((key, c, []));
                }
            }

            groups[at].Contributions.Add(c);
        }

        var sends = new Task[groups.Count];
        for (var i = 0; i < sends.Length; i++)
        {
            sends[i] = Enqueue(groups[i].Key, groups[i].Contributions);
        }

        return Task.WhenAll(sends);
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> have the same region, kind, shard and (a day's) day, so the same <see cref="MetricKeys.Of"/>.</summary>
    private static bool SameAggregator(MetricContribution a, MetricContribution b) =>
        a.IsGauge == b.IsGauge && a.Shard == b.Shard && (a.IsGauge || a.Day == b.Day) && string.Equals(a.RegionId, b.RegionId, StringComparison.Ordinal);

    /// <summary>Queues <paramref name="contributions"/> (kept, not copied: read until the returned task completes) for aggregator <paramref name="key"/>.</summary>
    private Task Enqueue(string key, IReadOnlyList<MetricContribution> contributions)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = _pending.GetOrAdd(key, static _ => new Pending());
        bool start;
        lock (pending)
        {
            pending.Waiting.Add((contributions, done));
            start = !pending.Sending;
            pending.Sending = true;
        }

        if (start)
        {
            // Off the calling grain's scheduler: the loop carries other members' contributions too.
            _ = Task.Run(() => SendAsync(key, pending));
        }

        return done.Task;
    }

    private async Task SendAsync(string key, Pending pending)
    {
        while (true)
        {
            if (_linger > TimeSpan.Zero)
            {
                await Task.Delay(_linger, TimeProvider.System);
            }

            List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> batch;
            lock (pending)
            {
                if (pending.Waiting.Count == 0)
                {
                    pending.Sending = false;
                    // Idle: forget the key (a caller still holding this entry starts its own loop on it).
                    _pending.TryRemove(KeyValuePair.Create(key, pending));
                    return;
                }

                batch = [.. pending.Waiting];
                pending.Waiting.Clear();
            }

            try
            {
                await grains.GetGrain<IMetricAggregatorGrain>(key).ApplyAsync(new Immutable<IReadOnlyList<MetricContribution>>([.. batch.SelectMany(b => b.Contributions)]));
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }
        }
    }

    /// <summary>One aggregator's contributions waiting for the next call, and whether a send loop runs.</summary>
    private sealed class Pending
    {
        public List<(IReadOnlyList<MetricContribution> Contributions, TaskCompletionSource Done)> Waiting { get; } = [];

        public bool Sending { get; set; }
    }
}

/// <summary>Moves contributions of regions past the registry's bound to <see cref="MetricsOptions.OtherRegion"/>.</summary>
internal static class OverflowBucket
{
    /// <summary>
    /// Each contribution under its resolved region. A member's contributions of one outcome that now meet in one
    /// aggregator (a move between two overflowed regions) are summed into one: the aggregator applies one contribution
    /// per member sequence.
    /// </summary>
    public static List<MetricContribution> Move(IReadOnlyList<MetricContribution> contributions, IReadOnlyDictionary<string, string> regions)
    {
        var result = new List<MetricContribution>(contributions.Count);
        var seen = new Dictionary<(string Key, string Member, long Sequence), int>();
        foreach (var c in contributions)
        {
            var region = regions[c.RegionId];
            var moved = string.Equals(region, c.RegionId, StringComparison.Ordinal) ? c : c with { RegionId = region };
            if (moved.Sequence > 0 && moved.MemberId is { } member)
            {
                var key = (MetricKeys.Of(moved), member, moved.Sequence);
                if (seen.TryGetValue(key, out var at))
                {
                    result[at] = Sum(result[at], moved);
                    continue;
                }

                seen[key] = result.Count;
            }

            result.Add(moved);
        }

        return result;
    }

    private static MetricContribution Sum(MetricContribution a, MetricContribution b)
    {
        var counters = new Dictionary<string, long>(a.Counters, StringComparer.Ordinal);
        foreach (var (name, delta) in b.Counters)
        {
            counters[name] = counters.GetValueOrDefault(name) + delta;
        }

        foreach (var name in counters.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList())
        {
            counters.Remove(name);
        }

        return a with { Counters = counters, Revenue = a.Revenue + b.Revenue };
    }
}
