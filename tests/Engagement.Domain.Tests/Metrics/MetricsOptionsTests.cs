using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

public class MetricsOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public void ASendLingerUpToFiveSecondsIsValid(int milliseconds) =>
        Assert.Empty(new MetricsOptions { SendLingerMilliseconds = milliseconds }.Validate());

    [Theory]
    [InlineData(-1)]
    [InlineData(5_001)]
    public void ASendLingerOutsideZeroToFiveSecondsIsRefusedByName(int milliseconds) =>
        Assert.Equal(["SendLingerMilliseconds must be 0–5000."], new MetricsOptions { SendLingerMilliseconds = milliseconds }.Validate());

    [Fact]
    public void PeriodCountsSinceDefaultsToTheDayAfterTheCountersCameAndRefusesATypoLongBefore()
    {
        // An install upgraded on 2026-12-05 relies on the default: an earlier one would label its short periods exact.
        // A fresh install sets 2000-01-01 itself (scripts/run's demo does), which is accepted.
        Assert.Equal(new DateOnly(2026, 12, 6), new MetricsOptions().PeriodCountsSince);
        Assert.Equal(new DateOnly(2026, 12, 6), MetricsOptions.DefaultPeriodCountsSince);
        Assert.Empty(new MetricsOptions { PeriodCountsSince = new DateOnly(2000, 1, 1) }.Validate());
        Assert.Equal(
            ["PeriodCountsSince 0026-12-06 must be 2000-01-01 or later (the day after the last silo of a build before 2026-12-05 stopped)."],
            new MetricsOptions { PeriodCountsSince = new DateOnly(26, 12, 6) }.Validate());
    }

    [Fact]
    public void TheProgrammesDayIsTheEarliestLocalDayOfItsConfiguredZones()
    {
        // 2026-11-24 10:00 in Shanghai is 18:00 of 2026-11-23 in Los Angeles.
        var at = new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
        var options = new MetricsOptions { RegionTimeZones = { ["West"] = "America/Los_Angeles" } };

        Assert.Equal(new DateOnly(2026, 11, 24), new MetricsOptions().ProgrammeDay(at));
        Assert.Equal(new DateOnly(2026, 11, 23), options.ProgrammeDay(at));
        Assert.Equal(new DateOnly(2026, 11, 24), options.ProgrammeDay(at.AddHours(8))); // midnight in Los Angeles
        Assert.Equal(new DateOnly(2026, 11, 24), options.LocalDay(at, "east")); // a region keeps its own day
    }

    [Theory]
    // Auckland on 2026-12-02 (01:30), Shanghai and Los Angeles on 2026-12-01.
    [InlineData("2026-12-01T12:30:00Z", null, "2026-12-01", "2026-12-02")]
    [InlineData("2026-12-01T12:30:00Z", "nz", "2026-12-02", "2026-12-02")]
    [InlineData("2026-12-01T12:30:00Z", "east", "2026-12-01", "2026-12-01")]
    // Shanghai and Auckland on 2026-12-02, Los Angeles on 2026-12-01 (18:00).
    [InlineData("2026-12-02T02:00:00Z", null, "2026-12-01", "2026-12-02")]
    [InlineData("2026-12-02T02:00:00Z", "west", "2026-12-01", "2026-12-01")]
    // Every zone on 2026-12-02.
    [InlineData("2026-12-02T08:30:00Z", null, "2026-12-02", "2026-12-02")]
    // Los Angeles moves to PDT at 2026-03-08 02:00 PST (10:00 UTC): 03:00 PDT; 23:30 PST the evening before at 07:30 UTC.
    [InlineData("2026-03-08T10:00:00Z", null, "2026-03-08", "2026-03-08")]
    [InlineData("2026-03-08T10:00:00Z", "west", "2026-03-08", "2026-03-08")]
    [InlineData("2026-03-08T07:30:00Z", null, "2026-03-07", "2026-03-08")]
    [InlineData("2026-03-08T07:30:00Z", "west", "2026-03-07", "2026-03-07")]
    // Los Angeles back to PST at 2026-11-01 02:00 PDT (09:00 UTC): at 08:00 UTC still 01:00 PDT, at 06:30 UTC 23:30 PDT on 10-31.
    [InlineData("2026-11-01T08:00:00Z", null, "2026-11-01", "2026-11-01")]
    [InlineData("2026-11-01T08:00:00Z", "west", "2026-11-01", "2026-11-01")]
    [InlineData("2026-11-01T07:30:00Z", "west", "2026-11-01", "2026-11-01")]
    [InlineData("2026-11-01T06:30:00Z", null, "2026-10-31", "2026-11-01")]
    [InlineData("2026-11-01T06:30:00Z", "west", "2026-10-31", "2026-10-31")]
    public void TheCurrentDayIsTheEarliestOfTheZonesAndTheLatestDayTheLatestForTheProgrammeARegionHasItsOwn(string at, string? region, string current, string latest)
    {
        var options = new MetricsOptions { RegionTimeZones = { ["NZ"] = "Pacific/Auckland", ["West"] = "America/Los_Angeles" } };
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateOnly.Parse(current, System.Globalization.CultureInfo.InvariantCulture), options.CurrentDay(instant, region));
        Assert.Equal(DateOnly.Parse(latest, System.Globalization.CultureInfo.InvariantCulture), options.LatestDay(instant, region));
    }
}
