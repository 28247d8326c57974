using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The hard cap on a member's campaign memberships (<see cref="MembershipCap"/>, here
/// <see cref="SmallCampaignMemoryFixture.MaxMembershipsKept"/> 3) through a real cluster: members holding the cap in live
/// campaigns are refused by the next broadcast, which counts them suppressed, records the reason on the arm members'
/// touches (support's touch history), logs each refusal, and takes nothing they kept.
/// </summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class MembershipCapTests(SmallCampaignMemoryFixture cluster)
{
    [Fact]
    public async Task Members_at_the_cap_in_live_campaigns_are_refused_by_the_next_campaign_counted_suppressed_with_the_reason_and_keep_their_memberships()
    {
        var scope = "mc" + Guid.NewGuid().ToString("N")[..8];
        var now = cluster.Time.GetUtcNow();
        var members = await CreateMembersAsync(cluster.Client, now, scope, 8);
        var armMembers = members.Where(m => !m.GlobalControl).ToList();
        var audience = new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] };
        const int cap = SmallCampaignMemoryFixture.MaxMembershipsKept;
        var live = Enumerable.Range(0, cap).Select(i => $"{scope}-live{i}").ToList();
        foreach (var id in live)
        {
            var view = await CreateAndRunAsync(cluster.Client, Broadcast(id, now, audience) with { ControlShare = 0 });
            Assert.Equal(members.Count, view.Progress.Reached);
        }

        // Every member now holds the cap in campaigns still live (they end in three days): the next one is refused.
        var over = scope + "-over";
        var refused = await CreateAndRunAsync(cluster.Client, Broadcast(over, now, audience) with { ControlShare = 0 });
        Assert.Equal(((long)members.Count, (long)armMembers.Count, 0L, 0L, 0L), (refused.Progress.Reached, refused.Progress.Suppressed, refused.Progress.Sent, refused.Progress.Deferred, refused.GrantsReserved));

        var reason = MembershipCap.Reason(cap, cap);
        foreach (var m in members)
        {
            var member = cluster.Client.GetGrain<IMemberGrain>(m.Id);
            Assert.Null(await member.GetCampaignMembershipAsync(over));
            foreach (var id in live)
            {
                Assert.NotNull(await member.GetCampaignMembershipAsync(id));
            }

            var touches = (await member.GetTouchesAsync(100)).Where(t => t.CampaignId == over).ToList();
            if (m.GlobalControl)
            {
                Assert.Empty(touches);
            }
            else
            {
                var touch = Assert.Single(touches);
                Assert.Equal((CampaignOutcomes.Suppressed, reason), (touch.Decision, touch.Reason));
            }

            var logged = cluster.Logs.Lines(LogLevel.Warning, $"{m.Id} campaign {over}: refused at the membership cap");
            Assert.Single(logged);
        }

        // Nothing was delivered for it: no touch left the outbox.
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.CampaignId == over);
    }
}
