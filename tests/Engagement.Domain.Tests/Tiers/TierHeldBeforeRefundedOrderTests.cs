using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// The exception to "a refund drops the tier at once" (CONTRACT.md §2): a member that held its tier since before every
/// order the refund refunded runs the grace instead. It needs such an order: with none found at the instant, the rule holds.
/// </summary>
public class TierHeldBeforeRefundedOrderTests
{
    [Fact]
    public void ARefundInstantWithNoRefundedOrderFoundIsNoTierHeldBeforeItsOrder()
    {
        // V2 since 1 Jan; O-1 (1 Feb) refunded on 1 Mar. No order has a refund at 2 Mar: nothing shows the tier was held
        // before the order refunded there, so the grace exception does not apply (vacuously true before the fix).
        var member = new TestMember(TestMember.Shanghai(2026, 2, 1));
        member.Purchase("O-1", 1500m);
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Refund("O-1", 100m);
        var heldSince = TestMember.Shanghai(2026, 1, 1);

        Assert.True(TierPolicy.HeldBeforeEveryOrderRefunded(member.State, heldSince, TestMember.Shanghai(2026, 3, 1).UtcTicks));
        Assert.False(TierPolicy.HeldBeforeEveryOrderRefunded(member.State, TestMember.Shanghai(2026, 2, 2), TestMember.Shanghai(2026, 3, 1).UtcTicks));
        Assert.False(TierPolicy.HeldBeforeEveryOrderRefunded(member.State, heldSince, TestMember.Shanghai(2026, 3, 2).UtcTicks));
        Assert.False(TierPolicy.HeldBeforeEveryOrderRefunded(new MemberState(), heldSince, TestMember.Shanghai(2026, 3, 1).UtcTicks));
    }
}
