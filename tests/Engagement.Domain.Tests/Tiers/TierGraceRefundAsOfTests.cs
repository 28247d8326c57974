using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Tiers;

/// <summary>
/// A late purchase judged against a grace drop the engine already recorded, with a refund applied in between: whether
/// the drop would have happened in order is judged on the growth as of the drop's instant, net of the refunds made by
/// then only (CONTRACT.md §1.1, §2). A refund that occurred after the drop (and after the late event) took its growth
/// when it occurred, at once and without a grace, not at the drop before it.
/// </summary>
public class TierGraceRefundAsOfTests
{
    // A 60-day window, the default 30-day grace, V2 at 1,000. P0 (600, 1 Jan) and P1 (500, 25 Feb) lift the member to V2 on
    // 25 Feb; P0 ages out on 2 Mar (local midnight), the grace ends on 1 Apr, when a tick drops the member to V1. P1 ages
    // out on 26 Apr, after every instant here.
    private static readonly DateTimeOffset P0 = TestMember.Shanghai(2026, 1, 1);
    private static readonly DateTimeOffset P1 = TestMember.Shanghai(2026, 2, 25);
    private static readonly DateTimeOffset GraceStart = TestMember.Shanghai(2026, 3, 2, 0, 0);
    private static readonly DateTimeOffset Drop = TestMember.Shanghai(2026, 4, 1, 0, 0);
    private static readonly DateTimeOffset Late = TestMember.Shanghai(2026, 3, 20);
    private static readonly DateTimeOffset P3 = TestMember.Shanghai(2026, 4, 5);
    private static readonly DateTimeOffset Arrival = TestMember.Shanghai(2026, 4, 12);
    private const string CorrectionRule = "tier.downgrade.grace.correction";

    [Fact]
    public void ARefundAfterTheLateEventDoesNotKeepADropTheLatePurchasePreventedInOrder()
    {
        // In order: 20 Mar P1 500 + late 500 = 1,000 (V2 kept, grace over); 5 Apr P3 300 (1,300); 10 Apr refund of 200 of
        // P1 (1,100, still V2). The member never left V2. As of now (refund counted at the drop) the drop looked right:
        // 300 + 500 = 800 at 1 Apr; the engine kept it and upgraded again from P3, granting the coupon anew.
        var member = Dropped();
        member.Now = P3;
        member.Purchase("O-3", 300m, eventId: "e-3");
        member.Now = TestMember.Shanghai(2026, 4, 10);
        member.Refund("O-1", 200m, eventId: "e-refund");
        Assert.Equal("V1", member.Tier);
        member.Now = Arrival;

        var late = member.Purchase("O-late", 500m, at: Late, eventId: "e-late");

        Assert.Equal(("V2", P1), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.Null(member.State.TierGraceDrop);
        Assert.Empty(late.BenefitsGranted);
        Assert.Equal(P1, Assert.Single(member.State.Benefits, b => b.Code == "birthday-coupon").GrantedAt);
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((CorrectionRule, 1L, 2L, Late), (move.RuleId, move.Delta, move.BalanceAfter, move.EffectiveOccurredAt));
        Assert.Contains("e-late", move.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(late.TierChanges, c => c.IsUpgrade);
        Assert.Equal(CorrectionRule, Assert.Single(late.TierChanges).RuleId);

        // P3 was bought on V2 in order: 300 × 1.2 = 360, it earned 300 on V1.
        Assert.Equal(60L, Assert.Single(late.NewEntries, e => e.RuleId == "points.earn.correction").Delta);
        Assert.Equal(1100L, member.Growth);
    }

    [Fact]
    public void ARefundAfterTheLateEventThatTookTheTierInOrderDropsItWhereItOccurred()
    {
        // In order: 20 Mar 1,000 (V2 kept); 10 Apr full refund of P1 leaves 500: V2 → V1 at once, at 10 Apr, no grace. As
        // of now the drop of 1 Apr looked right (the late 500 alone); in order the member held V2 until the refund.
        var refundAt = TestMember.Shanghai(2026, 4, 10);
        var member = Dropped();
        member.Now = refundAt;
        member.Refund("O-1", 500m, eventId: "e-refund");
        member.Now = Arrival;

        var late = member.Purchase("O-late", 500m, at: Late, eventId: "e-late");

        Assert.Equal(("V1", refundAt), (member.Tier, member.State.TierSince));
        Assert.Null(member.State.TierGraceStartedAt);
        Assert.DoesNotContain(member.State.Benefits, b => b.Code == "birthday-coupon");
        Assert.Empty(late.BenefitsGranted);
        var moves = late.NewEntries.Where(e => e.Kind == LedgerKinds.Tier).ToList();
        Assert.Equal(2, moves.Count);
        Assert.Equal((CorrectionRule, 1L, 2L, Late), (moves[0].RuleId, moves[0].Delta, moves[0].BalanceAfter, moves[0].EffectiveOccurredAt));
        Assert.Equal((RuleIds.TierDowngradeRefund, -1L, 1L, refundAt), (moves[1].RuleId, moves[1].Delta, moves[1].BalanceAfter, moves[1].EffectiveOccurredAt));
        Assert.Contains("e-late", moves[1].Reason, StringComparison.Ordinal);
        Assert.Equal([CorrectionRule, RuleIds.TierDowngradeRefund], late.TierChanges.Select(c => c.RuleId));
        Assert.Equal(500L, member.Growth);
    }

    [Fact]
    public void ARefundBeforeTheLateEventStillCountsAtTheDrop()
    {
        // The refund of 200 occurred on 15 Mar, before the late purchase: in order 20 Mar left 300 + 500 = 800, the grace
        // ran out on 1 Apr (V1), and P3 on 5 Apr reached V2 again (1,100). The drop stands; the upgrade is dated at P3.
        var member = new TestMember(P0);
        Start(member);
        member.Now = TestMember.Shanghai(2026, 3, 15);
        member.Refund("O-1", 200m, eventId: "e-refund");
        DropAt(member);
        member.Now = P3;
        member.Purchase("O-3", 300m, eventId: "e-3");
        Assert.Equal("V1", member.Tier);
        member.Now = Arrival;

        var late = member.Purchase("O-late", 500m, at: Late, eventId: "e-late");

        Assert.Equal(("V2", P3), (member.Tier, member.State.TierSince));
        var move = Assert.Single(late.NewEntries, e => e.Kind == LedgerKinds.Tier);
        Assert.Equal((RuleIds.TierUpgrade, 1L, P3), (move.RuleId, move.Delta, move.EffectiveOccurredAt));
        Assert.Contains(late.BenefitsGranted, b => b.Code == "birthday-coupon");
        Assert.Equal(Drop, member.State.Ledger.Last(e => e.RuleId == RuleIds.TierDowngradeGrace).EffectiveOccurredAt);
        Assert.DoesNotContain(member.State.Ledger, e => e.RuleId == CorrectionRule);
    }

    /// <summary>P0 and P1 (V2 since P1), then a tick on 2 Apr that has dropped the member to V1 at the grace's end.</summary>
    private static TestMember Dropped()
    {
        var member = new TestMember(P0);
        Start(member);
        DropAt(member);
        return member;
    }

    private static void Start(TestMember member)
    {
        member.Options.GrowthWindowDays = 60;
        member.Purchase("O-0", 600m, eventId: "e-0");
        member.Now = P1;
        member.Purchase("O-1", 500m, eventId: "e-1");
        Assert.Equal(("V2", P1), (member.Tier, member.State.TierSince));
        member.Now = TestMember.Shanghai(2026, 3, 3);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(GraceStart, member.State.TierGraceStartedAt);
    }

    private static void DropAt(TestMember member)
    {
        member.Now = TestMember.Shanghai(2026, 4, 2);
        MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now);
        Assert.Equal(("V1", Drop), (member.Tier, member.State.TierSince));
        Assert.Equal(RuleIds.TierDowngradeGrace, member.State.Ledger.Last(e => e.Kind == LedgerKinds.Tier).RuleId);
    }
}
