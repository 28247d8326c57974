using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>What a member reports to a campaign once the touch of its membership has left the member's touch history.</summary>
public sealed class CampaignReportTests
{
    [Fact]
    public void AForgottenTouchThatWentOutAfterItsDeferralReportsNoMoveBack()
    {
        // Deferred at delivery, sent at 09:00 and reported; 35 days later the touch is no longer in the history.
        var member = new MemberState { MemberId = "M1" };
        var membership = new CampaignMembership
        {
            CampaignId = "C1", Group = "arm", Arm = "A", Outcome = "deferred", ReportedOutcome = "sent", TouchId = "touch-gone",
            AssignedAt = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero), AttributionWindowDays = 7, ValidUntil = new DateTimeOffset(2026, 10, 8, 0, 0, 0, TimeSpan.Zero),
        };
        member.Campaigns.Memberships.Add(membership);

        Assert.Equal("sent", CampaignDeliveries.CurrentOutcome(member, membership));
        Assert.False(CampaignDeliveries.QueueReports(member));
        Assert.Empty(member.Outbox.Pending.OfType<ReportCampaignOutcome>());
        Assert.Equal("sent", membership.ReportedOutcome);
    }
}
