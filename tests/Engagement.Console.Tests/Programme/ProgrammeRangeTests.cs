using Engagement.Console.Services;

namespace Engagement.Console.Tests.Programme;

/// <summary>The programme page's ranges: presets counted from a pinned today, the API's bounds, and the URL's form.</summary>
public sealed class ProgrammeRangeTests
{
    // 2026-03-10, a Tuesday (the console fixture's pinned day in Asia/Shanghai).
    private static readonly DateOnly Today = new(2026, 3, 10);

    [Theory]
    [InlineData(ProgrammeRangePreset.Last7Days, "2026-03-04", "2026-03-10")]
    [InlineData(ProgrammeRangePreset.Last30Days, "2026-02-09", "2026-03-10")]
    [InlineData(ProgrammeRangePreset.ThisMonth, "2026-03-01", "2026-03-10")]
    [InlineData(ProgrammeRangePreset.LastMonth, "2026-02-01", "2026-02-28")]
    [InlineData(ProgrammeRangePreset.LastCompleteWeek, "2026-03-02", "2026-03-08")]
    public void APresetCountsBackFromToday(ProgrammeRangePreset preset, string from, string to)
    {
        var range = ProgrammeRange.OfPreset(preset, Today);
        Assert.Equal((from, to), (ProgrammeRange.Text(range.From), ProgrammeRange.Text(range.To)));
        Assert.Equal(ProgrammeRangeProblem.None, ProgrammeRange.Check(range.From, range.To, Today));
    }

    [Theory]
    [InlineData("2026-11-30", "2026-11-23", "2026-11-29")] // a Monday: the week just ended
    [InlineData("2026-12-05", "2026-11-23", "2026-11-29")] // a Saturday
    [InlineData("2026-12-06", "2026-11-23", "2026-11-29")] // a Sunday: its own week is not over until midnight
    [InlineData("2027-01-03", "2026-12-21", "2026-12-27")] // across a new year
    public void TheLastCompleteWeekIsMondayToSundayBeforeTodaysWeekAndAWeeklyReportsRange(string today, string from, string to)
    {
        var range = ProgrammeRange.Parse("last-complete-week", null, null, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), DateOnly.MaxValue);
        Assert.Equal(ProgrammeRangeProblem.None, range.Problem);
        Assert.Equal((ProgrammeRangePreset.LastCompleteWeek, from, to), (range.Range.Preset, ProgrammeRange.Text(range.Range.From), ProgrammeRange.Text(range.Range.To)));
        Assert.Equal(DayOfWeek.Monday, range.Range.From.DayOfWeek);
        Assert.Equal("isoWeek", Engagement.Domain.Metrics.CalendarPeriods.NameOf(Engagement.Domain.Metrics.CalendarPeriods.Fitting(range.Range.From, range.Range.To)!.Value));
    }

    [Fact]
    public void ForAllRegionsTheLastCompleteWeekEndsBeforeTheFirstDayStillRunningInAnyZone()
    {
        // Monday 2026-12-07 00:30 in Asia/Shanghai is still Sunday the 6th in America/Los_Angeles (ProgrammeViews.CurrentDay
        // of All regions): the week of Nov 30 – Dec 6 is not over there, so the last complete week is Nov 23 – 29.
        var (monday, sunday) = (new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 6));
        var range = ProgrammeRange.Parse("last-complete-week", null, null, monday, monday, sunday).Range;
        Assert.Equal(("2026-11-23", "2026-11-29"), (ProgrammeRange.Text(range.From), ProgrammeRange.Text(range.To)));
        Assert.Equal(range, ProgrammeRange.OfPreset(ProgrammeRangePreset.LastCompleteWeek, monday, sunday));

        // Once Sunday is over everywhere (the current day is Monday in every zone), the week just ended is complete.
        Assert.Equal(new DateOnly(2026, 12, 6), ProgrammeRange.OfPreset(ProgrammeRangePreset.LastCompleteWeek, monday, monday).To);
        // The other presets still end today.
        Assert.Equal(monday, ProgrammeRange.OfPreset(ProgrammeRangePreset.Last7Days, monday, sunday).To);
    }

    [Fact]
    public void LastMonthInJanuaryIsDecemberOfTheYearBefore()
    {
        var range = ProgrammeRange.OfPreset(ProgrammeRangePreset.LastMonth, new DateOnly(2027, 1, 1));
        Assert.Equal((new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31)), (range.From, range.To));
        Assert.Equal(31, range.Days);
    }

    [Theory]
    [InlineData("1999-12-31", "2026-03-01", ProgrammeRangeProblem.BeforeEarliest)]
    [InlineData("2026-03-01", "2026-03-12", ProgrammeRangeProblem.AfterLatest)]
    [InlineData("2026-03-09", "2026-03-02", ProgrammeRangeProblem.Inverted)]
    [InlineData("2025-02-03", "2026-03-10", ProgrammeRangeProblem.TooLong)]
    [InlineData("2025-02-04", "2026-03-10", ProgrammeRangeProblem.None)]
    [InlineData("2026-03-11", "2026-03-11", ProgrammeRangeProblem.None)]
    public void ACustomRangeKeepsTheApisBounds(string from, string to, ProgrammeRangeProblem problem)
    {
        // The latest day here is 03-11 (a region a zone ahead); 2025-02-04 – 2026-03-10 is 400 days, the most.
        Assert.Equal(problem, ProgrammeRange.Check(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), Today.AddDays(1)));
    }

    [Theory]
    [InlineData(null, null, null, "2026-02-09", "2026-03-10", ProgrammeRangeProblem.None)]
    [InlineData("last-month", null, null, "2026-02-01", "2026-02-28", ProgrammeRangeProblem.None)]
    [InlineData(null, "2026-01-05", "2026-01-11", "2026-01-05", "2026-01-11", ProgrammeRangeProblem.None)]
    [InlineData(null, null, "2026-01-31", "2026-01-02", "2026-01-31", ProgrammeRangeProblem.None)]
    [InlineData(null, "2026-03-01", null, "2026-03-01", "2026-03-10", ProgrammeRangeProblem.None)]
    [InlineData("yesterday", null, null, "2026-02-09", "2026-03-10", ProgrammeRangeProblem.NotADate)]
    [InlineData(null, "2026-13-01", "2026-03-01", "2026-02-09", "2026-03-10", ProgrammeRangeProblem.NotADate)]
    [InlineData(null, "2026-03-05", "2026-03-01", "2026-02-09", "2026-03-10", ProgrammeRangeProblem.Inverted)]
    [InlineData(null, "0001-01-01", "0001-01-02", "2026-02-09", "2026-03-10", ProgrammeRangeProblem.BeforeEarliest)]
    [InlineData(null, null, "0001-01-02", "2026-02-09", "2026-03-10", ProgrammeRangeProblem.BeforeEarliest)]
    public void TheUrlsRangeIsReadAsTheApiReadsItAndABadOneFallsBackToTheDefault(string? range, string? from, string? to, string shownFrom, string shownTo, ProgrammeRangeProblem problem)
    {
        var (shown, found) = ProgrammeRange.Parse(range, from, to, Today, Today);
        Assert.Equal((shownFrom, shownTo, problem), (ProgrammeRange.Text(shown.From), ProgrammeRange.Text(shown.To), found));
    }

    [Fact]
    public void ARangeWrittenInTheUrlIsReadBackTheSame()
    {
        foreach (var range in new[] { ProgrammeRange.OfPreset(ProgrammeRangePreset.ThisMonth, Today), new ProgrammeRange(ProgrammeRangePreset.Custom, new(2026, 1, 5), new(2026, 2, 1)) })
        {
            var q = range.Query;
            Assert.Equal(range, ProgrammeRange.Parse((string?)q["range"], (string?)q["from"], (string?)q["to"], Today, Today).Range);
        }
    }
}
