using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late refund judged on its own day (CONTRACT.md §1.1, §2): whether it took the tier at once in order is read on the
/// growth of that day net of the refunds that occurred by it, not of a refund applied earlier that occurred after it.
/// </summary>
public class TierLateRefundAsOfTests
{
    // A 60-day window, V2 at 1,000. P0 600 (1 Jan), P1 400 (25 Feb: V2 since then), P2 100 (26 Feb): 1,100. P0 ages out on
    // 2 Mar: 500, grace from 2 Mar. On 10 Mar P2 is refunded in full (in order; the member held V2 before P2, so the
    // grace runs on). On 12 Mar a refund on P1 that occurred on 28 Feb arrives.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset P1 = TestMember.Shanghai(2026, 2, 25);
    private static readonly DateTimeOffset GraceStart = TestMember.Shanghai(2026, 3, 2, 0, 0);
    private static readonly DateTimeOffset LateRefund = TestMember.Shanghai(2026, 2, 28);

    [Fact]
    public void ALateRefundIsNotJudgedNetOfARefundThatOccurredAfterIt()
    {
        // In order on 28 Feb: 600 + 350 + 100 = 1,050, still V2; the grace from 2 Mar runs on. Judged net of the 10 Mar
        // refund too (600 + 350 + 0 = 950) it looked as if the late refund took V2 at once.
        var member = Prepared();

        var late = member.Refund("O-1", 50m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal(("V2", P1), (member.Tier, member.State.TierSince));
        Assert.Equal(GraceStart, member.State.TierGraceStartedAt);
        Assert.DoesNotContain(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Empty(late.TierChanges);
        Assert.Contains(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Equal(-50L, Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Growth).Delta);
    }

    [Fact]
    public void ALateRefundThatTookTheTierOnItsOwnDayStillDropsItThere()
    {
        // 150 on 28 Feb: 600 + 250 + 100 = 950 in order, below 1,000: V1 at once from 28 Feb (today's behaviour).
        var member = Prepared();

        var late = member.Refund("O-1", 150m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal(("V1", LateRefund), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierDowngradeRefund, -1L, LateRefund), (move.RuleId, move.Delta, move.EffectiveOccurredAt));
        Assert.Contains("950", move.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ALateRefundThatDidNotTakeTheTierItselfDropsItAtALaterRefundThatDidWithItCounted()
    {
        // O-1 refunded 60 on 1 Mar, on time: 1,040, V2 kept. In order the late 50 of 28 Feb leaves 1,050 (V2), and the
        // refund of 1 Mar then leaves 990: V2 → V1 at once from 1 Mar (O-1 lifted the member to V2, so no grace). Judged
        // on 28 Feb alone it looked as if nothing moved, and V2 stayed on the grace from 2 Mar.
        var onTime = TestMember.Shanghai(2026, 3, 1);
        var member = Bought();
        member.Now = onTime;
        member.Refund("O-1", 60m, eventId: "e-refund-1");
        AfterGraceStarts(member);

        var late = member.Refund("O-1", 50m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal(("V1", onTime), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierDowngradeRefund, -1L, onTime), (move.RuleId, move.Delta, move.EffectiveOccurredAt));
        Assert.Contains("990", move.Reason, StringComparison.Ordinal);
        Assert.Contains("e-late-refund", move.Reason, StringComparison.Ordinal);
        Assert.Equal(RuleIds.TierDowngradeRefund, Assert.Single(late.TierChanges).RuleId);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ALateRefundsDayCountsTheRefundsMadeLaterThatDayAsItCountsItsPurchases()
    {
        // O-1 refunded 60 at 20:00 on 28 Feb, on time (1,040, V2); the late 50 occurred at 10:00 that day. In order the day
        // ends on 990: V1 from that day, no grace. The day was read with its later purchases but without its later
        // refunds: 1,050, V2 kept on the grace from 2 Mar.
        var lateInTheMorning = TestMember.Shanghai(2026, 2, 28, 10);
        var member = Bought();
        member.Now = TestMember.Shanghai(2026, 2, 28, 20);
        member.Refund("O-1", 60m, eventId: "e-refund-1");
        AfterGraceStarts(member);

        var late = member.Refund("O-1", 50m, at: lateInTheMorning, eventId: "e-late-refund");

        Assert.Equal(("V1", lateInTheMorning), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierDowngradeRefund, -1L), (move.RuleId, move.Delta));
        Assert.Contains("990", move.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ALaterPurchaseThatLiftedTheMemberAgainAfterAReplayedRefundDropRestoresTheTierItHeldInOrder()
    {
        // O-1 refunded 60 on 1 Mar, on time (1,040); P0 ages out on 2 Mar (grace); O-3 700 on 5 Mar (1,140: grace ended).
        // O-1 ages out on 26 Apr: V2's grace from then. On 10 May a refund of 50 on O-1 dated 28 Feb arrives. In order: 28 Feb
        // 1,050 (V2); 1 Mar 990: V1 at once (O-1 lifted the member); 5 Mar 1,090 with O-3: V2 again (CONTRACT.md §2: upgrade
        // at once); O-1 ageing out on 26 Apr left 800: V2's grace from then. The replay dropped the tier on 1 Mar and left
        // the member on V1, though in order it held V2 since 5 Mar.
        var dropped = TestMember.Shanghai(2026, 3, 1);
        var lifted = TestMember.Shanghai(2026, 3, 5);
        var member = Bought();
        member.Now = dropped;
        member.Refund("O-1", 60m, eventId: "e-refund-1");
        StartGrace(member);
        member.Now = lifted;
        member.Purchase("O-3", 700m, eventId: "e-3");
        member.Now = TestMember.Shanghai(2026, 4, 28);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V2", P1, TestMember.Shanghai(2026, 4, 26, 0, 0)), (member.Tier, member.State.TierSince, member.State.TierGraceStartedAt));
        member.Now = TestMember.Shanghai(2026, 5, 10);

        var late = member.Refund("O-1", 50m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal(("V2", lifted), (member.Tier, member.State.TierSince));
        Assert.Equal(TestMember.Shanghai(2026, 4, 26, 0, 0), member.State.TierGraceStartedAt);
        var moves = late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal(
            [(RuleIds.TierDowngradeRefund, -1L, dropped), (RuleIds.TierUpgrade, 1L, lifted)],
            moves.Select(m => (m.RuleId, m.Delta, m.EffectiveOccurredAt)));
        Assert.Contains("1090", moves[1].Reason, StringComparison.Ordinal);
        Assert.Contains("e-late-refund", moves[1].Reason, StringComparison.Ordinal);
        Assert.Equal(lifted, late.TierChanges[^1].ReachedAt);
        Assert.Contains(member.State.Benefits, b => b.Code == "birthday-coupon");
    }

    [Fact]
    public void ALateRefundDoesNotRecordAgainADropAndLiftMadeLiveBeforeTheTierHeldNow()
    {
        // Live: O-1 refunded 110 on 1 Mar (990: V1 at once); O-3 700 on 5 Mar (V2 again); O-1 ages out on 26 Apr (grace).
        // The late refund of 50 dated 28 Feb (1,050 left that day) changes neither move: the engine recorded both already,
        // and judging the refund of 1 Mar against V2 held since 5 Mar wrote them a second time.
        var member = Bought();
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Refund("O-1", 110m, eventId: "e-refund-1");
        Assert.Equal("V1", member.Tier);
        member.Now = TestMember.Shanghai(2026, 3, 5);
        member.Purchase("O-3", 700m, eventId: "e-3");
        member.Now = TestMember.Shanghai(2026, 4, 28);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        var grace = member.State.TierGraceStartedAt;
        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 5)), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 5, 10);

        var late = member.Refund("O-1", 50m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal(("V2", TestMember.Shanghai(2026, 3, 5), grace), (member.Tier, member.State.TierSince, member.State.TierGraceStartedAt));
        Assert.DoesNotContain(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Empty(late.TierChanges);
    }

    [Fact]
    public void ALiftBackAfterAReplayedRefundDropIsNoUpgradeForTierCampaigns()
    {
        // As ALaterPurchaseThatLiftedTheMemberAgain...: the late refund's moves are a drop on 1 Mar and the lift back on 5 Mar;
        // the live tier stayed V2, so no campaign may read the lift as the member reaching V2 on 5 Mar.
        var member = Bought();
        member.Now = TestMember.Shanghai(2026, 3, 1);
        member.Refund("O-1", 60m, eventId: "e-refund-1");
        StartGrace(member);
        member.Now = TestMember.Shanghai(2026, 3, 5);
        member.Purchase("O-3", 700m, eventId: "e-3");
        member.Now = TestMember.Shanghai(2026, 5, 10);

        var late = member.Refund("O-1", 50m, at: LateRefund, eventId: "e-late-refund");

        Assert.Equal([RuleIds.TierDowngradeRefund, RuleIds.TierUpgrade], late.TierChanges.Select(c => c.RuleId));
        Assert.Null(OfferFulfilment.TierReachedAt(late));
        Assert.Null(OfferFulfilment.TierReachedFrom(late));
    }

    /// <summary>P0, P1 (V2 since P1) and P2: 1,100.</summary>
    private static TestMember Bought()
    {
        var member = new TestMember(P0);
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 600m, eventId: "e-0");
        member.Now = P1;
        member.Purchase("O-1", 400m, eventId: "e-1");
        member.Now = TestMember.Shanghai(2026, 2, 26);
        member.Purchase("O-2", 100m, eventId: "e-2");
        Assert.Equal(("V2", P1), (member.Tier, member.State.TierSince));
        return member;
    }

    /// <summary>The 3 Mar tick starts the grace from 2 Mar (P0 aged out); then it is 12 Mar.</summary>
    private static void AfterGraceStarts(TestMember member)
    {
        StartGrace(member);
        member.Now = TestMember.Shanghai(2026, 3, 12);
    }

    /// <summary>The 3 Mar tick starts the grace from 2 Mar (P0 aged out).</summary>
    private static void StartGrace(TestMember member)
    {
        Assert.Equal(("V2", P1), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 3);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(GraceStart, member.State.TierGraceStartedAt);
    }

    /// <summary><see cref="Bought"/>, the grace from 2 Mar, then P2 fully refunded on time on 10 Mar; then it is 12 Mar.</summary>
    private static TestMember Prepared()
    {
        var member = Bought();
        StartGrace(member);
        member.Now = TestMember.Shanghai(2026, 3, 10);
        member.Refund("O-2", 100m, eventId: "e-refund-2");
        Assert.Equal(("V2", GraceStart), (member.Tier, member.State.TierGraceStartedAt));
        member.Now = TestMember.Shanghai(2026, 3, 12);
        return member;
    }
}
