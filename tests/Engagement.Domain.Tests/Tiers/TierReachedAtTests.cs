using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// When a late purchase lifts the member to a tier, the move is dated (tierSince, the tier ledger entry's occurredAt, a tier
/// campaign's grant) at the crossing that produced the tier held now: growth that ages out keeps the tier through a 30-day
/// grace (CONTRACT.md §2), so a dip shorter than the grace is no loss and the first crossing stands; a dip that outlasted it
/// dropped the tier in order, and the tier held now was reached again by the later crossing.
/// </summary>
public class TierReachedAtTests
{
    // A 60-day window, the default 30-day grace and V2 at 1,000. P0 (600 CNY, 1 Jan) ages out on 2 Mar (local midnight).
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset Late = TestMember.Shanghai(2026, 2, 15);
    private static readonly DateTimeOffset AgedOut = TestMember.Shanghai(2026, 3, 2, 0, 0);

    [Fact]
    public void ALateCrossingWhoseTierWasLostThroughAFullGraceDatesTheMoveAtTheLaterCrossing()
    {
        // In order: V2 on 15 Feb with the late 400 (600 + 400), P0 ages out on 2 Mar, the grace ends on 1 Apr (back to V1),
        // and the 600 of 5 Apr lifts the member to V2 again (400 + 600). It holds V2 since 5 Apr, not since 15 Feb.
        var again = TestMember.Shanghai(2026, 4, 5);
        var member = LiveBefore(again);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", again), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, again), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Equal(again, member.State.Ledger.Single(e => e.Sequence == move.Sequence).EffectiveOccurredAt);
        Assert.Equal(again, OfferFulfilment.TierReachedAt(late));
        Assert.Equal(again, OfferFulfilment.EffectiveAt(Late, OfferFulfilment.TierReachedAt(late), ["V2"], OfferFulfilment.TierReachedFrom(late)));
        Assert.Equal(again, member.Summary.TierSince);
        Assert.All(late.NewEntries.Where(e => e.Kind != LedgerKinds.Tier), e => Assert.Equal(Late, e.EffectiveOccurredAt));
    }

    [Fact]
    public void ALateCrossingWhoseDipEndedInsideTheGraceDatesTheMoveAtTheFirstCrossing()
    {
        // The same, but the 600 comes on 20 Mar, 18 days into the grace: in order the member never lost V2 (CONTRACT.md §2:
        // it keeps the tier through the grace), so it holds V2 since the late purchase of 15 Feb.
        var again = TestMember.Shanghai(2026, 3, 20);
        var member = LiveBefore(again);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", Late), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, Late), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Equal(Late, OfferFulfilment.TierReachedAt(late));
        Assert.Equal(Late, OfferFulfilment.EffectiveAt(Late, OfferFulfilment.TierReachedAt(late), ["V2"], OfferFulfilment.TierReachedFrom(late)));
    }

    [Fact]
    public void ALateCrossingARefundTookBackIsDatedAtThePurchaseThatLiftedTheMemberAfterTheRefund()
    {
        // 300 of P0 refunded on 1 Mar: a refund takes its growth away at once (CONTRACT.md §2), so with the late 400 the
        // member had 700 on 15 Feb as seen now, never V2 then; the 600 of 10 Mar lifts it (300 + 400 + 600).
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 600m);
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Refund("O-0", 300m);
        var lifted = TestMember.Shanghai(2026, 3, 10);
        member.Now = lifted;
        member.Purchase("O-2", 600m);
        Assert.Equal("V1", member.Tier);
        member.Now = lifted.AddDays(1);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", lifted), (member.Tier, member.State.TierSince));
        Assert.Equal(lifted, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
        Assert.Equal(lifted, OfferFulfilment.TierReachedAt(late));
    }

    [Fact]
    public void AGraceAfterTheLaterCrossingStartsWhenTheWindowFellShortAfterIt()
    {
        // After the move dated 5 Apr, the late 400 ages out on 16 Apr (15 Feb + 60 days): the grace runs from that local
        // midnight, found by a tick days later, and ends 30 days on.
        var again = TestMember.Shanghai(2026, 4, 5);
        var member = LiveBefore(again);
        member.Purchase("O-late", 400m, at: Late);
        member.Now = TestMember.Shanghai(2026, 4, 20);

        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 0, 0), member.State.TierGraceStartedAt);
    }

    [Fact]
    public void ARefundOfThePurchaseThatReachedTheTierAgainDropsItAtOnce()
    {
        // After the late move dated 5 Apr, the 600 of 5 Apr is refunded in full on 7 Apr: the member did not hold V2 before
        // that order (it lost V2 on 1 Apr), so the refund drops the tier at once (CONTRACT.md §2: no buy-upgrade-refund
        // gaming), not as the end of a grace that held it before the order.
        var again = TestMember.Shanghai(2026, 4, 5);
        var member = LiveBefore(again);
        member.Purchase("O-late", 400m, at: Late);
        var refundAt = TestMember.Shanghai(2026, 4, 7);
        member.Now = refundAt;

        var refund = member.Refund("O-2", 600m);

        Assert.Equal(("V1", refundAt), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var drop = Assert.Single(refund.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierDowngradeRefund, refundAt), (drop.RuleId, drop.EffectiveOccurredAt));
    }

    [Fact]
    public void ALateCrossingAgedOutSinceWhoseTierWasLostThroughAFullGraceDatesTheMoveAtTheLaterCrossing()
    {
        // As above, but the late 400 arrives on 25 Apr, after it aged out (16 Apr): in order V2 from 15 Feb, lost on 1 Apr,
        // V2 again on 5 Apr with the 600 (400 + 600), on V2's grace since 16 Apr. It holds V2 since 5 Apr, on that grace.
        var again = TestMember.Shanghai(2026, 4, 5);
        var member = LiveBefore(again);
        member.Now = TestMember.Shanghai(2026, 4, 25);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", again), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 0, 0), member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, again), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Equal(again, OfferFulfilment.TierReachedAt(late));
        Assert.Equal(again, OfferFulfilment.EffectiveAt(Late, OfferFulfilment.TierReachedAt(late), ["V2"], OfferFulfilment.TierReachedFrom(late)));
    }

    [Fact]
    public void ALateCrossingAgedOutSinceWhoseDipEndedInsideTheGraceDatesTheMoveAtTheFirstCrossing()
    {
        // The 600 on 20 Mar, inside the grace: in order V2 since 15 Feb without a break, on its grace since 16 Apr.
        var member = LiveBefore(TestMember.Shanghai(2026, 3, 20));
        member.Now = TestMember.Shanghai(2026, 4, 25);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", Late), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 4, 16, 0, 0), member.State.TierGraceStartedAt);
        Assert.Equal(Late, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
        Assert.Equal(Late, OfferFulfilment.TierReachedAt(late));
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(-1, 59, false)]
    public void ACrossingAtTheGracesEndCountsAsAfterALossAMinuteBeforeItDoesNot(int dayShift, int minute, bool lost)
    {
        // The grace from 2 Mar ends on 1 Apr at 00:00: the 600 at that instant reaches V2 again after the drop; the 600 at
        // 31 Mar 23:59 ends the dip inside the grace, so V2 is held since the late 15 Feb.
        var again = TestMember.Shanghai(2026, 4, 1, 0, 0).AddDays(dayShift).AddHours(dayShift == 0 ? 0 : 23).AddMinutes(minute);
        var member = LiveBefore(again);

        var late = member.Purchase("O-late", 400m, at: Late);

        var since = lost ? again : Late;
        Assert.Equal(("V2", since), (member.Tier, member.State.TierSince));
        Assert.Equal(since, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
    }

    [Fact]
    public void AHigherTierLostThroughAGraceAndReachedAgainIsDatedAtTheLaterCrossingTheLowerKeepsItsFirst()
    {
        // P0 4,000 on 1 Jan (V2); the late 1,000 of 15 Feb made V3 (5,000) in order, lost through the grace to V2 on 1 Apr
        // (the late 1,000 still holds V2), reached again by the 4,000 of 5 Apr. V3 since 5 Apr; V2 reached by 15 Feb at the latest.
        var again = TestMember.Shanghai(2026, 4, 5);
        var member = TierSteps.After(60, Step.Buy(P0, "O-0", 4000m), Step.Buy(again, "O-2", 4000m));
        Assert.Equal(("V2", again), (member.Tier, member.State.TierSince)); // V2 lost on 1 Apr as seen then, reached again
        member.Now = again.AddDays(1);

        var late = member.Purchase("O-late", 1000m, at: Late);

        Assert.Equal(("V3", again), (member.Tier, member.State.TierSince));
        Assert.Equal(again, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
        var timeline = GrowthTimeline.Build(member.State, member.Options);
        var lateKey = new EventKey(Late, "O-late");
        Assert.Equal(again, timeline.ReachedAt(5000, lateKey));
        Assert.Equal(Late, timeline.ReachedAt(1000, lateKey));
    }

    [Fact]
    public void ARefundMadeAfterALaterCrossingDoesNotMakeTheTierLookLostBeforeIt()
    {
        // 1 Jan P0 600; 20 Mar P 600; 10 Apr X2 600 (V2); 12 Apr P refunded in full (V1 at once); 13 Apr the late 400 of
        // 15 Feb. In order V2 from 15 Feb without a break: P0 ages out on 2 Mar, P ends the dip inside the grace on 20 Mar
        // (its refund was made only on 12 Apr, after X2), and after the refund 400 + 600 = 1,000 still holds V2.
        var member = TierSteps.After(
            60,
            Step.Buy(P0, "O-0", 600m),
            Step.Buy(TestMember.Shanghai(2026, 3, 20), "O-P", 600m),
            Step.Buy(TestMember.Shanghai(2026, 4, 10), "O-X2", 600m));
        Assert.Equal("V2", member.Tier);
        member.Run(Step.Refund(TestMember.Shanghai(2026, 4, 12), "O-P", 600m));
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 4, 13);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal(("V2", Late), (member.Tier, member.State.TierSince));
        Assert.Equal(Late, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
    }

    [Fact]
    public void ARefundMadeAfterALateCrossingDoesNotMoveTheUpgradesDateLater()
    {
        // 10 Feb A 500, 20 Feb C 300, 1 Mar A refunded 200 (600 then), 5 Mar the late 600 of 1 Feb. In order: 1 Feb 600,
        // 10 Feb 1,100 (V2), 20 Feb 1,400, 1 Mar 1,200 (V2 kept). V2 since 10 Feb. Net of the refund of 1 Mar at every
        // instant (10 Feb 900, 20 Feb 1,200) the move looked made on 20 Feb: a refund made after the crossing moved it.
        var (member, crossed) = CrossedThenPartlyRefunded(TestMember.Shanghai(2026, 3, 5));
        Assert.Equal(("V1", 600L), (member.Tier, member.Growth));

        var late = member.Purchase("O-late", 600m, at: TestMember.Shanghai(2026, 2, 1));

        Assert.Equal(("V2", crossed), (member.Tier, member.State.TierSince));
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, crossed), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Equal(crossed, OfferFulfilment.TierReachedAt(late));
    }

    [Fact]
    public void ARefundMadeAfterALateCrossingAgedOutSinceDoesNotMoveTheUpgradesDateLater()
    {
        // Aged-out variant: A 500 on 10 Feb, C 300 on 20 Feb, A refunded 200 on 1 Mar; the late 600 of 1 Feb arrives on
        // 25 Apr, when all has aged out (the 60-day window). In order V2 from 10 Feb (1,100) without a break: 1 Mar left
        // 1,200; the late 600 aged out on 2 Apr (600 left): V2 on the grace from 2 Apr now.
        var (member, crossed) = CrossedThenPartlyRefunded(TestMember.Shanghai(2026, 4, 25));

        var late = member.Purchase("O-late", 600m, at: TestMember.Shanghai(2026, 2, 1));

        Assert.Equal(("V2", crossed), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 4, 2, 0, 0), member.State.TierGraceStartedAt);
        Assert.Equal(crossed, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier).EffectiveOccurredAt);
    }

    [Fact]
    public void ARefundThatTookALateCrossingsTierInOrderLeavesNoUpgradeOnceItHasAgedOut()
    {
        // P0 600 on 1 Jan; 300 of it refunded on 1 Mar; the late 400 of 15 Feb arrives on 25 Apr. In order V2 on 15 Feb
        // (1,000), lost at once on 1 Mar (700: a refund, no grace, CONTRACT.md §2), never reached again: V1 now, no move.
        var member = TierSteps.After(60, Step.Buy(P0, "O-0", 600m), Step.Refund(TestMember.Shanghai(2026, 3, 1), "O-0", 300m));
        member.Now = TestMember.Shanghai(2026, 4, 25);

        var late = member.Purchase("O-late", 400m, at: Late);

        Assert.Equal("V1", member.Tier);
        Assert.DoesNotContain(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Null(GrowthTimeline.Build(member.State, member.Options).ReachedWith(1000, new EventKey(Late, "O-late"), 400));
    }

    [Fact]
    public void ARefundOfGrowthAgedOutBeforeItWasMadeDoesNotCancelALateUpgrade()
    {
        // O-1 500 on 1 Jan, O-2 300 on 5 Feb, O-1 refunded in full on 15 Mar (it aged out on 2 Mar); the late 600 of 10 Jan
        // arrives on 20 Mar. In order: V2 since 10 Jan (1,100); O-1 aged out on 2 Mar (900: V2's grace from then); the refund
        // took nothing from the window (300 before and after it), so it did not take the tier (CONTRACT.md §2).
        var member = TierSteps.After(
            60,
            Step.Buy(P0, "O-1", 500m),
            Step.Buy(TestMember.Shanghai(2026, 2, 5), "O-2", 300m),
            Step.Refund(TestMember.Shanghai(2026, 3, 15), "O-1", 500m));
        member.Now = TestMember.Shanghai(2026, 3, 20);

        var late = member.Purchase("O-late", 600m, at: TestMember.Shanghai(2026, 1, 10));

        Assert.Equal(("V2", TestMember.Shanghai(2026, 1, 10)), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 3, 2, 0, 0), member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, TestMember.Shanghai(2026, 1, 10)), (move.RuleId, move.EffectiveOccurredAt));
    }

    /// <summary>P0 on 1 Jan, then 600 CNY at <paramref name="again"/> (V1: P0 has aged out); the clock a day later.</summary>
    private static TestMember LiveBefore(DateTimeOffset again)
    {
        var member = TierSteps.After(60, Step.Buy(P0, "O-0", 600m), Step.Buy(again, "O-2", 600m));
        Assert.Equal(("V1", 600L), (member.Tier, member.Growth));
        Assert.True(again > AgedOut);
        member.Now = again.AddDays(1);
        return member;
    }

    /// <summary>A 500 on 10 Feb (the crossing, with the late 600 of 1 Feb), C 300 on 20 Feb, A refunded 200 on 1 Mar
    /// (60-day window); the member's clock then at <paramref name="now"/>.</summary>
    private static (TestMember Member, DateTimeOffset Crossed) CrossedThenPartlyRefunded(DateTimeOffset now)
    {
        var crossed = TestMember.Shanghai(2026, 2, 10);
        var member = TierSteps.After(
            60,
            Step.Buy(crossed, "O-A", 500m),
            Step.Buy(TestMember.Shanghai(2026, 2, 20), "O-C", 300m),
            Step.Refund(TestMember.Shanghai(2026, 3, 1), "O-A", 200m));
        member.Now = now;
        return (member, crossed);
    }
}
