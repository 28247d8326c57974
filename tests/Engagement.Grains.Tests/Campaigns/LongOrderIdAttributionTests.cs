using System.Globalization;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// Campaign revenue for orders whose ids are the longest the contract allows (128 Chinese code points, CONTRACT.md §1),
/// which a membership keeps as keys (Domain: <c>AttributedOrder.OrderId</c>): a refund naming the order as sent takes its
/// revenue back once, and a refund that arrived before its order is met when the order comes.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class LongOrderIdAttributionTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    /// <summary>128 Chinese code points ending in the member's scope digits and <paramref name="n"/>.</summary>
    private static string CjkOrderId(string buyer, int n)
    {
        var tail = buyer[^8..] + n.ToString("D2", CultureInfo.InvariantCulture);
        return "订" + new string('单', 127 - tail.Length) + tail;
    }

    [Fact]
    public async Task RefundsNamingALongOrderIdAsSentTakeBackItsAttributedRevenueAndMeetALateOrder()
    {
        var scope = "l" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var (definition, campaign, buyer) = await CampaignTestKit.CreateTriggeredAsync(cluster.Client, scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase, MinAmount = 200m });
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        var (trigger, counted, late) = (CjkOrderId(buyer, 1), CjkOrderId(buyer, 2), CjkOrderId(buyer, 3));
        Assert.Equal(128, trigger.Length);

        // The trigger purchase precedes the assignment (not revenue); the next is inside the window: 400 CNY.
        await member.ApplyEventAsync(Events.Purchase(buyer, trigger, 300m, Now.AddMinutes(-5), eventId: "p1-" + buyer, region: region));
        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(definition.Id))!.Group);
        await member.ApplyEventAsync(Events.Purchase(buyer, counted, 400m, Now, eventId: "p2-" + buyer, region: region));
        Assert.Equal(400m, (await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue == 400m)).Treated.Revenue);

        // 150 back of the counted order (delivered twice), and a refund of the trigger order the campaign never counted.
        var refund = Events.Refund(buyer, counted, 150m, Now, eventId: "r1-" + buyer);
        await member.ApplyEventAsync(refund);
        await member.ApplyEventAsync(refund);
        await member.ApplyEventAsync(Events.Refund(buyer, trigger, 300m, Now, eventId: "r0-" + buyer));
        Assert.Equal(250m, (await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue != 400m)).Treated.Revenue);

        // A refund the POS uploaded before its order: it waits, and the order it meets counts 500 - 100.
        await member.ApplyEventAsync(Events.Refund(buyer, late, 100m, Now, eventId: "r3-" + buyer));
        await member.ApplyEventAsync(Events.Purchase(buyer, late, 500m, Now, eventId: "p3-" + buyer, region: region));
        var results = await CampaignTestKit.ResultsWhenAsync(campaign, r => r.Treated.Revenue != 250m);
        Assert.Equal((650m, 1L), (results.Treated.Revenue, results.Treated.Converted));
        Assert.Equal(650m, (await member.GetCampaignMembershipAsync(definition.Id))!.Revenue);
    }
}
