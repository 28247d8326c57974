using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A broadcast spends its budget to the limit while audience members are left, never past it.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class BudgetSpendingTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task GrantsThatSuppressedMembersDidNotTakeGoToLaterMembersUntilTheBudgetIsSpent()
    {
        var scope = "g" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 400);

        // Every other member opted out of push: its touch is suppressed, it takes no grant.
        var optedOut = members.Where((_, i) => i % 2 == 0).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var chunk in optedOut.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(id => cluster.Client.GetGrain<IMemberGrain>(id).SetConsentAsync(new Dictionary<string, bool> { ["push"] = false })));
        }

        var definition = Broadcast(scope + "-spend", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }, unitCost: 10m) with
        {
            Budget = new CampaignBudget { MaxGrants = 30 },
        };

        var done = await CreateAndRunAsync(cluster.Client, definition);

        // About 170 members could take a grant: the 30 of the budget are all given, and no more.
        var touched = cluster.Outbox.Sent.Where(t => t.CampaignId == definition.Id).Select(t => t.MemberId).Distinct().ToList();
        Assert.Equal(30, done.GrantsReserved);
        Assert.Equal(300m, done.CostReserved);
        Assert.Equal(30, done.Progress.Sent + done.Progress.Deferred);
        Assert.Equal(done.Progress.Sent, touched.Count);
        Assert.DoesNotContain(touched, optedOut.Contains);
        Assert.True(done.Progress.Suppressed > 0);
        Assert.True(done.Progress.BudgetSkipped > 0);
        Assert.Equal(members.Count, done.Progress.Reached);
    }
}
