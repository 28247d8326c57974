using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>The health headline's day: the range's last complete local day, and a part-day beside it, never in its place.</summary>
public sealed class HeadlineDayTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);

    private static HealthDay Row(DateOnly day, long dau) => new() { Day = day, Dau = dau };

    [Fact]
    public void ARangeEndingTodayHeadlinesTheDayBeforeWithTodaySoFarBeside()
    {
        // 03:40 local: today so far 15 active, the day before 104.
        var head = HeadlineDay.Of([Row(Today.AddDays(-2), 98), Row(Today.AddDays(-1), 104), Row(Today, 15)], Today);

        Assert.Equal(104, head.Complete!.Dau);
        Assert.Equal(15, head.SoFar!.Dau);
    }

    [Fact]
    public void ARangeEndingBeforeTodayHeadlinesItsLastDayAndATodayOnlyRangeHasOnlyTheSoFar()
    {
        var past = HeadlineDay.Of([Row(Today.AddDays(-3), 90), Row(Today.AddDays(-2), 98)], Today);
        Assert.Equal((98L, (HealthDay?)null), (past.Complete!.Dau, past.SoFar));

        var todayOnly = HeadlineDay.Of([Row(Today, 15)], Today);
        Assert.Equal(((HealthDay?)null, 15L), (todayOnly.Complete, todayOnly.SoFar!.Dau));

        Assert.Equal(new HeadlineDay(null, null), HeadlineDay.Of([], Today));
    }

    [Fact]
    public void TodaySoFarIsOneDatePerZoneAndTheProgrammesZonesCanBeOnDifferentDates()
    {
        // 2026-12-05 03:00 UTC: 11:00 on the 5th in Shanghai (UTC+8), 22:00 on the 4th in New York (UTC-5).
        var options = new MetricsOptions { RegionTimeZones = new(StringComparer.Ordinal) { ["ny"] = "America/New_York", ["bj"] = "Asia/Shanghai" } };
        var at = new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);

        Assert.Equal([new ZoneDay(Today, "Asia/Shanghai"), new ZoneDay(Today.AddDays(-1), "America/New_York")], options.LocalDaysByZone(at, null));
        Assert.Equal([new ZoneDay(Today.AddDays(-1), "America/New_York")], options.LocalDaysByZone(at, "ny"));
        Assert.Equal([new ZoneDay(Today, "Asia/Shanghai")], options.LocalDaysByZone(at, "east"));
    }
}
