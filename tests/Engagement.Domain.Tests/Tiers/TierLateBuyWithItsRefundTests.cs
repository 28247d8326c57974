using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late purchase delivered with a refund of its own order, the refund made before the later purchase that completed the
/// upgrade the late purchase brought (CONTRACT.md §1.1, §2: in order the refund counted before that move). The member ends
/// as one who got the same events in occurredAt order: the same tier, tierSince (not the arrival), growth, benefits with
/// their grant dates, points balance, and tier entries that explain the tier.
/// </summary>
public class TierLateBuyWithItsRefundTests
{
    private static readonly DateTimeOffset Arrival = TestMember.Shanghai(2026, 4, 10, 11, 7);

    private static readonly Step LateBuy = Step.Buy(TestMember.Shanghai(2026, 1, 9, 15, 10), "O-0", 3552m, "e-late-buy");

    private static readonly Step LateRefund = Step.Refund(TestMember.Shanghai(2026, 1, 15, 22, 24), "O-0", 3552m, "e-late-refund");

    private static readonly Step[] OnTime =
    [
        Step.Buy(TestMember.Shanghai(2026, 1, 28, 0, 55), "O-2", 995m),
        Step.Buy(TestMember.Shanghai(2026, 2, 9, 2, 1), "O-3", 16_859.5m),
    ];

    [Fact]
    public void ThePurchaseAndItsRefundArrivingLastLeaveTierSinceWhereTheLaterPurchaseReachedTheTier()
    {
        // V3 since 9 Feb (17,854). O-0 3,552 bought 9 Jan and refunded in full 15 Jan arrive on 10 Apr: the purchase alone
        // lifts V3 to V4 dated 9 Feb (21,406 with O-2 and O-3), and its refund takes V4 back. In order it counted before
        // 9 Feb: V3 since 9 Feb. The old rule dated V3 at the arrival (tierSince 10 Apr).
        var (inOrder, late) = Both(refundFirst: false);
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 9, 2, 1)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.DoesNotContain(late.State.Benefits, b => b.Code == "dedicated-advisor");
    }

    [Fact]
    public void TheRefundHeldForItsPurchaseEndsTheSame()
    {
        // The same events, the refund delivered first (held until its purchase arrives, then applied right after it).
        var (inOrder, late) = Both(refundFirst: true);
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 9, 2, 1)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
    }

    [Fact]
    public void ARefundLeavingALowerTierThanTheLateUpgradeDatesItWhereTheLatePurchaseReachedIt()
    {
        // V1 (O-1 189.50 on 28 Jan, 117 of it refunded 21 Feb; O-4 678 on 20 Mar). O-0 19,753 bought 25 Jan and 11,742 of it
        // refunded 3 Mar arrive on 17 Apr: the purchase lifts V1 to V4 dated 20 Mar (20,503), its refund takes V4 to V3
        // (8,761). In order O-0 reached V3 on 25 Jan and the refund kept it: V3 since 25 Jan, not the arrival.
        var lateBuy = Step.Buy(TestMember.Shanghai(2026, 1, 25, 18, 50), "O-0", 19_753m, "e-late-buy");
        var lateRefund = Step.Refund(TestMember.Shanghai(2026, 3, 3, 8, 5), "O-0", 11_742m, "e-late-refund");
        Step[] onTime =
        [
            Step.Buy(TestMember.Shanghai(2026, 1, 28, 20, 40), "O-1", 189.5m),
            Step.Refund(TestMember.Shanghai(2026, 2, 21, 22, 30), "O-1", 117m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20, 9, 59), "O-4", 678m),
        ];
        var arrival = TestMember.Shanghai(2026, 4, 17, 11, 7);
        var inOrder = TierSteps.After(null, [.. onTime.Append(lateBuy).Append(lateRefund).OrderBy(s => s.At)]);
        inOrder.Now = arrival;
        var late = TierSteps.After(null, onTime);
        late.Now = arrival;
        late.Purchase(lateBuy.Order!, lateBuy.Amount, at: lateBuy.At, eventId: lateBuy.EventId);
        late.Refund(lateRefund.Order!, lateRefund.Amount, at: lateRefund.At, eventId: lateRefund.EventId);

        Assert.Equal(("V3", TestMember.Shanghai(2026, 1, 25, 18, 50)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
    }

    [Fact]
    public void ARefundKeepingTheTierDatesItWhereGrowthNetOfTheRefundReachedIt()
    {
        // V2 since 13 Feb (O-2 3,401; O-3 839 on 14 Mar, O-4 5,938 on 27 Mar: V3; O-5 5,170 on 16 Apr: 15,348). O-0 9,891
        // bought 6 Jan and 3,981 of it refunded 23 Jan arrive on 3 Jun: the purchase lifts V3 to V4 dated 27 Mar (20,069
        // with O-0 whole), its refund leaves 21,258, still V4. In order the refund counted before 27 Mar: V4 reached on
        // 16 Apr (21,258), and the dedicated advisor came then. The old rule left both at 27 Mar.
        var (inOrder, late) = KeptV4(assignAdvisor: false);
        Assert.Equal(("V4", TestMember.Shanghai(2026, 4, 16, 21, 20)), (inOrder.Tier, inOrder.State.TierSince));
        Assert.Equal((inOrder.Tier, inOrder.State.TierSince), (late.Tier, late.State.TierSince));
        Assert.Equal(TimeSpan.Zero, late.State.TierSince!.Value.Offset);
        Assert.Equal(Advisor(inOrder).GrantedAt, Advisor(late).GrantedAt);
        Assert.Equal((inOrder.Growth, inOrder.Balance), (late.Growth, late.Balance));
        Assert.Equal(3, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta));
    }

    [Fact]
    public void AnAdvisorAssignedBeforeTheRefundIsNotAssignedAgainForTheSameReach()
    {
        // The advisor of the V4 the late purchase brought was assigned before its refund arrived (key tier:{27 Mar}); the
        // refund dates that V4 reach 16 Apr: the same reach, not a new one, so no second assignment.
        var (_, late) = KeptV4(assignAdvisor: true);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 21, 20), Advisor(late).GrantedAt);
        var again = BenefitUses.AssignAdvisorsDue(late.State, AdvisorOffers, late.Options, late.Now);
        Assert.Empty(again.Reply);
        Assert.Single(late.State.Offers!.BenefitUses, u => u.Code == BenefitUses.DedicatedAdvisor);
    }

    private static readonly OffersOptions AdvisorOffers = new() { CouponSecret = Offers.CouponTestKit.Secret };

    private static GrantedBenefit Advisor(TestMember member) => Assert.Single(member.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor);

    /// <summary>
    /// The seed 142 history of the oracle (Shanghai time): in order, and with O-0 and its refund arriving last on 3 Jun
    /// (with <paramref name="assignAdvisor"/>, the advisor assigned between the purchase and its refund).
    /// </summary>
    private static (TestMember InOrder, TestMember Late) KeptV4(bool assignAdvisor)
    {
        var lateBuy = Step.Buy(TestMember.Shanghai(2026, 1, 6, 18, 19), "O-0", 9891m, "e-late-buy");
        var lateRefund = Step.Refund(TestMember.Shanghai(2026, 1, 23, 1, 12), "O-0", 3981m, "e-late-refund");
        Step[] onTime =
        [
            Step.Buy(TestMember.Shanghai(2026, 2, 13, 6, 15), "O-2", 3401m),
            Step.Buy(TestMember.Shanghai(2026, 3, 14, 12, 51), "O-3", 839m),
            Step.Buy(TestMember.Shanghai(2026, 3, 27, 19, 41), "O-4", 5938m),
            Step.Buy(TestMember.Shanghai(2026, 4, 16, 21, 20), "O-5", 5170m),
        ];
        var arrival = TestMember.Shanghai(2026, 6, 3, 11, 7);
        var inOrder = TierSteps.After(null, [.. onTime.Append(lateBuy).Append(lateRefund).OrderBy(s => s.At)]);
        inOrder.Now = arrival;
        var late = TierSteps.After(null, onTime);
        late.Now = arrival;
        late.Purchase(lateBuy.Order!, lateBuy.Amount, at: lateBuy.At, eventId: lateBuy.EventId);
        if (assignAdvisor)
        {
            Assert.Equal(TestMember.Shanghai(2026, 3, 27, 19, 41), Advisor(late).GrantedAt);
            Assert.Single(BenefitUses.AssignAdvisorsDue(late.State, AdvisorOffers, late.Options, late.Now).Reply);
        }

        late.Refund(lateRefund.Order!, lateRefund.Amount, at: lateRefund.At, eventId: lateRefund.EventId);
        return (inOrder, late);
    }

    /// <summary>
    /// One member gets every event in occurredAt order, each at its own instant; the other gets the on-time ones so, then
    /// the late purchase and its refund on <see cref="Arrival"/> (the refund first, held, with <paramref name="refundFirst"/>).
    /// Both are read at <see cref="Arrival"/>.
    /// </summary>
    private static (TestMember InOrder, TestMember Late) Both(bool refundFirst)
    {
        var inOrder = TierSteps.After(null, [.. OnTime.Append(LateBuy).Append(LateRefund).OrderBy(s => s.At)]);
        inOrder.Now = Arrival;
        var late = TierSteps.After(null, OnTime);
        late.Now = Arrival;
        if (refundFirst)
        {
            late.Refund(LateRefund.Order!, LateRefund.Amount, at: LateRefund.At, eventId: LateRefund.EventId);
        }

        late.Purchase(LateBuy.Order!, LateBuy.Amount, at: LateBuy.At, eventId: LateBuy.EventId);
        if (!refundFirst)
        {
            late.Refund(LateRefund.Order!, LateRefund.Amount, at: LateRefund.At, eventId: LateRefund.EventId);
        }

        return (inOrder, late);
    }

    /// <summary>Tier, tierSince (UTC), growth, grace, benefits (grant dates included), balance, and tier entries summing to the tier's rank.</summary>
    private static void AssertSame(TestMember inOrder, TestMember late) => TierSteps.AssertEndsAlike(inOrder, late, _ => true);
}
