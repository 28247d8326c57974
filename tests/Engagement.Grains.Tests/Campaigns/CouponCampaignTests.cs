using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Grains.Campaigns;
using static Engagement.Grains.Tests.Campaigns.CampaignTestKit;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>A coupon campaign's offers are real coupons: one per arm member that holds a grant, none for control, within the budget.</summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class CouponCampaignTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task ACampaignWhoseCouponCouldNeverBeIssuedIsNotCreated()
    {
        // Created by any caller, not only the API: the grain itself refuses a threshold coupon below its value.
        var definition = Broadcast("k" + Guid.NewGuid().ToString("N")[..8] + "-bad", Now, new CampaignAudience()) with
        {
            Offer = new CampaignOffer
            {
                Kind = OfferKinds.Coupon, Code = "T50", UnitCost = 50m,
                Coupon = new CouponGrant { Kind = "threshold", Value = 50m, MinSpend = 20m, ValidDays = 7 },
            },
        };

        var result = await cluster.Client.GetGrain<ICampaignGrain>(definition.Id).CreateAsync(definition);

        Assert.Equal(CampaignCreateResult.Invalid, result.Status);
        Assert.Equal("offer.coupon.minSpend", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public async Task APausedAndResumedCouponFanOutIssuesOneCouponPerGrantNeverPastTheBudgetAndTheTouchCarriesItsCode()
    {
        var scope = "k" + Guid.NewGuid().ToString("N")[..8];
        var members = await CreateMembersAsync(cluster.Client, Now, scope, 600);
        var definition = Broadcast(scope + "-coupon", Now, new CampaignAudience { Regions = [scope + "-east", scope + "-west", scope + "-north"] }) with
        {
            Offer = new CampaignOffer
            {
                Kind = OfferKinds.Coupon, Code = "W20", UnitCost = 20m,
                Coupon = new CouponGrant { Kind = "threshold", Value = 20m, MinSpend = 200m, ValidDays = 7 },
            },
            Budget = new CampaignBudget { MaxGrants = 250 },
        };
        var campaign = cluster.Client.GetGrain<ICampaignGrain>(definition.Id);
        Assert.Equal(CampaignCreateResult.Created, (await campaign.CreateAsync(definition)).Status);

        // Stop the fan-out at a page boundary (as a crash would leave it at its last checkpoint), then go on from there.
        var first = members.Select(m => m.Id).Where(id => MemberIndexShards.ShardOf(id, 16) == 0).Order(StringComparer.Ordinal).First();
        var held = cluster.IndexGate.HoldRead(first, nth: 2);
        Assert.Equal(CampaignTriggerResult.Started, (await campaign.TriggerAsync()).Status);
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(CampaignControlResult.Changed, (await campaign.PauseAsync()).Status);
        cluster.IndexGate.Release();
        Assert.Equal(CampaignControlResult.Changed, (await campaign.ResumeAsync()).Status);
        var done = await UntilCompletedAsync(campaign);
        Assert.Equal(CampaignTriggerResult.Already, (await campaign.TriggerAsync()).Status);

        var memberships = await MembershipsAsync(cluster.Client, members, definition.Id);
        var issued = 0;
        foreach (var member in members)
        {
            var coupons = (await cluster.Client.GetGrain<IMemberGrain>(member.Id).GetCouponsAsync()).Where(c => c.OfferId == definition.Id).ToList();
            // A member past the budget has no membership at all.
            var m = memberships[member.Id];
            if (m is { Group: CampaignGroups.Arm, Outcome: CampaignOutcomes.Sent or CampaignOutcomes.Deferred })
            {
                var coupon = Assert.Single(coupons);
                Assert.Equal(("threshold", 200m), (coupon.Kind, coupon.MinSpend));
                if (m.Outcome == CampaignOutcomes.Sent)
                {
                    Assert.Contains(cluster.Outbox.Sent, t => t.MemberId == member.Id && t.CampaignId == definition.Id && t.CouponCode == coupon.Code);
                }

                issued++;
            }
            else
            {
                Assert.Empty(coupons);
            }
        }

        Assert.Equal(250, issued);
        Assert.True(done.Progress.BudgetSkipped > 0);
        Assert.Equal(done.GrantsReserved, issued);
        Assert.Equal(done.Progress.Sent + done.Progress.Deferred, issued);
    }
}
