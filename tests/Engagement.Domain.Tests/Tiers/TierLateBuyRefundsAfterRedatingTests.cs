using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// The seed 142 history of the oracle (Shanghai time), further refunds arriving after the first refund of the late
/// purchase's order kept V4 and moved tierSince from the upgrade's date (27 Mar) to where growth net of it reached V4
/// (16 Apr), CONTRACT.md §1.1, §2: V2 since 13 Feb (O-2 3,401; O-3 839 on 14 Mar, O-4 5,938 on 27 Mar: V3; O-5 5,170
/// on 16 Apr); O-0 9,891 bought 6 Jan and 3,981 of it refunded 23 Jan arrive on 3 Jun. The member ends as one who got the
/// same events in occurredAt order: tier, tierSince, the advisor's grant date (the late V4 reach's), growth, points balance, and tier
/// entries that explain the tier. (The lower tiers' benefits stay at the live moves: docs/ledger.md's "late purchase dated
/// before the live upgrade" class.)
/// </summary>
public class TierLateBuyRefundsAfterRedatingTests
{
    private static readonly DateTimeOffset Arrival = TestMember.Shanghai(2026, 6, 3, 11, 7);

    private static readonly Step Buy = Step.Buy(TestMember.Shanghai(2026, 1, 6, 18, 19), "O-0", 9891m, "e-late-buy");

    private static readonly Step FirstRefund = Step.Refund(TestMember.Shanghai(2026, 1, 23, 1, 12), "O-0", 3981m, "e-late-refund");

    private static readonly Step[] OnTime =
    [
        Step.Buy(TestMember.Shanghai(2026, 2, 13, 6, 15), "O-2", 3401m),
        Step.Buy(TestMember.Shanghai(2026, 3, 14, 12, 51), "O-3", 839m),
        Step.Buy(TestMember.Shanghai(2026, 3, 27, 19, 41), "O-4", 5938m),
        Step.Buy(TestMember.Shanghai(2026, 4, 16, 21, 20), "O-5", 5170m),
    ];

    [Fact]
    public void ASecondRefundOfTheOrderTakingTheTierAfterTheRedatingDatesItAsInOrder()
    {
        // 2,000 more of O-0 refunded 24 Jan, arriving after the first refund moved V4 to 16 Apr: 19,258 left, V3. In order
        // O-0 less both refunds (3,910) lost V3 on 24 Jan and O-2 reached it again on 13 Feb: V3 since 13 Feb. The upgrade's
        // entry still dated 27 Mar no longer matched tierSince, so the drop was dated at the arrival (3 Jun).
        var (inOrder, late) = Both(OnTime, [Buy, FirstRefund, Step.Refund(TestMember.Shanghai(2026, 1, 24, 10, 0), "O-0", 2000m, "e-second-refund")]);
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 13, 6, 15)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.DoesNotContain(late.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor);
    }

    [Fact]
    public void ASecondRefundKeepingTheTierMovesItFromTheRedatedTierSince()
    {
        // O-6 2,000 on 1 May too, and 2,000 more of O-0 refunded 24 Jan: 21,258 now, V4 kept. In order V4 came on 1 May
        // (19,258 on 16 Apr), with the advisor. The second refund found tierSince (16 Apr) apart from the entry's date and
        // left both V4 and the advisor at 16 Apr.
        var (inOrder, late) = Both(
            [.. OnTime, Step.Buy(TestMember.Shanghai(2026, 5, 1, 10, 0), "O-6", 2000m)],
            [Buy, FirstRefund, Step.Refund(TestMember.Shanghai(2026, 1, 24, 10, 0), "O-0", 2000m, "e-second-refund")]);
        Assert.Equal(("V4", TestMember.Shanghai(2026, 5, 1, 10, 0)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.Equal(TestMember.Shanghai(2026, 5, 1, 10, 0), Advisor(late).GrantedAt);
    }

    [Fact]
    public void AnAdvisorAssignedBeforeBothRefundsIsNotAssignedAgain()
    {
        // The advisor of the late V4 assigned on its first date (27 Mar); the two refunds date that reach 16 Apr, then 1 May:
        // the same reach, so the key carries twice and no second assignment follows.
        var offers = new OffersOptions { CouponSecret = Offers.CouponTestKit.Secret };
        var late = TierSteps.After(null, [.. OnTime, Step.Buy(TestMember.Shanghai(2026, 5, 1, 10, 0), "O-6", 2000m)]);
        late.Now = Arrival;
        late.Purchase(Buy.Order!, Buy.Amount, at: Buy.At, eventId: Buy.EventId);
        Assert.Single(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        late.Refund(FirstRefund.Order!, FirstRefund.Amount, at: FirstRefund.At, eventId: FirstRefund.EventId);
        late.Refund("O-0", 2000m, at: TestMember.Shanghai(2026, 1, 24, 10, 0), eventId: "e-second-refund");
        Assert.Equal(TestMember.Shanghai(2026, 5, 1, 10, 0), Advisor(late).GrantedAt);
        Assert.Empty(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        Assert.Single(late.State.Offers!.BenefitUses, u => u.Code == BenefitUses.DedicatedAdvisor);
    }

    [Fact]
    public void ARefundOfALaterOrderMadeBeforeTheRedatedTierSinceDatesTheDropAsInOrder()
    {
        // 3,000 of O-4 refunded 1 Apr, after the upgrade's entry date (27 Mar), before the re-dated tierSince (16 Apr):
        // 18,258 left, V3. In order V4 was never reached and V3 came with O-0 on 6 Jan (9,891; 5,910 after its refund). The
        // refund was judged against tierSince, the upgrade not found for another order's refund: V3 since 3 Jun.
        var (inOrder, late) = Both(OnTime, [Buy, FirstRefund, Step.Refund(TestMember.Shanghai(2026, 4, 1, 10, 0), "O-4", 3000m, "e-other-refund")]);
        Assert.Equal(("V3", TestMember.Shanghai(2026, 1, 6, 18, 19)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.DoesNotContain(late.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor);
    }

    [Fact]
    public void ARefundOfALaterOrderKeepingTheTierMovesItWhereGrowthNetOfItReachedIt()
    {
        // O-6 2,000 on 1 May too, and 2,000 of O-4 refunded 1 Apr: 21,258 now, V4 kept. In order V4 came on 1 May (19,258
        // on 16 Apr), with the advisor; the refund of another order left both at 16 Apr.
        var (inOrder, late) = Both(
            [.. OnTime, Step.Buy(TestMember.Shanghai(2026, 5, 1, 10, 0), "O-6", 2000m)],
            [Buy, FirstRefund, Step.Refund(TestMember.Shanghai(2026, 4, 1, 10, 0), "O-4", 2000m, "e-other-refund")]);
        Assert.Equal(("V4", TestMember.Shanghai(2026, 5, 1, 10, 0)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.Equal(TestMember.Shanghai(2026, 5, 1, 10, 0), Advisor(late).GrantedAt);
    }

    [Fact]
    public void ARefundOfAnotherOrderMadeBeforeTheLatePurchaseMovesTheKeptTierAsInOrder()
    {
        // O-A 4,000 bought 1 Jan too, on time: the late purchase's refund leaves V4 at 27 Mar (20,088 then). Then a refund of
        // all of O-A made 3 Jan, before the late purchase, arrives: 21,258 now, V4 kept; in order V4 came on 16 Apr (16,088
        // on 27 Mar), with the advisor. The late upgrade was looked for only with refunds made at or after the late
        // purchase, so V4 and the advisor stayed at 27 Mar (tierSince earlier than in order).
        var (inOrder, late) = Both(
            [Step.Buy(TestMember.Shanghai(2026, 1, 1, 10, 0), "O-A", 4000m), .. OnTime],
            [Buy, FirstRefund, Step.Refund(TestMember.Shanghai(2026, 1, 3, 10, 0), "O-A", 4000m, "e-other-refund")]);
        Assert.Equal(("V4", TestMember.Shanghai(2026, 4, 16, 21, 20)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 21, 20), Advisor(late).GrantedAt);
    }

    [Fact]
    public void AnAdvisorWhoseKeyAgedOutIsKnownByItsUseAndNotAssignedAgain()
    {
        // The advisor assigned on the first date (27 Mar), its key then pushed out of the 20 kept by later assignments; its
        // use is still kept. The refund dates the reach 16 Apr: the same reach, no second assignment.
        var offers = new OffersOptions { CouponSecret = Offers.CouponTestKit.Secret };
        var late = TierSteps.After(null, OnTime);
        late.Now = Arrival;
        late.Purchase(Buy.Order!, Buy.Amount, at: Buy.At, eventId: Buy.EventId);
        Assert.Single(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        var keys = late.State.Offers!.AdvisorKeys;
        keys.AddRange(Enumerable.Range(1, MemberOfferState.MaxAdvisorKeys).Select(i => $"winback:{i}"));
        keys.RemoveRange(0, keys.Count - MemberOfferState.MaxAdvisorKeys);
        Assert.DoesNotContain(keys, k => k.StartsWith("tier:", StringComparison.Ordinal));
        late.Refund(FirstRefund.Order!, FirstRefund.Amount, at: FirstRefund.At, eventId: FirstRefund.EventId);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 21, 20), Advisor(late).GrantedAt);
        Assert.Empty(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        Assert.Single(late.State.Offers!.BenefitUses, u => u.Code == BenefitUses.DedicatedAdvisor);
    }

    [Fact]
    public void AnAdvisorCarriedOnceIsNotAssignedAgainWhenLaterKeysPushOutItsNewKeyBeforeASecondRedating()
    {
        // The advisor assigned on the first date (27 Mar); the first refund carries it to 16 Apr (key tier:16 Apr, its use
        // still advisor:tier:27 Mar). Then 20 win-back advisor requests are assigned (20 keys, the most kept): the held
        // advisor's key was trimmed with the oldest, so the second refund, dating the reach 1 May, found neither the key
        // nor a use of 16 Apr, and the same reach was assigned again. The held advisor's key is never trimmed.
        var offers = new OffersOptions { CouponSecret = Offers.CouponTestKit.Secret };
        var late = TierSteps.After(null, [.. OnTime, Step.Buy(TestMember.Shanghai(2026, 5, 1, 10, 0), "O-6", 2000m)]);
        late.Now = Arrival;
        late.Purchase(Buy.Order!, Buy.Amount, at: Buy.At, eventId: Buy.EventId);
        Assert.Single(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        late.Refund(FirstRefund.Order!, FirstRefund.Amount, at: FirstRefund.At, eventId: FirstRefund.EventId);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 21, 20), Advisor(late).GrantedAt);

        var life = late.State.Lifecycle;
        life.WinBackLevel = 2;
        life.WinBackStartedAt = TestMember.Shanghai(2026, 5, 2, 10, 0);
        for (var i = 0; i < MemberOfferState.MaxAdvisorKeys; i++)
        {
            life.WinBackLevelEnteredAt = life.AdvisorRequestedAt = TestMember.Shanghai(2026, 5, 3, 10, 0).AddHours(i);
            var assigned = Assert.Single(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, life.AdvisorRequestedAt.Value).Reply);
            Assert.StartsWith("advisor:winback:", assigned.UseId, StringComparison.Ordinal);
        }

        life.WinBackLevel = 0;
        life.WinBackStartedAt = null;
        Assert.True(late.State.Offers!.AdvisorKeys.Count <= MemberOfferState.MaxAdvisorKeys);
        late.Refund("O-0", 2000m, at: TestMember.Shanghai(2026, 1, 24, 10, 0), eventId: "e-second-refund");
        Assert.Equal(TestMember.Shanghai(2026, 5, 1, 10, 0), Advisor(late).GrantedAt);
        Assert.Empty(BenefitUses.AssignAdvisorsDue(late.State, offers, late.Options, late.Now).Reply);
        Assert.Single(late.State.Offers!.BenefitUses, u => u.UseId.StartsWith("advisor:tier:", StringComparison.Ordinal));
        Assert.True(late.State.Offers!.AdvisorKeys.Count <= MemberOfferState.MaxAdvisorKeys);
    }

    [Fact]
    public void TheRefundDeliveredBeforeItsPurchaseKeepsTheTierDatedAsInOrder()
    {
        // The refund delivered first (held until its purchase arrives, then applied right after it): V4 since 16 Apr, as in
        // order, the advisor too.
        var (inOrder, late) = Both(OnTime, [FirstRefund, Buy]);
        Assert.Equal(("V4", TestMember.Shanghai(2026, 4, 16, 21, 20)), (inOrder.Tier, inOrder.State.TierSince));
        AssertSame(inOrder, late);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 21, 20), Advisor(late).GrantedAt);
    }

    [Fact]
    public void ADropAboveTheTierTheUpgradeLeftDatesItsBenefitsWhereGrowthNetOfTheRefundReachedThem()
    {
        // Another history: V2 since 20 Feb (O-2 1,000), O-4 678 on 20 Mar. O-0 19,753 bought 25 Jan and 15,000 of it
        // refunded 28 Jan arrive on 17 Apr: the purchase lifts V2 to V4 dated 20 Feb (20,753), priority booking dated 25 Jan
        // (where O-0 reached V3 on its growth whole); the refund takes V4 to V3 (6,431). In order the refund took V3 on 28
        // Jan and O-2 reached it again on 20 Feb: V3 and priority booking since 20 Feb. The drop dated tierSince so but left
        // priority booking at 25 Jan. (The birthday coupon stays at the live V2 move: the lower tiers' class.)
        var inOrder = TierSteps.After(
            null,
            Step.Buy(TestMember.Shanghai(2026, 1, 25, 18, 50), "O-0", 19_753m),
            Step.Refund(TestMember.Shanghai(2026, 1, 28, 8, 5), "O-0", 15_000m),
            Step.Buy(TestMember.Shanghai(2026, 2, 20, 10, 0), "O-2", 1000m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20, 10, 0), "O-4", 678m));
        var arrival = TestMember.Shanghai(2026, 4, 17, 11, 7);
        inOrder.Now = arrival;
        var late = TierSteps.After(
            null,
            Step.Buy(TestMember.Shanghai(2026, 2, 20, 10, 0), "O-2", 1000m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20, 10, 0), "O-4", 678m));
        late.Now = arrival;
        late.Purchase("O-0", 19_753m, at: TestMember.Shanghai(2026, 1, 25, 18, 50), eventId: "e-late-buy");
        Assert.Equal(TestMember.Shanghai(2026, 1, 25, 18, 50), PriorityBooking(late).GrantedAt);
        late.Refund("O-0", 15_000m, at: TestMember.Shanghai(2026, 1, 28, 8, 5), eventId: "e-late-refund");

        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 20, 10, 0)), (inOrder.Tier, inOrder.State.TierSince));
        Assert.Equal((inOrder.Tier, inOrder.State.TierSince), (late.Tier, late.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 2, 20, 10, 0), PriorityBooking(inOrder).GrantedAt);
        Assert.Equal(PriorityBooking(inOrder).GrantedAt, PriorityBooking(late).GrantedAt);
        Assert.Equal(TimeSpan.Zero, PriorityBooking(late).GrantedAt.Offset);
        Assert.Equal((inOrder.Growth, inOrder.Balance), (late.Growth, late.Balance));
        Assert.Equal(2, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).Sum(e => e.Delta));
    }

    [Fact]
    public void TheDropCountingTheRefundBeforeTheUpgradeIsDatedAtTheUpgradeItReverses()
    {
        // The history above: the late purchase's upgrade V2 -> V4 is dated 20 Feb (the live purchase that completed it), the
        // refund of 28 Jan counted before it takes V4 -> V3. Its entry kept the refund's date, 28 Jan, before the upgrade it
        // reverses (V1 -> V2 20 Feb, V2 -> V4 20 Feb, V4 -> V3 28 Jan); it is dated 20 Feb, the tier entries in date order.
        var late = TierSteps.After(
            null,
            Step.Buy(TestMember.Shanghai(2026, 2, 20, 10, 0), "O-2", 1000m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20, 10, 0), "O-4", 678m));
        late.Now = TestMember.Shanghai(2026, 4, 17, 11, 7);
        late.Purchase("O-0", 19_753m, at: TestMember.Shanghai(2026, 1, 25, 18, 50), eventId: "e-late-buy");
        late.Refund("O-0", 15_000m, at: TestMember.Shanghai(2026, 1, 28, 8, 5), eventId: "e-late-refund");

        var moves = late.State.Ledger.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal(new[] { RuleIds.TierUpgrade, RuleIds.TierUpgrade, RuleIds.TierDowngradeRefund }, moves.Select(e => e.RuleId));
        Assert.Equal(("V3", TestMember.Shanghai(2026, 2, 20, 10, 0)), (late.Tier, late.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 2, 20, 10, 0), moves[1].EffectiveOccurredAt);
        Assert.Equal(moves[1].EffectiveOccurredAt, moves[2].EffectiveOccurredAt);
        Assert.Equal(2, moves.Sum(e => e.Delta));
    }

    private static GrantedBenefit PriorityBooking(TestMember member) => Assert.Single(member.State.Benefits, b => b.Code == BenefitUses.PriorityBooking);

    private static GrantedBenefit Advisor(TestMember member) => Assert.Single(member.State.Benefits, b => b.Code == BenefitUses.DedicatedAdvisor);

    /// <summary>
    /// One member gets every event in occurredAt order, each at its own instant; the other gets <paramref name="onTime"/>
    /// so, then <paramref name="late"/> in the order given on <see cref="Arrival"/>. Both are read at <see cref="Arrival"/>.
    /// </summary>
    private static (TestMember InOrder, TestMember Late) Both(Step[] onTime, Step[] late)
    {
        var inOrder = TierSteps.After(null, [.. onTime.Concat(late).OrderBy(s => s.At)]);
        inOrder.Now = Arrival;
        var member = TierSteps.After(null, onTime);
        member.Now = Arrival;
        foreach (var step in late)
        {
            if (step.IsRefund)
            {
                member.Refund(step.Order!, step.Amount, at: step.At, eventId: step.EventId);
            }
            else
            {
                member.Purchase(step.Order!, step.Amount, at: step.At, eventId: step.EventId);
            }
        }

        return (inOrder, member);
    }

    /// <summary>Tier, tierSince (UTC), growth, grace, the V4 reach's advisor date, balance, and tier entries summing to the tier's rank.</summary>
    private static void AssertSame(TestMember inOrder, TestMember late) =>
        TierSteps.AssertEndsAlike(inOrder, late, b => b.Code == BenefitUses.DedicatedAdvisor);
}
