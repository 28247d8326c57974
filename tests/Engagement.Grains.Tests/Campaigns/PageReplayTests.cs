using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A fan-out page a failure interrupted is replayed by member id: a member touched before the failure whose index row no
/// longer matches the audience when the page is replayed (a purchase moved its tier) is still counted and its grant held.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class PageReplayTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public Task AMemberWhoLeftTheAudienceBetweenTheFailureAndTheReplayIsStillCountedAndItsGrantHeld() =>
        ReplayAfterAFailureAsync(insertedBeforeReplay: 0);

    [Fact]
    public Task MembersIndexedIntoThePageBeforeTheReplayDoNotPushCoveredMembersOutOfIt() =>
        // 50 new rows (a full page) sort before the covered members in their shard: the replayed page must still reach
        // past every member the write-ahead covered, or those pushed out come back as fresh members of the next page and
        // one that left the audience meanwhile is never counted.
        ReplayAfterAFailureAsync(insertedBeforeReplay: 50);

    private async Task ReplayAfterAFailureAsync(int insertedBeforeReplay)
    {
        var scope = "r" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 240);
        var definition = Broadcast(scope + "-v1", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"], Tiers = ["V1"] }) with
        {
            ControlShare = 0,
            Budget = new CampaignBudget { MaxGrants = 10_000 },
        };

        // In one shard: the last V1 member in the arm fails its writes; the one before it is touched before the failure.
        var inShard = members.Where(m => m.Tier == "V1" && !m.GlobalControl).GroupBy(m => MemberIndexShards.ShardOf(m.Id, 16)).First(g => g.Count() >= 2)
            .OrderBy(m => m.Id, StringComparer.Ordinal).ToList();
        var (moved, failing) = (inShard[^2].Id, inShard[^1].Id);
        cluster.Faults.Fail(failing, StorageFault.Write);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        Assert.Equal(CampaignStatuses.Running, (await PauseResumeTests.UntilAsync(campaign, v => !v.Progress.FanOutRunning, "the interrupted fan-out")).Status);
        Assert.Equal(CampaignOutcomes.Sent, (await MembershipsAsync(cluster.Client, [new TestMember(moved, "", "V1", false)], definition.Id))[moved]?.Outcome);

        // New members whose rows sort first in that shard ("-00000-k" comes before "-00001").
        var shard = MemberIndexShards.ShardOf(moved, 16);
        var inserted = Enumerable.Range(0, 5_000).Select(k => $"{scope}-00000-{k:D4}")
            .Where(id => MemberIndexShards.ShardOf(id, 16) == shard).Take(insertedBeforeReplay).ToList();
        foreach (var id in inserted)
        {
            await cluster.Client.GetGrain<IMemberGrain>(id).ApplyEventAsync(Events.Purchase(id, id + "-o0", 200m, Now.AddMinutes(-2)) with { RegionId = scope + "-east" });
        }

        // The touched member buys up to V2 (its index row leaves the audience), the failing one heals, the reminder replays.
        await cluster.Client.GetGrain<IMemberGrain>(moved).ApplyEventAsync(Events.Purchase(moved, moved + "-up", 1_500m, Now.AddMinutes(-1)) with { RegionId = members.Single(m => m.Id == moved).Region });
        cluster.Faults.Heal(failing);
        await campaign.AsReference<IRemindable>().ReceiveReminder(CampaignGrain.FanOutReminder, new TickStatus(Now.UtcDateTime, TimeSpan.FromMinutes(1), Now.UtcDateTime));
        var done = await PauseResumeTests.UntilAsync(campaign, v => v.Status == CampaignStatuses.Completed && !v.Progress.FanOutRunning, "the replayed fan-out");

        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).ToList();
        Assert.Equal(touched.Count, touched.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(moved, touched);
        Assert.Contains(failing, touched);
        Assert.Equal(touched.Count, done.Progress.Sent + done.Progress.Deferred);
    }
}
