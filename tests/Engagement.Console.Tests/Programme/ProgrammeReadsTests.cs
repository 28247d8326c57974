using Engagement.Console.Services;

namespace Engagement.Console.Tests.Programme;

/// <summary>The programme page's read ordering and link building, without a browser.</summary>
public sealed class ProgrammeReadsTests
{
    [Fact]
    public void AReadOvertakenByALaterOneIsNoLongerCurrentAndItsResultsAreDropped()
    {
        var reads = new ReadSequence();
        var first = reads.Start();
        Assert.True(reads.IsCurrent(first));

        var second = reads.Start();
        Assert.False(reads.IsCurrent(first));
        Assert.True(reads.IsCurrent(second));

        // The first read coming back last still is not current: what it read is dropped.
        Assert.False(reads.IsCurrent(first));
    }

    [Fact]
    public void ARegionChosenAfterARangePickKeepsThatRangeAndTheReverse()
    {
        var link = new ProgrammeLink("east", "last-7-days", null, null);
        var custom = new ProgrammeRange(ProgrammeRangePreset.Custom, new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 14));

        var picked = link.WithRange(custom).WithRegion("west");
        Assert.Equal(new Dictionary<string, object?> { ["region"] = "west", ["range"] = null, ["from"] = "2026-02-01", ["to"] = "2026-02-14", ["alertRule"] = null, ["alertRegion"] = null }, picked.Query);

        var back = picked.WithRange(ProgrammeRange.OfPreset(ProgrammeRangePreset.LastMonth, new DateOnly(2026, 3, 10))).WithRegion(null);
        Assert.Equal(new Dictionary<string, object?> { ["region"] = null, ["range"] = "last-month", ["from"] = null, ["to"] = null, ["alertRule"] = null, ["alertRegion"] = null }, back.Query);
    }

    [Fact]
    public void TheAlertHistorysFilterSurvivesARegionOrRangePickAndTheySurviveIt()
    {
        var link = new ProgrammeLink("east", "last-7-days", null, null).WithAlertFilter("complaints.high", "all");
        var picked = link.WithRegion("west").WithRange(ProgrammeRange.OfPreset(ProgrammeRangePreset.LastMonth, new DateOnly(2026, 3, 10)));
        Assert.Equal(new Dictionary<string, object?> { ["region"] = "west", ["range"] = "last-month", ["from"] = null, ["to"] = null, ["alertRule"] = "complaints.high", ["alertRegion"] = "all" }, picked.Query);

        var cleared = picked.WithAlertFilter(null, null);
        Assert.Equal(new Dictionary<string, object?> { ["region"] = "west", ["range"] = "last-month", ["from"] = null, ["to"] = null, ["alertRule"] = null, ["alertRegion"] = null }, cleared.Query);
    }
}
