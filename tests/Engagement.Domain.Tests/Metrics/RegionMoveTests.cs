using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// CONTRACT.md §5 <c>members</c> per region and day: a member whose region changes (it shopped in another region's
/// store) counts in its old region up to the day it moved and in its new one from then on, not in the new region on
/// days before it even joined.
/// </summary>
public class RegionMoveTests
{
    private static readonly MetricsOptions Options = new();

    private readonly Dictionary<(string Region, DateOnly Day), Dictionary<string, long>> _days = [];
    private readonly Dictionary<string, long> _members = new(StringComparer.Ordinal);
    private MemberMetricState _state = MemberMetricState.Empty;

    private void Apply(MemberTransition t)
    {
        var (state, contributions) = MemberMetrics.Derive(_state, t, Options);
        _state = state with { Segments = t.After };
        foreach (var c in contributions)
        {
            foreach (var (name, delta) in c.Counters)
            {
                if (c.IsGauge)
                {
                    if (name == GaugeNames.Members)
                    {
                        _members[c.RegionId] = _members.GetValueOrDefault(c.RegionId) + delta;
                    }
                }
                else
                {
                    var day = _days.TryGetValue((c.RegionId, c.Day), out var d) ? d : _days[(c.RegionId, c.Day)] = new(StringComparer.Ordinal);
                    day[name] = day.GetValueOrDefault(name) + delta;
                }
            }
        }
    }

    private IReadOnlyList<HealthDay> Series(string region, DateOnly from, DateOnly to) =>
        HealthMetrics.Series(
            [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => from.AddDays(i))
                .Select(d => new DayCounters { Day = d, Counters = _days.GetValueOrDefault((region, d)) ?? [] })],
            _members.GetValueOrDefault(region),
            0,
            to.AddDays(MemberMetrics.RepurchaseWithinDays + 1),
            region);

    [Fact]
    public void AMemberWhoMovesRegionCountsInItsOldRegionUntilTheMoveAndInTheNewOneFromThenOn()
    {
        var d0 = MetricsKit.D0;
        // Joins in east on d0, then buys in a west store on d0 + 5 (its region follows the event's).
        Apply(MetricsKit.T("m1", "e1", d0, "register", joined: true, after: MetricsKit.Seg("east")));
        Apply(MetricsKit.T("m1", "e2", d0.AddDays(5), "purchase", before: MetricsKit.Seg("east"), after: MetricsKit.Seg("west")));

        var east = Series("east", d0.AddDays(-1), d0.AddDays(6));
        var west = Series("west", d0.AddDays(-1), d0.AddDays(6));

        Assert.Equal([0, 1, 1, 1, 1, 1, 0, 0], east.Select(d => d.Members));
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1], west.Select(d => d.Members));
        // Joining is still counted once, where the member joined.
        Assert.Equal(1, east.Sum(d => d.NewMembers));
        Assert.Equal(0, west.Sum(d => d.NewMembers));
    }

    private long Day(string region, DateOnly day, string name) => _days.GetValueOrDefault((region, day))?.GetValueOrDefault(name) ?? 0;

    [Fact]
    public void RetentionAndRepurchaseCountInTheRegionTheCohortWasCountedInWhereverTheMemberComesBack()
    {
        // Joins and first buys in east on d0; comes back the next day and buys again two days later, both in west.
        var d0 = MetricsKit.D0;
        Apply(MetricsKit.T("m1", "e1", d0, "purchase", joined: true, first: true, after: MetricsKit.Seg("east")));
        Apply(MetricsKit.T("m1", "e2", d0.AddDays(1), "login", before: MetricsKit.Seg("east"), after: MetricsKit.Seg("west")));
        Apply(MetricsKit.T("m1", "e3", d0.AddDays(2), "purchase", before: MetricsKit.Seg("west"), after: MetricsKit.Seg("west")));

        // A share of east's d0 cohort, never above 1 in any region.
        Assert.Equal((1L, 1L, 1L, 1L), (Day("east", d0, MetricNames.NewMembers), Day("east", d0, MetricNames.RetainedNextDay), Day("east", d0, MetricNames.FirstPurchasers), Day("east", d0, MetricNames.Repurchased7d)));
        Assert.Equal((0L, 0L), (Day("west", d0, MetricNames.RetainedNextDay), Day("west", d0, MetricNames.Repurchased7d)));
        Assert.Equal(1, Day("west", d0.AddDays(1), MetricNames.Dau));
    }

    [Fact]
    public void AMemberStoredBeforeCohortRegionsWereKeptMovesItsJoinFromItsOwnRegion()
    {
        // Joined in east on d0 + 2 under a version that did not keep the join's region; a late register from a west POS
        // says it joined on d0. The −1 goes where the join was counted (the member's region then), not to west.
        var d0 = MetricsKit.D0;
        Apply(MetricsKit.T("m1", "e1", d0.AddDays(2), "login", joined: true, after: MetricsKit.Seg("east")));
        _state = _state with { JoinedRegion = null };
        Apply(MetricsKit.T("m1", "e2", d0, "register", before: MetricsKit.Seg("east"), after: MetricsKit.Seg("east")) with { RegisteredDay = d0, RegionId = "west" });

        Assert.Equal(0, Day("east", d0.AddDays(2), MetricNames.NewMembers));
        Assert.Equal(1, Day("west", d0, MetricNames.NewMembers));
        Assert.Equal(0, Day("west", d0.AddDays(2), MetricNames.NewMembers));
    }

    [Fact]
    public void ALateEarlierFirstPurchaseMovesTheCohortFromTheRegionItWasCountedIn()
    {
        // First counted in west on d0 + 3; a late purchase in east on d0 + 1 is the real first one.
        var d0 = MetricsKit.D0;
        Apply(MetricsKit.T("m1", "e1", d0.AddDays(3), "purchase", joined: true, first: true, after: MetricsKit.Seg("west")));
        Apply(MetricsKit.T("m1", "e2", d0.AddDays(1), "purchase", before: MetricsKit.Seg("west"), after: MetricsKit.Seg("west")) with { RegionId = "east" });

        Assert.Equal(0, Day("west", d0.AddDays(3), MetricNames.FirstPurchasers));
        Assert.Equal(1, Day("east", d0.AddDays(1), MetricNames.FirstPurchasers));
        Assert.Equal(0, Day("east", d0.AddDays(3), MetricNames.FirstPurchasers));
        Assert.Equal(1, Day("east", d0.AddDays(1), MetricNames.Repurchased7d));
        Assert.All(_days.Values, d => Assert.True(d.GetValueOrDefault(MetricNames.FirstPurchasers) >= 0));
    }
}
