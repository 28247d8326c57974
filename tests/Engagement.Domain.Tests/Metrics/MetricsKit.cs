using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// Feeds transitions through <see cref="MemberMetrics"/> and sums the contributions per day, like the aggregators and their
/// reader (window entries on each day they cover): <see cref="Day"/> and <see cref="Counters"/> are the whole programme's
/// (distinct counts less their repeats, <see cref="DistinctCounts.Programme"/>), <see cref="RegionDay"/> one region's.
/// </summary>
internal sealed class MetricsKit
{
    public static readonly DateOnly D0 = new(2026, 11, 2);

    private readonly Dictionary<string, MemberMetricState> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<(DateOnly, string), long> _days = [];
    private readonly Dictionary<(string, DateOnly, string), long> _regionDays = [];
    private readonly Dictionary<string, long> _gauges = new(StringComparer.Ordinal);
    private readonly Dictionary<DateOnly, decimal> _revenue = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public MetricsOptions Options { get; } = new();

    public List<MetricContribution> Last { get; private set; } = [];

    public decimal Revenue { get; private set; }

    public static MemberTransition T(string member, string effect, DateOnly day, string? type, bool joined = false, bool first = false, decimal revenue = 0, MemberSegments? before = null, MemberSegments? after = null) => new()
    {
        MemberId = member,
        EffectId = effect,
        Day = day,
        EventType = type,
        Joined = joined,
        FirstPurchase = first,
        Revenue = revenue,
        Before = before ?? (joined ? null : Seg()),
        After = after ?? Seg(),
    };

    public static MemberSegments Seg(string region = "east", string tier = "V1", decimal monetary = 0, long points = 0) =>
        new() { RegionId = region, Tier = tier, RfmSegment = "New", ValueClass = "C", Stage = "active", Monetary = monetary, PointsBalance = points };

    public List<MetricContribution> Apply(MemberTransition t)
    {
        var (state, contributions) = MemberMetrics.Derive(_members.GetValueOrDefault(t.MemberId, MemberMetricState.Empty), t, Options);
        _members[t.MemberId] = state;
        Last = [.. contributions];
        foreach (var c in contributions.Where(c => _ids.Add(c.Id)))
        {
            foreach (var (name, delta) in c.Counters)
            {
                if (c.IsGauge)
                {
                    _gauges[name] = _gauges.GetValueOrDefault(name) + delta;
                }
                else if (MetricWindows.TryParse(name, out var counter, out var from, out var to))
                {
                    // A window entry counts on each day it covers, as the reader sums it.
                    for (var d = c.Day.AddDays(from); d <= c.Day.AddDays(to); d = d.AddDays(1))
                    {
                        _days[(d, counter)] = _days.GetValueOrDefault((d, counter)) + delta;
                        _regionDays[(c.RegionId, d, counter)] = _regionDays.GetValueOrDefault((c.RegionId, d, counter)) + delta;
                    }
                }
                else
                {
                    _days[(c.Day, name)] = _days.GetValueOrDefault((c.Day, name)) + delta;
                    _regionDays[(c.RegionId, c.Day, name)] = _regionDays.GetValueOrDefault((c.RegionId, c.Day, name)) + delta;
                }
            }

            Revenue += c.Revenue;
            if (!c.IsGauge && c.Revenue != 0)
            {
                _revenue[c.Day] = _revenue.GetValueOrDefault(c.Day) + c.Revenue;
            }
        }

        return Last;
    }

    /// <summary>The member's state now.</summary>
    public MemberMetricState State(string member) => _members.GetValueOrDefault(member, MemberMetricState.Empty);

    /// <summary>Puts a member's state as stored (e.g. in an older shape).</summary>
    public void Store(string member, MemberMetricState state) => _members[member] = state;

    /// <summary>The whole programme's counter of <paramref name="day"/>: summed over the regions, distinct counts less their repeats.</summary>
    public long Day(DateOnly day, string name) => Counters(day)[name];

    /// <summary>One region's counter of <paramref name="day"/>, as its reader shows it.</summary>
    public long RegionDay(string region, DateOnly day, string name) => _regionDays.GetValueOrDefault((region, day, name));

    public long Gauge(string name) => _gauges.GetValueOrDefault(name);

    public DayCounters Counters(DateOnly day) => DistinctCounts.Programme(new()
    {
        Day = day,
        Counters = _days.Where(kv => kv.Key.Item1 == day).ToDictionary(kv => kv.Key.Item2, kv => kv.Value, StringComparer.Ordinal),
        Revenue = _revenue.GetValueOrDefault(day),
    });

    /// <summary>The whole programme's days <paramref name="from"/>–<paramref name="to"/>, one per day, oldest first (as the reader gives a range).</summary>
    public IReadOnlyList<DayCounters> Range(DateOnly from, DateOnly to) =>
        [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => Counters(from.AddDays(i)))];

    /// <summary>One region's days <paramref name="from"/>–<paramref name="to"/>, one per day, oldest first (repeats removed, as its reader shows them).</summary>
    public IReadOnlyList<DayCounters> RegionRange(string region, DateOnly from, DateOnly to) =>
        [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => from.AddDays(i)).Select(d => DistinctCounts.Region(new()
        {
            Day = d,
            Counters = _regionDays.Where(kv => kv.Key.Item1 == region && kv.Key.Item2 == d).ToDictionary(kv => kv.Key.Item3, kv => kv.Value, StringComparer.Ordinal),
        }))];

    /// <summary>
    /// The summary of a range of days (<see cref="HealthMetrics.Summary"/>), its members as none joined; the period counts
    /// held from <paramref name="periodCountsSince"/> (default: every day, a fresh install).
    /// </summary>
    public static HealthDay Summary(IReadOnlyList<DayCounters> days, DateOnly? periodCountsSince = null) =>
        HealthMetrics.Summary(days, HealthMetrics.Series(days, 0, 0, DateOnly.MaxValue, null), DateOnly.MaxValue, periodCountsSince ?? DateOnly.MinValue);
}
