using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A report a member sends again is counted once however many other members reported in between: the campaign keeps a
/// report's id until its member has stored that it will not send it again, not merely the newest ids.
/// </summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class ReportRetryTests(SmallCampaignMemoryFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task APurchaseReportResentAfterMoreOtherReportsThanTheCampaignRemembersIsCountedOnce()
    {
        var scope = "rr" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var ids = CampaignTestKit.ArmBuyers(scope, 200).ToList();
        var buyer = ids[0];
        var member = cluster.Client.GetGrain<IMemberGrain>(buyer);
        await member.ApplyEventAsync(Events.Purchase(buyer, buyer + "-1", 300m, Now.AddMinutes(-5), region: region));
        Assert.Equal(CampaignGroups.Arm, (await member.GetCampaignMembershipAsync(definition.Id))!.Group);

        // The next purchase is attributed and its report counted, but the member's write confirming the report fails:
        // the report stays in its stored outbox and goes again with the member's next change.
        cluster.Faults.FailWritesAfter(buyer, 1);
        await member.ApplyEventAsync(Events.Purchase(buyer, buyer + "-2", 120m, Now, region: region));
        cluster.Faults.Heal(buyer);
        Assert.Equal(1, cluster.Faults.FailuresOf(buyer));
        Assert.Equal(120m, (await campaign.GetResultsAsync())!.Treated.Revenue);

        // Meanwhile three times as many members as the campaign remembers report ids fire it and report their outcomes.
        var others = ids.Skip(1).Take(3 * SmallCampaignMemoryFixture.ReportDedupeCapacity).ToList();
        foreach (var other in others)
        {
            await cluster.Client.GetGrain<IMemberGrain>(other).ApplyEventAsync(Events.Purchase(other, other + "-1", 300m, Now.AddMinutes(-5), region: region));
        }

        // The buyer's next event meets its state as stored and sends the unconfirmed report again.
        await member.ApplyEventAsync(new EngagementEvent { EventId = buyer + "-login", Type = EventTypes.Login, MemberId = buyer, OccurredAt = Now, RegionId = region });

        var results = (await campaign.GetResultsAsync())!;
        Assert.Equal(others.Count + 1, results.Treated.Audience);
        Assert.Equal(1, results.Treated.Converted);
        Assert.Equal(120m, results.Treated.Revenue);
    }
}
