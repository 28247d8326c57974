using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Offers;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// A touch that hands a coupon over goes out only once the coupon's code is in the directory: a POS looks the code up
/// (<c>GET /coupons/{code}</c>) when the member shows it.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class CouponTouchOrderTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task ACouponTouchWaitsWhileItsCodeIsNotRegisteredAndGoesOutWithIt()
    {
        var id = MemberClusterFixture.NewMemberId("ct");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 200m, Now.AddHours(-1)));
        var delivery = new CampaignDelivery
        {
            CampaignId = id + "-W20", Group = CampaignGroups.Arm, Arm = "main", Channel = "push", ValidUntil = Now.AddDays(7),
            Offer = new CampaignOffer
            {
                Kind = OfferKinds.Coupon, Code = "W20", UnitCost = 20m,
                Coupon = new CouponGrant { Kind = "threshold", Value = 20m, MinSpend = 200m, ValidDays = 7 },
            },
        };

        // The directory insert fails once: the member holds the coupon, but no POS could find its code yet.
        cluster.CouponDirectory.FailNext(id, 1);
        Assert.Equal(CampaignOutcomes.Sent, (await member.DeliverCampaignAsync(delivery)).Outcome);
        var code = Assert.Single(await member.GetCouponsAsync(), c => c.OfferId == delivery.CampaignId).Code;
        Assert.Null(await cluster.CouponDirectory.FindMemberAsync(code));
        Assert.DoesNotContain(cluster.Outbox.Sent, t => t.MemberId == id && t.CampaignId == delivery.CampaignId);
        var pending = cluster.Faults.Stored<MemberGrainState>(id)!.Member.Outbox.Pending;
        Assert.Contains(pending, e => e is RegisterCouponCode r && r.Code == code);
        Assert.Contains(pending, e => e is PublishTouch t && t.Touch.CouponCode == code);

        // The member's next emit registers the code, then sends the touch naming it.
        await member.ApplyEventAsync(Events.Of("login", id, Now));

        Assert.Equal(id, await cluster.CouponDirectory.FindMemberAsync(code));
        Assert.Single(cluster.Outbox.Sent, t => t.MemberId == id && t.CampaignId == delivery.CampaignId && t.CouponCode == code);
    }
}
