using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// The benefits a replayed lift back grants (CONTRACT.md §2: granted on entering a tier) are dated at the instant the tier
/// was regained in order (§1.1: a late event has the effect it would have had in order), as the <c>tier.upgrade</c> entry and
/// tierSince are, not at the late event's arrival.
/// </summary>
public class TierLiftBackBenefitDatesTests
{
    [Fact]
    public void TheBenefitsOfTheRegainedTierAreDatedAtTheLiftBack()
    {
        // Default programme. O-0 4,500 (20 Feb, V2), O-1 5,000 (25 Feb, V3), 4,400 of O-0 refunded on 1 Mar (5,100: V3 kept),
        // O-3 4,200 on 5 Mar. The late refund of 4,200 of O-1 dated 28 Feb arrives on 10 Mar. In order: 1 Mar 900 takes V3
        // down to V1 (both benefits removed), 5 Mar 5,100 lifts the member back to V3: the birthday coupon (V2) and priority
        // booking (V3) are granted again on 5 Mar, not on 10 Mar.
        var member = new TestMember(TestMember.Shanghai(2026, 2, 20));
        member.Purchase("O-0", 4500m, eventId: "e-0");
        member.Now = TestMember.Shanghai(2026, 2, 25);
        member.Purchase("O-1", 5000m, eventId: "e-1");
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Refund("O-0", 4400m, eventId: "e-r0");
        member.Now = TestMember.Shanghai(2026, 3, 5);
        member.Purchase("O-3", 4200m, eventId: "e-3");
        member.Now = TestMember.Shanghai(2026, 3, 10);

        var late = member.Refund("O-1", 4200m, at: TestMember.Shanghai(2026, 2, 28), eventId: "e-late-refund");

        var regained = TestMember.Shanghai(2026, 3, 5);
        Assert.Equal(
            [(RuleIds.TierUpgrade, regained)],
            late.NewEntries.Where(e => e.RuleId == RuleIds.TierUpgrade).Select(e => (e.RuleId, e.EffectiveOccurredAt)));
        Assert.Equal(
            [("birthday-coupon", regained), ("priority-booking", regained)],
            member.State.Benefits.OrderBy(b => b.Code, StringComparer.Ordinal).Select(b => (b.Code, b.GrantedAt)));
        Assert.Equal(
            [("birthday-coupon", regained), ("priority-booking", regained)],
            late.BenefitsGranted.OrderBy(b => b.Code, StringComparer.Ordinal).Select(b => (b.Code, b.GrantedAt)));
    }
}
