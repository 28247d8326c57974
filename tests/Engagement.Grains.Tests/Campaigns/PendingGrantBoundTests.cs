using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A triggered campaign's grants awaiting their members' confirmation are bounded, and counted exactly past the bound.</summary>
[Collection(SmallCampaignMemoryCollection.Name)]
public sealed class PendingGrantBoundTests(SmallCampaignMemoryFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task GrantsAwaitingConfirmationStayWithinTheBoundAndARefusedOneIsNotCounted()
    {
        var scope = "pg" + Guid.NewGuid().ToString("N")[..8];
        var region = scope + "-east";
        var definition = CampaignTestKit.Triggered(scope, Now, region, new CampaignTrigger { EventType = EventTypes.Purchase });
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);
        var bound = SmallCampaignMemoryFixture.MaxPendingGrants;

        // Members whose events matched ask for their grants; none confirms yet (their own writes are held up).
        var members = Enumerable.Range(0, bound + 4).Select(i => $"{scope}-{i}").ToList();
        var grants = new List<CampaignGrant>();
        foreach (var member in members)
        {
            grants.Add(await campaign.RequestGrantAsync(member));
        }

        Assert.All(grants.Take(bound), g => Assert.NotNull(g.Delivery));
        Assert.All(grants.Skip(bound), g =>
        {
            Assert.Equal(CampaignGroups.None, g.Group);
            Assert.Null(g.Delivery);
            Assert.Contains("MaxPendingGrants", g.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(bound, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants.Count);
        var view = (await campaign.GetAsync())!;
        Assert.Equal(bound, view.Progress.Reached);
        Assert.Equal(grants.Take(bound).Count(g => g.Group == CampaignGroups.Arm), view.GrantsReserved);

        // A pending member asking again gets its grant, counted once; a confirmation makes room for the next member.
        Assert.Equal(grants[1].Arm, (await campaign.RequestGrantAsync(members[1])).Arm);
        await campaign.ReportOutcomeAsync(new CampaignOutcomeReport
        {
            MemberId = members[0], Arm = grants[0].Arm ?? "", From = "", To = grants[0].Group == CampaignGroups.Arm ? CampaignOutcomes.Sent : CampaignOutcomes.Held,
            ReportId = $"{members[0]}|campaign-outcome:{definition.Id}:>sent",
        });
        Assert.NotNull((await campaign.RequestGrantAsync(members[bound])).Delivery);

        view = (await campaign.GetAsync())!;
        Assert.Equal(bound + 1, view.Progress.Reached);
        Assert.Equal(bound, cluster.Faults.Stored<CampaignGrainState>(definition.Id)!.PendingGrants.Count);
    }
}
