using System.Globalization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The one "worked back" rule of the health ranges and the alert rules (<see cref="HealthMetrics.MembersAddedAfterAsync"/>,
/// CONTRACT.md §5 <c>members</c>): the live members gauge less the members gained after a day is that day's count.
/// </summary>
public class WorkedBackMembersTests
{
    private static readonly MetricsOptions Zones = new() { RegionTimeZones = { ["NZ"] = "Pacific/Auckland", ["West"] = "America/Los_Angeles" } };

    [Fact]
    public async Task ADayLongBeforeTodayIsWorkedBackThroughReadsOfAtMostARangesDays()
    {
        // 2026-12-01 20:30 in Shanghai (Asia/Shanghai alone): a member joined on each of 900 days after the day counted.
        var options = new MetricsOptions();
        var now = At("2026-12-01T12:30:00Z");
        var day = new DateOnly(2026, 12, 1).AddDays(-900);
        var reads = new List<(DateOnly From, DateOnly To)>();

        var added = await HealthMetrics.MembersAddedAfterAsync(options, day, now, null, (from, to) =>
        {
            reads.Add((from, to));
            return Days(Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => (from.AddDays(i), Joined(1))).Where(d => d.Item1 <= new DateOnly(2026, 12, 1)));
        });

        Assert.Equal(900, added);
        Assert.Equal(day.AddDays(1), reads[0].From);
        Assert.Equal(new DateOnly(2026, 12, 2), reads[^1].To); // today and the day within the clock skew

        Assert.All(reads, r => Assert.InRange(r.To.DayNumber - r.From.DayNumber + 1, 1, HealthMetrics.MaxReadDays));
    }

    [Theory]
    // 23:57 in Auckland, the zone furthest ahead, on 2026-12-01 (18:57 in Shanghai, 02:57 in Los Angeles): a member
    // registering in nz with a clock 5 minutes fast joined on Auckland's 2026-12-02.
    [InlineData(null)]
    [InlineData("nz")]
    public async Task AMemberWhoJoinedWithinTheClockSkewOnTheNextDayIsNotCountedToday(string? region)
    {
        var now = At("2026-12-01T10:57:00Z");
        var today = Zones.LatestDay(now);
        var range = new[] { new DayCounters { Day = today, Counters = Joined(3) } };
        var joined = new[] { (today.AddDays(1), Joined(1)) };

        var added = await HealthMetrics.MembersAddedAfterAsync(Zones, today, now, region, (from, to) => Days(joined.Where(d => d.Item1 >= from && d.Item1 <= to)));
        var series = HealthMetrics.Series(range, 4, added, Zones.CurrentDay(now, region), region);

        Assert.Equal(new DateOnly(2026, 12, 1), today);
        Assert.Equal(Zones.LatestDay(now, region), today);
        Assert.Equal(3, series[^1].Members);
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static Dictionary<string, long> Joined(long members) => new(StringComparer.Ordinal) { [MetricNames.NewMembers] = members };

    private static Task<IReadOnlyList<DayCounters>> Days(IEnumerable<(DateOnly Day, Dictionary<string, long> Counters)> days) =>
        Task.FromResult<IReadOnlyList<DayCounters>>(days.Select(d => new DayCounters { Day = d.Day, Counters = d.Counters }).ToList());

    [Fact]
    public void TheProgrammesMembersAreNotChangedByAMoveWhoseSidesFallOnTwoDaysARegionsAre()
    {
        // A member moved out of west on west's 2026-12-01 and into east on east's 2026-12-02 (each side in its own zone).
        var d1 = new DateOnly(2026, 12, 1);
        var d2 = d1.AddDays(1);
        var programme = new[]
        {
            new DayCounters { Day = d1, Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = 2, [MetricNames.MovedOut] = 1 } },
            new DayCounters { Day = d2, Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.MovedIn] = 1 } },
        };
        var west = new[] { new DayCounters { Day = d1, Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = 2, [MetricNames.MovedOut] = 1 } } };

        Assert.Equal([2L, 2L], HealthMetrics.Series(programme, 2, 0, d2.AddDays(10), null).Select(d => d.Members));
        Assert.Equal(1, HealthMetrics.Series(west, 1, 0, d2.AddDays(10), "west")[^1].Members);
    }
}

