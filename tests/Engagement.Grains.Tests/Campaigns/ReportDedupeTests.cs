using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>Reports a member sends again (its answer lost, its own confirming write failed) are counted once.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class ReportDedupeTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task AnOutcomeAndAPurchaseReportSentAgainAreCountedOnceSoConversionsRevenueAndCostStayExact()
    {
        var scope = "d" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var (definition, campaign, member) = await CampaignTestKit.CreateTriggeredAsync(cluster.Client, scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase });
        var grant = await campaign.RequestGrantAsync(member);
        Assert.Equal(CampaignGroups.Arm, grant.Group);

        // What the member's outbox sends, each twice: the first answer was lost, so the member sends it again.
        var sent = new CampaignOutcomeReport { MemberId = member, Arm = grant.Arm!, From = "", To = CampaignOutcomes.Sent, ReportId = $"{member}|campaign-outcome:{definition.Id}:>sent" };
        var bought = new CampaignPurchaseReport
        {
            MemberId = member, Group = CampaignGroups.Arm, Arm = grant.Arm, Amount = 120.50m, Conversion = true, EventId = "p-1",
            ReportId = $"{member}|campaign-purchase:{definition.Id}:p-1",
        };
        var again = bought with { Amount = 30m, Conversion = false, EventId = "p-2", ReportId = $"{member}|campaign-purchase:{definition.Id}:p-2" };
        foreach (var _ in Enumerable.Range(0, 2))
        {
            await campaign.ReportOutcomeAsync(sent);
            await campaign.ReportPurchaseAsync(bought);
        }

        await campaign.ReportPurchaseAsync(again);

        var results = (await campaign.GetResultsAsync())!;
        var view = (await campaign.GetAsync())!;
        Assert.Equal(1, view.Progress.Sent);
        Assert.Equal(1, view.GrantsReserved);
        Assert.Equal(1, results.Treated.Audience);
        Assert.Equal(1, results.Treated.Converted);
        Assert.Equal(150.50m, results.Treated.Revenue);
        Assert.Equal(5m, results.Treated.Cost);
    }

    [Fact]
    public async Task AReportSentAgainWritesNothingItWaitsForTheStoredFirstCount()
    {
        var scope = "dw" + Guid.NewGuid().ToString("N")[..8];
        var (definition, campaign, member) = await CampaignTestKit.CreateTriggeredAsync(cluster.Client, scope, Now, scope + "-east", new CampaignTrigger { EventType = EventTypes.Purchase });
        var grant = await campaign.RequestGrantAsync(member);
        var sent = new CampaignOutcomeReport { MemberId = member, Arm = grant.Arm!, From = "", To = CampaignOutcomes.Sent, ReportId = $"{member}|campaign-outcome:{definition.Id}:>sent" };
        var bought = new CampaignPurchaseReport
        {
            MemberId = member, Group = CampaignGroups.Arm, Arm = grant.Arm, Amount = 99.90m, Conversion = true, EventId = "p-1",
            ReportId = $"{member}|campaign-purchase:{definition.Id}:p-1",
        };
        await campaign.ReportOutcomeAsync(sent);
        await campaign.ReportPurchaseAsync(bought);
        var writes = cluster.Faults.WritesOf(definition.Id);

        // The repeats are answered from the stored first count (the gate settled), without a write of their own.
        await campaign.ReportOutcomeAsync(sent);
        await campaign.ReportPurchaseAsync(bought);
        Assert.Equal(writes, cluster.Faults.WritesOf(definition.Id));
        var stored = cluster.Faults.Stored<CampaignGrainState>(definition.Id)!;
        Assert.Equal((1L, 1L, 99.90m), (stored.Groups[grant.Arm!].Sent, stored.Groups[grant.Arm!].Converted, stored.Groups[grant.Arm!].Revenue));
    }

    [Fact]
    public async Task APurchaseThatMeetsItsWaitingRefundReportsBothItsConversionAndTheRefund()
    {
        var scope = "d" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var (definition, campaign, buyer) = await CampaignTestKit.CreateTriggeredAsync(cluster.Client, scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase, MinAmount = 200m });
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        await member.ApplyEventAsync(Events.Purchase(buyer, buyer + "-1", 300m, Now.AddMinutes(-5), region: region));
        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(definition.Id))!.Group);

        // The POS uploads the refund of order -2 before the order itself: it waits, and is applied with the purchase.
        await member.ApplyEventAsync(Events.Refund(buyer, buyer + "-2", 100m, Now, eventId: "r-" + buyer + "-2"));
        await member.ApplyEventAsync(Events.Purchase(buyer, buyer + "-2", 400m, Now, region: region));

        var results = await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Converted > 0 && r.Treated.Revenue == 300m);
        Assert.Equal(300m, (await member.GetCampaignMembershipAsync(definition.Id))!.Revenue);
        Assert.Equal(1, results.Treated.Converted);
        Assert.Equal(300m, results.Treated.Revenue);
    }
}
