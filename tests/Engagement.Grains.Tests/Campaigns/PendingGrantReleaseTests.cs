using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A pending grant its member asks for again after the campaign stopped granting is released, not left counted.</summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class PendingGrantReleaseTests(SmallCampaignMemoryFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AGrantWhoseMemberRetriesAfterAPauseIsReleasedSoAudienceAndBudgetHoldOnlyWhatMembersHave()
    {
        var scope = "pr" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 1);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var member = Enumerable.Range(0, 60).Select(i => $"{scope}-{i}").First(id => !new TestMember(id, region, "V1", false).GlobalControl);

        // The member's event matched and it was granted, but its own write failed: it holds nothing and will ask again.
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(member)).Group);
        Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);

        // The retried event meets the paused campaign: refused, and the grant it never stored is given back.
        var retried = await campaign.RequestGrantAsync(member);
        Assert.Equal(CampaignGroups.None, retried.Group);

        var view = (await campaign.GetAsync())!;
        Assert.Equal(0, view.Progress.Reached);
        Assert.Equal(0, view.GrantsReserved);
        Assert.Empty(cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants);

        // Resumed, the one grant of the budget is there for a member.
        Assert.Equal(CampaignControlResult.Changed, (await campaign.ResumeAsync()).Status);
        Assert.Equal(CampaignGroups.Arm, (await campaign.RequestGrantAsync(member)).Group);
        Assert.Equal(1, (await campaign.GetAsync())!.GrantsReserved);
    }
}
