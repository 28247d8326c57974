using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A manual adjustment that moves an indexed attribute (a growth adjustment moving the tier) refreshes the member index
/// through the same outbox an event's change uses: search and audiences see the new tier.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class AdjustmentIndexTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task GrowthAdjustmentThatMovesTheTierReachesTheIndexAndAnAudienceOfTheNewTier()
    {
        var scope = "adj" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-r";
        var id = scope + "-m0";
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-p0", 200m, Now.AddHours(-1)) with { RegionId = region }); // V1, growth 200

        var adjusted = await member.AdjustAsync(new AdjustmentRequest { AdjustmentId = scope + "-a1", Kind = "growth", Delta = 1000, Reason = "goodwill" });

        Assert.Equal("applied", adjusted.Status);
        Assert.Equal("V2", (await member.GetViewAsync())!.Tier);
        Assert.Equal("V2", cluster.Faults.Stored<MemberGrainState>(id)!.Member.Campaigns.Indexed!.Tier);

        // The fan-out reads the index: a stale row (V1) would leave the V2 audience of this region empty.
        var v2 = Broadcast(scope + "-v2", Now, new CampaignAudience { Tiers = ["V2"], Regions = [region] });
        var done = await CreateAndRunAsync(cluster.Client, v2);
        Assert.Equal(1, done.Progress.Total);
        Assert.NotEqual(CampaignGroups.None, (await member.GetCampaignMembershipAsync(v2.Id))?.Group);
    }
}
