using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Microsoft.Extensions.Logging;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The hard cap on a member's campaign memberships (<see cref="MembershipCap"/>, here
/// <see cref="SmallCampaignMemoryFixture.MaxMembershipsKept"/> 3) through a real cluster: members holding the cap in live
/// campaigns are refused by the next broadcast, which counts them in membershipCapRefused (in no group, control untouched),
/// records no touch, logs each refusal at Debug and one line a page, and takes nothing they kept.
/// </summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class MembershipCapTests(SmallCampaignMemoryFixture cluster)
{
    [Fact]
    public async Task Members_at_the_cap_in_live_campaigns_are_refused_by_the_next_campaign_counted_in_membership_cap_refused_in_no_group_and_keep_their_memberships()
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

        // Every member now holds the cap in campaigns still live (they end in three days): the next one is refused,
        // counted apart in membershipCapRefused, in no group: the control (10% of the rest) and every arm stay empty.
        var over = scope + "-over";
        var refused = await CreateAndRunAsync(cluster.Client, Broadcast(over, now, audience) with { ControlShare = 0.1 });
        var p = refused.Progress;
        Assert.Equal((long)members.Count, p.Reached);
        Assert.Equal((long)members.Count, p.MembershipCapRefused);
        Assert.Equal((0L, 0L, 0L, 0L, 0L, 0L, 0L), (p.Suppressed, p.Sent, p.Deferred, p.Control, p.Excluded, p.Ineligible, refused.GrantsReserved));

        foreach (var m in members)
        {
            var member = cluster.Client.GetGrain<IMemberGrain>(m.Id);
            Assert.Null(await member.GetCampaignMembershipAsync(over));
            foreach (var id in live)
            {
                Assert.NotNull(await member.GetCampaignMembershipAsync(id));
            }

            // No touch is recorded for a refusal (a later ask once the member has room is a fresh delivery).
            Assert.DoesNotContain(await member.GetTouchesAsync(100), t => t.CampaignId == over);
        }

        // Members log theirs at Debug (not kept by this silo's log); the campaign logs one Warning a page with the count,
        // and the page counts add up to every member, once each.
        var pageLines = cluster.Logs.Lines(LogLevel.Warning, "refused at their campaign membership cap")
            .Where(l => l.Message.StartsWith($"Campaign {over}: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pageLines);
        Assert.Equal(members.Count, pageLines.Sum(l => int.Parse(l.Message[$"Campaign {over}: ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(cluster.Logs.Lines(LogLevel.Warning, "refused at the membership cap"));

        // Nothing was delivered for it: no touch left the outbox.
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.CampaignId == over);
    }
}
