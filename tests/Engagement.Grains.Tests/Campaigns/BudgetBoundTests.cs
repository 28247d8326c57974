using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A triggered campaign whose arms' offers cost differently spends its budget up to its exact bound.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class BudgetBoundTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AnArmTooDearForWhatIsLeftDoesNotStopACheaperArmThatFitsTheBoundExactly()
    {
        var scope = "bb" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var points = new CampaignOffer { Kind = OfferKinds.Points, Code = "BB", UnitCost = 30m, Points = 300 };
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase }) with
        {
            Arms = [new CampaignArm { Name = "dear", Offer = points }, new CampaignArm { Name = "cheap", Offer = points with { Code = "BB10", UnitCost = 10m, Points = 100 } }],
            Budget = new CampaignBudget { MaxCost = 40m },
        };
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var candidates = CampaignTestKit.ArmBuyers(scope, 80).ToList();
        string ArmOf(string id) => definition.Arms[CampaignAssignment.Assign(definition.Id, id, 0, [1, 1])].Name;
        var dear = candidates.Where(id => ArmOf(id) == "dear").Take(2).ToList();
        var cheap = candidates.Where(id => ArmOf(id) == "cheap").Take(2).ToList();

        // 30 of 40 spent on a dear grant; the next dear one (60) does not fit, the next cheap one (40) does, exactly.
        foreach (var id in new[] { dear[0], dear[1], cheap[0], cheap[1] })
        {
            await cluster.Client.GetGrain<IMemberGrain>(id).ApplyEventAsync(new EngagementEvent
            {
                EventId = "p-" + id, Type = EventTypes.Purchase, MemberId = id, OccurredAt = Now.AddMinutes(-5), OrderId = id + "-1", Amount = 300m, RegionId = region,
            });
        }

        Assert.Equal("dear", (await cluster.Client.GetGrain<IMemberGrain>(dear[0]).GetCampaignMembershipAsync(definition.Id))?.Arm);
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(dear[1]).GetCampaignMembershipAsync(definition.Id));
        Assert.Equal("cheap", (await cluster.Client.GetGrain<IMemberGrain>(cheap[0]).GetCampaignMembershipAsync(definition.Id))?.Arm);
        Assert.Null(await cluster.Client.GetGrain<IMemberGrain>(cheap[1]).GetCampaignMembershipAsync(definition.Id));
        var view = (await campaign.GetAsync())!;
        Assert.Equal(40m, view.CostReserved);
        Assert.Equal(2, view.GrantsReserved);
    }
}
