using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A pending grant its member asks for again after the campaign stopped granting is released, not left counted.</summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class PendingGrantReleaseTests(SmallCampaignMemoryFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AGrantWhoseMemberRetriesAfterAPauseIsReleasedSoAudienceAndBudgetHoldOnlyWhatMembersHave()
    {
        var (definition, campaign, region, members) = await StartOneGrantCampaignAsync("pr");
        var member = members[0];

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

    [Fact]
    public async Task AGrantWhoseMemberRetriesIntoAHigherPriorityCampaignIsReleasedSoItsAudienceAndBudgetAreRight()
    {
        var scope = "pp" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var purchase = new CampaignTrigger { EventType = EventTypes.Purchase };
        var first = CampaignTestKit.Triggered(scope + "-first", Now, region, purchase, maxGrants: 1);
        var higher = CampaignTestKit.Triggered(scope + "-higher", Now, region, purchase) with { Priority = 10 };
        var firstCampaign = cluster.Client.GetGrain<ICampaignGrain>(first.Id);
        Assert.Equal(CampaignCreateResult.Created, (await firstCampaign.CreateAsync(first)).Status);
        var (buyer, other) = CampaignTestKit.ArmBuyers(scope, 60).Take(2).ToList() switch
        {
            [var a, var b] => (a, b),
            _ => throw new InvalidOperationException("two members outside the global control"),
        };
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var evt = new EngagementEvent { EventId = "p-" + buyer, Type = EventTypes.Purchase, MemberId = buyer, OccurredAt = Now.AddMinutes(-5), OrderId = buyer + "-1", Amount = 300m, RegionId = region };

        // The purchase fires the only campaign there is, but the member's write fails: it holds nothing.
        cluster.Faults.Fail(buyer, StorageFault.Write);
        await Assert.ThrowsAnyAsync<Exception>(() => member.ApplyEventAsync(evt));
        cluster.Faults.Heal(buyer);
        Assert.Equal(1, (await firstCampaign.GetAsync())!.GrantsReserved);

        // Meanwhile a campaign of higher priority starts; the retried purchase fires it instead.
        Assert.Equal(CampaignCreateResult.Created, (await cluster.Client.GetGrain<ICampaignGrain>(higher.Id).CreateAsync(higher)).Status);
        await member.ApplyEventAsync(evt);
        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(higher.Id))?.Group);
        Assert.Null(await member.GetCampaignMembershipAsync(first.Id));

        // The first campaign counts nobody and holds no budget for the member who has nothing of it...
        var view = (await firstCampaign.GetAsync())!;
        Assert.Equal(0, view.Progress.Reached);
        Assert.Equal(0, view.GrantsReserved);
        Assert.Empty(cluster.Faults.Stored<CampaignGrainState>(first.Id)!.PendingGrants);
        Assert.Equal(1, (await cluster.Client.GetGrain<ICampaignGrain>(higher.Id).GetAsync())!.Progress.Reached);

        // ...so its one grant goes to the next member it fires for.
        Assert.Equal(CampaignGroups.Arm, (await firstCampaign.RequestGrantAsync(other)).Group);
    }

    [Fact]
    public async Task AGrantWhoseAnswerTheMemberNeverGotIsReleasedAfterItsWriteSoTheBudgetGoesToAMemberWhoGetsIt()
    {
        var (definition, campaign, region, members) = await StartOneGrantCampaignAsync("pl");
        var (buyer, other) = (members[0], members[1]);

        // The campaign grants the buyer its one grant, but the answer is lost on the way back (a timeout): the
        // purchase is applied and stored without a membership, and nothing would ever ask for that grant again.
        cluster.LostReplies.LoseGrantAnswers(buyer);
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var evt = new EngagementEvent { EventId = "p-" + buyer, Type = EventTypes.Purchase, MemberId = buyer, OccurredAt = Now.AddMinutes(-5), OrderId = buyer + "-1", Amount = 300m, RegionId = region };
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(evt)).Status);
        Assert.Null(await member.GetCampaignMembershipAsync(definition.Id));

        // The member told the campaign after its write: the grant it never stored is released...
        var view = (await campaign.GetAsync())!;
        Assert.Equal(0, view.Progress.Reached);
        Assert.Equal(0, view.GrantsReserved);
        Assert.Empty(cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants);

        // ...and the one grant of the budget goes to the next member the campaign fires for.
        var next = cluster.Client.GetGrain<IMemberGrain>(other);
        await next.ApplyEventAsync(evt with { EventId = "p-" + other, MemberId = other, OrderId = other + "-1" });
        Assert.Equal(CampaignGroups.Arm, (await next.GetCampaignMembershipAsync(definition.Id))?.Group);
        Assert.Equal(1, (await campaign.GetAsync())!.GrantsReserved);
    }

    [Fact]
    public async Task AGrantRequestFailingWithACalleesStorageTimeoutLeavesThePurchaseAppliedAndTheGrantReleased()
    {
        var (definition, campaign, region, members) = await StartOneGrantCampaignAsync("pt");
        var (buyer, other) = (members[0], members[1]);

        // The campaign grants, but the member's call fails with a TaskCanceledException no token of its own cancelled
        // (a storage SDK timeout in the callee crosses the grain call as it is). That is a failed call, not a
        // cancellation: the purchase is applied and stored without a membership, and the campaign is told to release.
        cluster.LostReplies.LoseGrantAnswers(buyer, what => new TaskCanceledException(what));
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var evt = new EngagementEvent { EventId = "p-" + buyer, Type = EventTypes.Purchase, MemberId = buyer, OccurredAt = Now.AddMinutes(-5), OrderId = buyer + "-1", Amount = 300m, RegionId = region };
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(evt)).Status);
        Assert.Null(await member.GetCampaignMembershipAsync(definition.Id));

        // The grant the buyer never stored is released after its write, and goes to the next member the campaign fires for.
        Assert.Equal(0, (await campaign.GetAsync())!.GrantsReserved);
        Assert.Empty(cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants);
        var next = cluster.Client.GetGrain<IMemberGrain>(other);
        await next.ApplyEventAsync(evt with { EventId = "p-" + other, MemberId = other, OrderId = other + "-1" });
        Assert.Equal(CampaignGroups.Arm, (await next.GetCampaignMembershipAsync(definition.Id))?.Group);
    }

    [Fact]
    public async Task AMemberWhoseLostGrantComesBackOnItsNextEventKeepsItAndTheReleaseItQueuedIsWithdrawn()
    {
        var (definition, campaign, region, members) = await StartOneGrantCampaignAsync("pw");
        var buyer = members[0];
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var first = new EngagementEvent { EventId = "p1-" + buyer, Type = EventTypes.Purchase, MemberId = buyer, OccurredAt = Now.AddMinutes(-5), OrderId = buyer + "-1", Amount = 300m, RegionId = region };

        // The answer is lost and the release the member queues cannot reach the campaign yet: the grant stays pending.
        cluster.LostReplies.LoseGrantAnswers(buyer);
        cluster.LostReplies.FailReleases(buyer, on: true);
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(first)).Status);
        Assert.Null(await member.GetCampaignMembershipAsync(definition.Id));
        Assert.Equal(1, (await campaign.GetAsync())!.GrantsReserved);

        // The next purchase fires the campaign again and gets the same grant, which the member now stores.
        Assert.Equal(ApplyStatus.Applied, (await member.ApplyEventAsync(first with { EventId = "p2-" + buyer, OrderId = buyer + "-2", OccurredAt = Now.AddMinutes(-1) })).Status);
        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(definition.Id))?.Group);

        // The campaign is reachable again and the member's outbox drains: the grant it holds is not released.
        cluster.LostReplies.FailReleases(buyer, on: false);
        await member.ApplyEventAsync(first with { EventId = "p3-" + buyer, OrderId = buyer + "-3", OccurredAt = Now });
        var view = (await campaign.GetAsync())!;
        Assert.Equal(1, view.Progress.Reached);
        Assert.Equal(1, view.GrantsReserved);
        Assert.Empty(cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants);
    }

    /// <summary>
    /// A triggered campaign of one grant on purchases in a region of the test's own, and two member ids of that region
    /// outside the global control group.
    /// </summary>
    private async Task<(CampaignDefinition Definition, ICampaignGrain Campaign, string Region, IReadOnlyList<string> Members)> StartOneGrantCampaignAsync(string prefix)
    {
        var scope = prefix + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase }, maxGrants: 1);
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var members = CampaignTestKit.ArmBuyers(scope, 60).Take(2).ToList();
        Assert.Equal(2, members.Count);
        return (definition, campaign, region, members);
    }
}
