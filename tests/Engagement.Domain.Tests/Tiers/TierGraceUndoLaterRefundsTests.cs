using Engagement.Domain.Ledger;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late purchase that undoes grace drops, with refunds applied after them: each such refund is judged where it occurred,
/// oldest first, once the drops are undone (CONTRACT.md §1.1, §2: a refund recomputes the tier at once, no grace).
/// </summary>
public class TierGraceUndoLaterRefundsTests
{
    // A 60-day window, the default 30-day grace, V2 at 1,000, V3 at 5,000.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private const string CorrectionRule = "tier.downgrade.grace.correction";

    [Fact]
    public void OnlyTheLastDropOfARunIsUndoneAndARefundAfterItDropsTheTierWhereItOccurred()
    {
        // P0 5,000 (V3) ages out on 2 Mar; P2 500 on 15 Mar. V3 → V2 on 1 Apr, V2 → V1 on 1 May; P2 refunded 300 on 5 May.
        // In order the late 600 of 20 Apr reached V2 (1,100) within its grace: no drop on 1 May (the one of 1 Apr stands);
        // the refund of 5 May then left 800: V2 → V1 at once, there.
        var firstDrop = TestMember.Shanghai(2026, 4, 1, 0, 0);
        var refundAt = TestMember.Shanghai(2026, 5, 5);
        var late = TestMember.Shanghai(2026, 4, 20);
        var member = TierSteps.After(60, Step.Buy(P0, "O-0", 5000m, "e-0"));
        Assert.Equal("V3", member.Tier);
        member.Run(Step.Buy(TestMember.Shanghai(2026, 3, 15), "O-2", 500m, "e-2"), Step.Tick(TestMember.Shanghai(2026, 4, 2)));
        Assert.Equal(("V2", firstDrop), (member.Tier, member.State.TierSince));
        member.Run(Step.Tick(TestMember.Shanghai(2026, 5, 2)));
        Assert.Equal(("V1", TestMember.Shanghai(2026, 5, 1, 0, 0)), (member.Tier, member.State.TierSince));
        member.Run(Step.Refund(refundAt, "O-2", 300m, "e-refund"));
        member.Now = TestMember.Shanghai(2026, 5, 6);

        var decision = member.Purchase("O-late", 600m, at: late, eventId: "e-late");

        Assert.Equal(("V1", refundAt), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var moves = decision.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal(2, moves.Count);
        Assert.Equal((CorrectionRule, 1L, 2L, late), (moves[0].RuleId, moves[0].Delta, moves[0].BalanceAfter, moves[0].EffectiveOccurredAt));
        Assert.Equal((RuleIds.TierDowngradeRefund, -1L, 1L, refundAt), (moves[1].RuleId, moves[1].Delta, moves[1].BalanceAfter, moves[1].EffectiveOccurredAt));
        // Only the drop of 1 May is undone (V2 restored, not V3); both drops stay recorded, corrected by an entry.
        Assert.Contains("V1 → V2", moves[0].Reason, StringComparison.Ordinal);
        Assert.Equal(2, member.State.Ledger.Count(e => e.RuleId == RuleIds.TierDowngradeGrace));
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Empty(decision.BenefitsGranted);
    }

    [Fact]
    public void OfSeveralRefundsAfterAnUndoneDropTheFirstThatTookTheTierInOrderDropsIt()
    {
        // P0 600 (1 Jan) + P1 500 (25 Feb): V2; P0 ages out on 2 Mar, V2 → V1 on 1 Apr. P1 refunded 50 on 5 Apr, 100 on
        // 8 Apr, 50 on 10 Apr. In order the late 600 of 20 Mar kept V2 (1,100); 5 Apr left 1,050 (V2), 8 Apr 950: V1 at
        // once there; 10 Apr found V1.
        var secondRefund = TestMember.Shanghai(2026, 4, 8);
        var late = TestMember.Shanghai(2026, 3, 20);
        var member = TierSteps.After(
            60,
            Step.Buy(P0, "O-0", 600m, "e-0"),
            Step.Buy(TestMember.Shanghai(2026, 2, 25), "O-1", 500m, "e-1"),
            Step.Tick(TestMember.Shanghai(2026, 4, 2)));
        Assert.Equal(("V1", TestMember.Shanghai(2026, 4, 1, 0, 0)), (member.Tier, member.State.TierSince));
        member.Run(
            Step.Refund(TestMember.Shanghai(2026, 4, 5), "O-1", 50m, "e-refund-1"),
            Step.Refund(secondRefund, "O-1", 100m, "e-refund-2"),
            Step.Refund(TestMember.Shanghai(2026, 4, 10), "O-1", 50m, "e-refund-3"));
        member.Now = TestMember.Shanghai(2026, 4, 12);

        var decision = member.Purchase("O-late", 600m, at: late, eventId: "e-late");

        Assert.Equal(("V1", secondRefund), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var moves = decision.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal([(CorrectionRule, late), (RuleIds.TierDowngradeRefund, secondRefund)], moves.Select(m => (m.RuleId, m.EffectiveOccurredAt)));
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Equal(900L, member.Growth);
    }

    [Fact]
    public void ARefundOfAnOrderMadeAfterItsGrowthAgedOutDoesNotDropARestoredTierHeldSinceBeforeIt()
    {
        // O-0 1,000 on 1 Jan (V2 since then), O-1 500 on 20 Feb. O-0 ages out on 2 Mar (grace), V2 → V1 on 1 Apr. O-1 ages
        // out on 21 Apr; it is refunded in full on 1 May. The late 600 of 20 Mar arrives on 5 May. In order it ended the dip
        // (1,100); O-1 ageing out left 600 on 21 Apr: V2's grace from then (to 21 May). The refund of 1 May took nothing
        // from the window (600 before and after it, short already): a refund drops the tier only when it takes the growth
        // the tier stood on (CONTRACT.md §2), and the member held V2 since before O-1. Judged as if O-1 had never counted,
        // the refund looked like it took V2 at once on 1 May.
        var agedOut = TestMember.Shanghai(2026, 4, 21, 0, 0);
        var late = TestMember.Shanghai(2026, 3, 20);
        var member = DroppedOn1Apr();
        Assert.Equal(("V1", TestMember.Shanghai(2026, 4, 1, 0, 0)), (member.Tier, member.State.TierSince));
        member.Run(Step.Refund(TestMember.Shanghai(2026, 5, 1), "O-1", 500m, "e-refund"));
        member.Now = TestMember.Shanghai(2026, 5, 5);

        var decision = member.Purchase("O-late", 600m, at: late, eventId: "e-late");

        Assert.Equal(("V2", P0), (member.Tier, member.State.TierSince));
        Assert.Equal(agedOut, member.State.TierGraceStartedAt);
        var move = Assert.Single(decision.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((CorrectionRule, late), (move.RuleId, move.EffectiveOccurredAt));
        Assert.Contains(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Equal(600L, member.Growth);
    }

    [Fact]
    public void ARefundThatTookTheRestoredTiersGrowthOfAnOrderHeldSinceBeforeEndsTheGraceItWouldBeOnWithoutIt()
    {
        // As above, but O-1 is refunded 200 on 10 Apr, while it still counted (1,100 → 900 with the late 600). The member
        // held V2 since before O-1, so in order the refund is no drop at once: the grace it would be on without that growth
        // runs, from 2 Mar (O-0 aged out), and it ended on 1 Apr: V2 → V1 there, a grace drop (CONTRACT.md §2). Judged as if
        // the refunded growth had never counted, it was a tier.downgrade.refund on 10 Apr.
        var graceEnd = TestMember.Shanghai(2026, 4, 1, 0, 0);
        var member = DroppedOn1Apr();
        Assert.Equal(("V1", graceEnd), (member.Tier, member.State.TierSince));
        member.Run(Step.Refund(TestMember.Shanghai(2026, 4, 10), "O-1", 200m, "e-refund"));
        member.Now = TestMember.Shanghai(2026, 4, 15);

        var decision = member.Purchase("O-late", 600m, at: TestMember.Shanghai(2026, 3, 20), eventId: "e-late");

        Assert.Equal(("V1", graceEnd), (member.Tier, member.State.TierSince));
        var moves = decision.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal([(CorrectionRule, 1L), (RuleIds.TierDowngradeGrace, -1L)], moves.Select(m => (m.RuleId, m.Delta)));
        Assert.Equal(graceEnd, moves[1].EffectiveOccurredAt);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    /// <summary>O-0 1,000 (1 Jan: V2), O-1 500 (20 Feb); O-0 ages out on 2 Mar (V2's grace), V2 → V1 on 1 Apr; checked on 3 Mar and 2 Apr.</summary>
    private static TestMember DroppedOn1Apr() => TierSteps.After(
        60,
        Step.Buy(P0, "O-0", 1000m, "e-0"),
        Step.Buy(TestMember.Shanghai(2026, 2, 20), "O-1", 500m, "e-1"),
        Step.Tick(TestMember.Shanghai(2026, 3, 3)),
        Step.Tick(TestMember.Shanghai(2026, 4, 2)));
}
