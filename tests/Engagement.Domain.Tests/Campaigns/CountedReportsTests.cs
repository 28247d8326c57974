using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>The bounded memory of report ids a campaign counted.</summary>
public sealed class CountedReportsTests
{
    [Fact]
    public void AReportIdIsCountedOnceAndTheOldestIsForgottenBeyondTheCapacity()
    {
        var reports = new CountedReports();

        Assert.True(reports.TryCount("m1|campaign-purchase:c:p1", capacity: 2));
        Assert.False(reports.TryCount("m1|campaign-purchase:c:p1", capacity: 2));
        Assert.True(reports.TryCount("m2|campaign-purchase:c:p1", capacity: 2));
        Assert.True(reports.TryCount("m3|campaign-purchase:c:p1", capacity: 2));

        // Two kept: the first is forgotten, the other two are still repeats.
        Assert.Equal(2, reports.Count);
        Assert.False(reports.TryCount("m2|campaign-purchase:c:p1", capacity: 2));
        Assert.True(reports.TryCount("m1|campaign-purchase:c:p1", capacity: 2));
    }

    [Fact]
    public void ARestoredMemoryStillKnowsTheIdsItWasStoredWith()
    {
        var stored = new CountedReports();
        stored.TryCount("m1|campaign-outcome:c:>sent", capacity: 10);

        var restored = new CountedReports { Digests = [.. stored.Digests] };

        Assert.False(restored.TryCount("m1|campaign-outcome:c:>sent", capacity: 10));
        Assert.Equal(CountedReports.Digest("m1|campaign-outcome:c:>sent"), restored.Digests.Single());
    }
}
