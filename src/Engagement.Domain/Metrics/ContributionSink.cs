using System.Globalization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// Collects one outcome's metric deltas per target (region × local day for counters, region for gauges) and builds one
/// contribution per target with a deterministic id (<see cref="MemberMetrics"/>, CONTRACT.md §5).
/// </summary>
internal sealed class ContributionSink(MemberTransition t, MetricsOptions options)
{
    private readonly SortedDictionary<(bool Gauge, string Region, DateOnly Day), (SortedDictionary<string, long> Counters, decimal Revenue)> _targets = [];

    public void Add(string region, DateOnly day, string counter, long delta) => Put(false, region, day, counter, delta);

    public void AddGauge(string region, DateOnly day, string counter, long delta) => Put(true, region, day, counter, delta);

    /// <summary>
    /// Window counter <paramref name="counter"/> on the <paramref name="width"/> days from <paramref name="day"/>:
    /// one entry (<see cref="MetricWindows"/>) per run of days it newly covers, all on <paramref name="day"/>'s aggregator.
    /// </summary>
    public void AddWindows(string region, DateOnly day, string counter, int width, Func<DateOnly, bool> newlyCovered)
    {
        foreach (var (from, to) in MetricWindows.Runs(day, width, newlyCovered))
        {
            Put(false, region, day, MetricWindows.Entry(counter, from, to), 1);
        }
    }

    public void AddRevenue(string region, DateOnly day, decimal revenue)
    {
        if (revenue != 0)
        {
            var target = Target(false, region, day);
            _targets[(false, region, day)] = (target.Counters, target.Revenue + revenue);
        }
    }

    public List<MetricContribution> Build(long sequence)
    {
        var shard = options.ShardOf(t.MemberId);
        var list = new List<MetricContribution>();
        foreach (var ((gauge, region, day), (counters, revenue)) in _targets)
        {
            if (counters.ContainsValue(0))
            {
                foreach (var zero in counters.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList())
                {
                    counters.Remove(zero);
                }
            }

            if (counters.Count == 0 && revenue == 0)
            {
                continue;
            }

            var id = string.Create(CultureInfo.InvariantCulture, $"{t.MemberId}|{t.EffectId}|{(gauge ? "g" : "d")}|{region}|{day:yyyyMMdd}");
            list.Add(new MetricContribution
            {
                Id = id,
                MemberId = t.MemberId,
                Sequence = sequence,
                RegionId = region,
                Day = day,
                Shard = shard,
                IsGauge = gauge,
                Counters = counters,
                Revenue = revenue,
            });
        }

        return list;
    }

    private void Put(bool gauge, string region, DateOnly day, string counter, long delta)
    {
        if (delta == 0)
        {
            return;
        }

        var target = Target(gauge, region, day);
        target.Counters[counter] = target.Counters.GetValueOrDefault(counter) + delta;
    }

    private (SortedDictionary<string, long> Counters, decimal Revenue) Target(bool gauge, string region, DateOnly day)
    {
        // Gauges are not per day: one gauge contribution per region, whatever the day.
        var key = (gauge, region, gauge ? t.Day : day);
        if (!_targets.TryGetValue(key, out var target))
        {
            _targets[key] = target = (new SortedDictionary<string, long>(StringComparer.Ordinal), 0m);
        }

        return target;
    }
}
