using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A deferred touch's offer is the member's when the touch is deferred (coupon issued, points credited), so its grant
/// costs the campaign from then on: whether the touch later goes out, waits on, or is suppressed.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class DeferredGrantCostTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task ADeferredGrantCostsItsUnitCostOnceWhetherItIsLaterSentWaitsOrIsSuppressed()
    {
        var scope = "dc" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var members = CampaignTestKit.ArmBuyers(scope, 60).Take(3).ToList();
        var arms = new List<string>();
        foreach (var member in members)
        {
            var grant = await campaign.RequestGrantAsync(member);
            Assert.Equal(CampaignGroups.Arm, grant.Group);
            arms.Add(grant.Arm!);
        }

        // What the members' outboxes report: all three touches wait for the end of quiet hours (the points already
        // credited); then the first goes out, the second is suppressed (a cap used meanwhile), the third still waits.
        for (var i = 0; i < 3; i++)
        {
            await campaign.ReportOutcomeAsync(Report(definition.Id, members[i], arms[i], "", CampaignOutcomes.Deferred));
        }

        await campaign.ReportOutcomeAsync(Report(definition.Id, members[0], arms[0], CampaignOutcomes.Deferred, CampaignOutcomes.Sent));
        await campaign.ReportOutcomeAsync(Report(definition.Id, members[1], arms[1], CampaignOutcomes.Deferred, CampaignOutcomes.Suppressed));
        await campaign.ReportPurchaseAsync(new CampaignPurchaseReport
        {
            MemberId = members[0], Group = CampaignGroups.Arm, Arm = arms[0], Amount = 30m, Conversion = true, EventId = "p-1",
            ReportId = $"{members[0]}|campaign-purchase:{definition.Id}:p-1",
        });

        var view = (await campaign.GetAsync())!;
        var results = (await campaign.GetResultsAsync())!;
        Assert.Equal((1, 1, 1), (view.Progress.Sent, view.Progress.Deferred, view.Progress.Suppressed));
        Assert.Equal(3, view.GrantsReserved);
        Assert.Equal(15m, view.CostReserved);

        // Three members hold 500 points each (5 CNY a grant): the campaign cost 15, not the 5 of the one touch sent.
        Assert.Equal(15m, results.Treated.Cost);
        Assert.Equal(view.CostReserved, results.Treated.Cost);
        Assert.Equal((30.0 - 15.0) / 15.0, results.Treated.Roi!.Value, 12);
    }

    private static CampaignOutcomeReport Report(string campaignId, string member, string arm, string from, string to) => new()
    {
        MemberId = member, Arm = arm, From = from, To = to, ReportId = $"{member}|campaign-outcome:{campaignId}:{from}>{to}",
    };
}
