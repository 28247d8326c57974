using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// <see cref="HealthRange"/>: the one read of a health range and of the alert rules' days, worked back from the live
/// members gauge by the members gained after the range (CONTRACT.md §5 <c>members</c>).
/// </summary>
public class HealthRangeTests
{
    [Fact]
    public async Task ARangesMembersAreTheLiveCountLessThoseGainedAfterEachDay()
    {
        // 2026-12-01 20:30 in Shanghai (one zone): 2 joined on 11-29, 1 on 11-30, 3 today, 1 more within the clock skew on
        // 12-02; 10 members now. The range 11-29..11-30 ends with 10 − 3 − 1 = 6 members, 11-29 with 5.
        var today = new DateOnly(2026, 12, 1);
        var reader = new FakeDays(10, (today.AddDays(-2), 2), (today.AddDays(-1), 1), (today, 3), (today.AddDays(1), 1));

        var range = await HealthRange.ReadAsync(reader, new MetricsOptions(), null, today.AddDays(-2), today.AddDays(-1), DateTimeOffset.Parse("2026-12-01T12:30:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal([today.AddDays(-2), today.AddDays(-1)], range.Days.Select(d => d.Day));
        Assert.Equal(10, range.MembersNow);
        Assert.Equal(4, range.AddedAfter);
        Assert.Equal([5L, 6L], range.Series(today).Select(d => d.Members));
    }

    [Fact]
    public async Task ARangeEndingNearTodayIsReadOnceWithItsLookAheadAndAFarOneInReadsOfAtMostARangesDays()
    {
        var today = new DateOnly(2026, 12, 1);
        var now = DateTimeOffset.Parse("2026-12-01T12:30:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var near = new FakeDays(10, (today, 3), (today.AddDays(1), 1));
        var far = new FakeDays(10, (today, 3), (today.AddDays(1), 1));

        var nearRange = await HealthRange.ReadAsync(near, new MetricsOptions(), null, today.AddDays(-90), today, now);
        var farRange = await HealthRange.ReadAsync(far, new MetricsOptions(), null, today.AddDays(-700), today.AddDays(-600), now);

        // The alert rules' 91 days ending today: one read, through tomorrow (the clock skew's day), not a second one.
        Assert.Equal([(today.AddDays(-90), today.AddDays(1))], near.Reads);
        Assert.Equal(91, nearRange.Days.Count);
        Assert.Equal(today, nearRange.Days[^1].Day);
        Assert.Equal(1, nearRange.AddedAfter);
        Assert.Equal(9, nearRange.Series(today)[^1].Members);
        Assert.Equal(4, farRange.AddedAfter);
        Assert.Equal(today.AddDays(-600), farRange.Days[^1].Day);
        Assert.All(far.Reads, r => Assert.InRange(r.To.DayNumber - r.From.DayNumber + 1, 1, HealthMetrics.MaxReadDays));
    }

    [Theory]
    [InlineData(0)] // near today: the range and its look-ahead would be one read, which took a reversed range silently
    [InlineData(-600)] // far from today: the range is read apart
    public async Task ARangeEndingBeforeItStartsIsRefusedBeforeAnyRead(int daysFromToday)
    {
        var today = new DateOnly(2026, 12, 1).AddDays(daysFromToday);
        var reader = new FakeDays(10, (today, 3));

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            HealthRange.ReadAsync(reader, new MetricsOptions(), "east", today, today.AddDays(-1), DateTimeOffset.Parse("2026-12-01T12:30:00Z", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal("to", error.ParamName);
        Assert.Empty(reader.Reads);
    }

    /// <summary>Days with the members who joined on them, and a live members gauge; records the spans read.</summary>
    internal sealed class FakeDays(long membersNow, params (DateOnly Day, long Joined)[] joined) : IProgrammeDaysReader
    {
        public List<(DateOnly From, DateOnly To)> Reads { get; } = [];

        public Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to)
        {
            Reads.Add((from, to));
            return Task.FromResult<IReadOnlyList<DayCounters>>(Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => from.AddDays(i)).Select(day => new DayCounters
            {
                Day = day,
                Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = joined.Where(j => j.Day == day).Sum(j => j.Joined) },
            }).ToList());
        }

        public Task<long> MembersAsync(string? regionId) => Task.FromResult(membersNow);
    }
}
