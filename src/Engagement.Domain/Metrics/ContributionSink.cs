namespace Engagement.Domain.Metrics;

/// <summary>
/// Collects one outcome's metric deltas per target (region × local day for counters, region for gauges) and builds one
/// contribution per target with a deterministic id (<see cref="MemberMetrics"/>, CONTRACT.md §5).
/// </summary>
internal sealed class ContributionSink(MemberTransition t, MetricsOptions options)
{
    // An outcome has a handful of targets (its region's day, perhaps the region it left, and their gauges), so a list
    // searched in order beats a sorted map; Build orders them (gauge, region, day, all ordinal) for a stable outbox.
    private readonly List<Target> _targets = new(4);

    public void Add(string region, DateOnly day, string counter, long delta) => Put(false, region, day, counter, delta);

    public void AddGauge(string region, DateOnly day, string counter, long delta) => Put(true, region, day, counter, delta);

    /// <summary>
    /// Window counter <paramref name="counter"/> on the <paramref name="width"/> days from <paramref name="day"/>:
    /// one entry (<see cref="MetricWindows"/>) of <paramref name="delta"/> per run of days it newly covers, all on
    /// <paramref name="day"/>'s aggregator.
    /// </summary>
    public void AddWindows(string region, DateOnly day, string counter, int width, Func<DateOnly, bool> newlyCovered, long delta = 1)
    {
        foreach (var (from, to) in MetricWindows.Runs(day, width, newlyCovered))
        {
            Put(false, region, day, MetricWindows.Entry(counter, from, to), delta);
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
    /// are a plain dictionary filled in ordinal name order (no zero entries), so the outbox's JSON is the same for the
    /// same outcome and serializing it allocates no sorted-tree enumerator.
    /// </summary>
    public List<MetricContribution> Build(long sequence)
    {
        var shard = options.ShardOf(t.MemberId);
        _targets.Sort(static (a, b) => a.Gauge != b.Gauge ? a.Gauge.CompareTo(b.Gauge)
            : string.CompareOrdinal(a.Region, b.Region) is var byRegion and not 0 ? byRegion
            : a.Day.CompareTo(b.Day));
        var list = new List<MetricContribution>(_targets.Count);
        foreach (var target in _targets)
        {
            var counters = NonZeroInOrder(target.Counters);
            if (counters.Count == 0 && target.Revenue == 0)
            {
                continue;
            }

            var id = MetricContribution.IdOf(t.MemberId, t.EffectId, target.Gauge, target.Region, target.Day);
            list.Add(new MetricContribution
            {
                Id = id,
                MemberId = t.MemberId,
                Sequence = sequence,
                RegionId = target.Region,
                Day = target.Day,
                Shard = shard,
                IsGauge = target.Gauge,
                Counters = counters,
                Revenue = target.Revenue,
            });
        }

        return list;
    }

    private static Dictionary<string, long> NonZeroInOrder(Dictionary<string, long> counters)
    {
        var entries = new KeyValuePair<string, long>[counters.Count];
        var n = 0;
        foreach (var entry in counters)
        {
            if (entry.Value != 0)
            {
                entries[n++] = entry;
            }
        }

        Array.Sort(entries, 0, n, CounterNameOrder.Instance);
        var ordered = new Dictionary<string, long>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            ordered.Add(entries[i].Key, entries[i].Value);
        }

        return ordered;
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
        // Gauges are not per day: one gauge contribution per region, whatever the day.
        var key = gauge ? t.Day : day;
        foreach (var target in _targets)
        {
            if (target.Gauge == gauge && target.Day == key && string.Equals(target.Region, region, StringComparison.Ordinal))
            {
                return target;
            }
        }

        var added = new Target(gauge, region, key);
        _targets.Add(added);
        return added;
    }

    private sealed class Target(bool gauge, string region, DateOnly day)
    {
        public bool Gauge { get; } = gauge;

        public string Region { get; } = region;

        public DateOnly Day { get; } = day;

        public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

        public decimal Revenue { get; set; }
    }

    private sealed class CounterNameOrder : IComparer<KeyValuePair<string, long>>
    {
        public static CounterNameOrder Instance { get; } = new();

        public int Compare(KeyValuePair<string, long> x, KeyValuePair<string, long> y) => string.CompareOrdinal(x.Key, y.Key);
    }
}
