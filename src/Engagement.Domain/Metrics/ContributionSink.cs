using System.Runtime.InteropServices;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Collects one outcome's metric deltas per target (region × local day for counters, region for gauges) and builds one
/// contribution per target with a deterministic id (<see cref="MemberMetrics"/>, CONTRACT.md §5).
/// </summary>
/// <remarks>
/// The working targets and their counter maps are per-thread scratch reused from one outcome to the next (cleared, not
/// reallocated), so an outcome allocates only what it hands out: the contributions, their ids and counter maps sized to
/// what they hold (one array of pairs each, <see cref="CounterMap"/>). A sink built while another is still open on the same thread gets scratch of its own.
/// </remarks>
internal sealed class ContributionSink
{
    /// <summary>The counters of a target whose deltas all cancelled out: one shared map, read-only, not one per such target.</summary>
    private static readonly CounterMap NoCounters = new([]);

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly string _memberId;

    private readonly string _effectId;

    /// <summary>The outcome's day (<see cref="MemberTransition.Day"/>): the day every gauge contribution carries.</summary>
    private readonly DateOnly _day;

    private readonly MetricsOptions _options;

    private Scratch? _scratch;

    /// <summary>A sink for <paramref name="t"/>'s contributions (it keeps the member, the outcome id and the day, not the transition).</summary>
    public ContributionSink(in MemberTransition t, MetricsOptions options)
    {
        (_memberId, _effectId, _day) = (t.MemberId, t.EffectId, t.Day);
        _options = options;
        _scratch = t_scratch ?? new Scratch();
        t_scratch = null;
        _scratch.Reset();
    }

    /// <summary>
    /// What this thread's idle scratch holds (its working targets, their list's capacity, the sort buffer's length), or
    /// zeros when it has none: after <see cref="Build"/> no more than <see cref="Scratch.KeptTargets"/> targets and a
    /// buffer of <see cref="Scratch.KeptEntries"/> (for tests).
    /// </summary>
    internal static (int Targets, int Capacity, int Entries) IdleScratch =>
        t_scratch is { } s ? (s.Targets.Count, s.Targets.Capacity, s.Entries.Length) : (0, 0, 0);

    private Scratch Work => _scratch ?? throw new InvalidOperationException("The contributions were built already.");

    public void Add(string region, DateOnly day, string counter, long delta) => Put(false, region, day, counter, delta);

    public void AddGauge(string region, DateOnly day, string counter, long delta) => Put(true, region, day, counter, delta);

    /// <summary>
    /// Window counter <paramref name="counter"/> on the <paramref name="newlyCovered"/>.Length days from <paramref name="day"/>:
    /// one entry (<see cref="MetricWindows"/>) of <paramref name="delta"/> per run of days it newly covers (where
    /// <paramref name="newlyCovered"/> is true, offset 0 being <paramref name="day"/>), all on <paramref name="day"/>'s aggregator.
    /// </summary>
    public void AddWindows(string region, DateOnly day, string counter, ReadOnlySpan<bool> newlyCovered, long delta = 1)
    {
        var start = -1;
        for (var i = 0; i < newlyCovered.Length; i++)
        {
            if (newlyCovered[i] && start < 0)
            {
                start = i;
            }
            else if (!newlyCovered[i] && start >= 0)
            {
                Put(false, region, day, MetricWindows.CachedEntry(counter, start, i - 1), delta);
                start = -1;
            }
        }

        if (start >= 0)
        {
            Put(false, region, day, MetricWindows.CachedEntry(counter, start, newlyCovered.Length - 1), delta);
        }
    }

    public void AddRevenue(string region, DateOnly day, decimal revenue)
    {
        if (revenue != 0)
        {
            TargetOf(false, region, day).Revenue += revenue;
        }
    }

    /// <summary>
    /// One contribution per target with a non-zero delta, ordered by gauge, region and day; each contribution's counters
    /// are a <see cref="CounterMap"/> in ordinal name order (no zero entries), so the outbox's JSON is the same for the
    /// same outcome and serializing it allocates no enumerator. Ends the sink: its scratch goes back to the thread.
    /// An outcome that contributes nothing gets the shared empty list (no list is made for it).
    /// </summary>
    public IReadOnlyList<MetricContribution> Build(long sequence)
    {
        var work = Work;
        var shard = _options.ShardOf(_memberId);
        var targets = work.Targets;
        CollectionsMarshal.AsSpan(targets)[..work.Used].Sort(TargetOrder.Comparison);
        List<MetricContribution>? list = null;
        for (var i = 0; i < work.Used; i++)
        {
            var target = targets[i];
            var counters = NonZeroInOrder(target.Counters, work);
            if (counters.Count == 0 && target.Revenue == 0)
            {
                continue;
            }

            var id = MetricContribution.IdOf(_memberId, _effectId, target.Gauge, target.Region, target.Day);
            (list ??= new List<MetricContribution>(work.Used - i)).Add(new MetricContribution
            {
                Id = id,
                MemberId = _memberId,
                Sequence = sequence,
                RegionId = target.Region,
                Day = target.Day,
                Shard = shard,
                IsGauge = target.Gauge,
                Counters = counters,
                Revenue = target.Revenue,
            });
        }

        _scratch = null;
        work.Reset();
        t_scratch = work;
        return list is null ? Array.Empty<MetricContribution>() : list;
    }

    private static CounterMap NonZeroInOrder(Dictionary<string, long> counters, Scratch work)
    {
        if (work.Entries.Length < counters.Count)
        {
            work.Entries = new KeyValuePair<string, long>[Math.Max(counters.Count, work.Entries.Length * 2)];
        }

        var entries = work.Entries;
        var n = 0;
        foreach (var entry in counters)
        {
            if (entry.Value != 0)
            {
                entries[n++] = entry;
            }
        }

        if (n == 0)
        {
            return NoCounters;
        }

        entries.AsSpan(0, n).Sort(CounterNameOrder.Comparison);
        var ordered = entries.AsSpan(0, n).ToArray();
        Array.Clear(entries, 0, n);
        return new CounterMap(ordered);
    }

    private void Put(bool gauge, string region, DateOnly day, string counter, long delta)
    {
        if (delta == 0)
        {
            return;
        }

        var counters = TargetOf(gauge, region, day).Counters;
        counters[counter] = counters.GetValueOrDefault(counter) + delta;
    }

    private Target TargetOf(bool gauge, string region, DateOnly day)
    {
        // Gauges are not per day: one gauge contribution per region, whatever the day. An outcome has a handful of
        // targets (its region's day, perhaps the region it left, and their gauges), so they are searched in order.
        var key = gauge ? _day : day;
        var work = Work;
        for (var i = 0; i < work.Used; i++)
        {
            var target = work.Targets[i];
            if (target.Gauge == gauge && target.Day == key && string.Equals(target.Region, region, StringComparison.Ordinal))
            {
                return target;
            }
        }

        if (work.Used == work.Targets.Count)
        {
            work.Targets.Add(new Target());
        }

        var added = work.Targets[work.Used++];
        added.Open(gauge, region, key);
        return added;
    }

    /// <summary>One thread's working targets: the first <see cref="Used"/> of <see cref="Targets"/> are this outcome's.</summary>
    private sealed class Scratch
    {
        /// <summary>Working targets kept between outcomes; an outcome with more (points expiring on many days) makes its extra ones anew.</summary>
        public const int KeptTargets = 8;

        /// <summary>Length of the counter sort buffer kept between outcomes.</summary>
        public const int KeptEntries = 32;

        public List<Target> Targets { get; } = new(4);

        public int Used { get; set; }

        public KeyValuePair<string, long>[] Entries { get; set; } = new KeyValuePair<string, long>[KeptEntries];

        /// <summary>
        /// Forgets the last outcome's targets (their maps keep their capacity; a map grown unusually large is dropped), and
        /// cuts back targets and sort buffer grown past <see cref="KeptTargets"/> and <see cref="KeptEntries"/> by one
        /// unusual outcome, so a thread does not hold them for the silo's life.
        /// </summary>
        public void Reset()
        {
            for (var i = 0; i < Used; i++)
            {
                Targets[i].Close();
            }

            Used = 0;
            if (Targets.Count > KeptTargets)
            {
                Targets.RemoveRange(KeptTargets, Targets.Count - KeptTargets);
            }

            if (Targets.Capacity > KeptTargets)
            {
                Targets.Capacity = KeptTargets;
            }

            if (Entries.Length > KeptEntries)
            {
                Entries = new KeyValuePair<string, long>[KeptEntries];
            }
        }
    }

    private sealed class Target
    {
        private const int MaxKeptCapacity = 256;

        public bool Gauge { get; private set; }

        public string Region { get; private set; } = "";

        public DateOnly Day { get; private set; }

        public Dictionary<string, long> Counters { get; private set; } = new(StringComparer.Ordinal);

        public decimal Revenue { get; set; }

        public void Open(bool gauge, string region, DateOnly day)
        {
            Gauge = gauge;
            Region = region;
            Day = day;
            Revenue = 0;
        }

        public void Close()
        {
            if (Counters.Count > MaxKeptCapacity)
            {
                Counters = new Dictionary<string, long>(StringComparer.Ordinal);
            }
            else
            {
                Counters.Clear();
            }

            Region = "";
        }
    }

    private sealed class TargetOrder : IComparer<Target>
    {
        public static TargetOrder Instance { get; } = new();

        /// <summary>The order as a delegate made once: sorting through an <see cref="IComparer{T}"/> makes one per sort.</summary>
        public static Comparison<Target> Comparison { get; } = Instance.Compare;

        public int Compare(Target? a, Target? b) => a!.Gauge != b!.Gauge ? a.Gauge.CompareTo(b.Gauge)
            : string.CompareOrdinal(a.Region, b.Region) is var byRegion and not 0 ? byRegion
            : a.Day.CompareTo(b.Day);
    }

    private sealed class CounterNameOrder : IComparer<KeyValuePair<string, long>>
    {
        public static CounterNameOrder Instance { get; } = new();

        /// <summary>The order as a delegate made once: sorting through an <see cref="IComparer{T}"/> makes one per sort.</summary>
        public static Comparison<KeyValuePair<string, long>> Comparison { get; } = Instance.Compare;

        public int Compare(KeyValuePair<string, long> x, KeyValuePair<string, long> y) => string.CompareOrdinal(x.Key, y.Key);
    }
}
