using System.Runtime.CompilerServices;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The answer to an applied event (<see cref="EventReplies.Applied"/>, one per event on the member's hot path) is one
/// <see cref="ApplyResult"/>: it was made and then copied by a <c>with</c> to set the refused coupons, on every event,
/// though nearly none has any.
/// </summary>
public sealed class EventRepliesAllocationTests
{
    private static readonly EventDecision Decision = new() { Status = EventStatus.Applied, StateChanged = true, Tier = "silver", PointsBalance = 120, GrowthValue = 340 };

    [Fact]
    public void AnAppliedEventWithoutRefusedCouponsIsAnsweredWithOneResult()
    {
        var reply = EventReplies.Applied(Decision, []);
        Assert.Equal(new ApplyResult { Status = ApplyStatus.Applied, Tier = "silver", PointsBalance = 120, GrowthValue = 340 }, reply);

        var one = AllocationProbe.FewestBytes(() => GC.KeepAlive(RuntimeHelpers.GetUninitializedObject(typeof(ApplyResult))), calls: 50);
        Assert.Equal(one, AllocationProbe.FewestBytes(() => GC.KeepAlive(EventReplies.Applied(Decision, [])), calls: 50));
    }

    [Fact]
    public void AnAppliedPurchaseWithARefusedCouponNamesIt()
    {
        const string Detail = "coupon 7K3M9QXR2WTB4HNP expired on 2026-11-30";
        var reply = EventReplies.Applied(Decision, [new CouponEventRefusal("7K3M9QXR2WTB4HNP", "O1", "coupon_expired", Detail)]);

        var refused = Assert.Single(reply.RefusedCoupons!);
        Assert.Equal("7K3M9QXR2WTB4HNP", refused.Code);
        Assert.Equal("coupon_expired", refused.Reason);
        Assert.Equal(CouponCodes.Mask(Detail), refused.Detail);
        Assert.Equal((ApplyStatus.Applied, "silver", 120L, 340L), (reply.Status, reply.Tier, reply.PointsBalance, reply.GrowthValue));
    }
}
