using Engagement.Domain.Campaigns;
using Engagement.Domain.Members.Effects;

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
    public void AnIdKeptUntilItsMemberConfirmsIsRecognisedHoweverManyConfirmedReportsCameAfterIt()
    {
        var reports = new CountedReports();
        Assert.True(reports.TryCount("m0|campaign-purchase:c:p1", capacity: 4));

        // Ten more reports, each forgotten once its member stored it as confirmed: they never push m0's out.
        for (var i = 1; i <= 10; i++)
        {
            Assert.True(reports.TryCount($"m{i}|campaign-outcome:c:>sent", capacity: 4));
            Assert.True(reports.Forget($"m{i}|campaign-outcome:c:>sent"));
        }

        Assert.False(reports.TryCount("m0|campaign-purchase:c:p1", capacity: 4));
        Assert.Equal(1, reports.Count);
        Assert.False(reports.Forget("m9|campaign-outcome:c:>sent"));
        Assert.True(reports.Forget("m0|campaign-purchase:c:p1"));
        Assert.Equal(0, reports.Count);
    }

    [Fact]
    public void AConfirmedCampaignReportLeavesItsForgetBehindToBeSentAfterTheWriteThatStoresIt()
    {
        var outbox = new MemberOutbox();
        var report = new ReportCampaignPurchase("c", "arm", "a", "p1", 120m, Conversion: true);
        outbox.Add(report);
        Assert.False(outbox.HasFollowUps);

        outbox.Confirm([report]);

        var forget = Assert.IsType<ForgetCampaignReport>(Assert.Single(outbox.Pending));
        Assert.Equal(("c", report.Id), (forget.CampaignId, forget.ReportEffectId));
        Assert.True(outbox.HasFollowUps);
        outbox.Confirm([forget]);
        Assert.Empty(outbox.Pending);
    }

    [Fact]
    public void PendingGrantsAreBoundedARepeatIsRecognisedAndANewMemberPastTheBoundIsRefused()
    {
        List<string> pending = ["m1", "m2"];

        Assert.Equal(PendingGrantAdmission.Repeat, PendingGrantRule.Admit(pending, "m2", capacity: 2));
        Assert.Equal(PendingGrantAdmission.Full, PendingGrantRule.Admit(pending, "m3", capacity: 2));
        Assert.Equal(PendingGrantAdmission.Admit, PendingGrantRule.Admit(pending, "m3", capacity: 3));
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
