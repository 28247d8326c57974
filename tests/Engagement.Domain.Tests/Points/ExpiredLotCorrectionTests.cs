using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a late refund that lowers what a later purchase earned corrects that purchase even when its lot
/// has expired by the arrival, for the points of it that did not expire (here all of them paid a refund's debt).
/// </summary>
public class ExpiredLotCorrectionTests
{
    /// <summary>
    /// A (6,000 CNY, first ×2: 12,000) and A2 (3,000 at V3: 4,500) are spent in full, A2's refund leaves a debt of 4,500,
    /// then A is refunded on 8 Jan (tier V3 → V1) and B (1,000 CNY on 10 Jan) pays the debt with all it earns: 1,000 at
    /// V1 in order. Delivered late (1 Mar, B's one-month lot expired 10 Feb), the refund finds B priced at V3 (1,500):
    /// its correction takes the 500 back as debt, so both end at −15,500, every point explained by the ledger.
    /// </summary>
    [Fact]
    public void LateRefundCorrectsAPurchaseWhoseExpiredLotPaidDebt()
    {
        var inOrder = Play(lateRefund: false);
        var late = Play(lateRefund: true);

        Assert.Equal(-15_500, inOrder.Balance);
        Assert.Equal(inOrder.Balance, late.Balance);
        Assert.Equal(15_500, late.State.PointsDebt);
        var correction = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection);
        Assert.Equal(-500, correction.Delta);
        Assert.Contains("purchase B earns 1000 points at V1 ×1.0 (was 1500)", correction.Reason, StringComparison.Ordinal);
        Assert.Equal(late.Balance, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        Assert.Equal(inOrder.Balance, inOrder.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    private static TestMember Play(bool lateRefund)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        Applied(member.Purchase("A", 6000m));
        member.Now = TestMember.Shanghai(2026, 1, 5, 12);
        Applied(member.Purchase("A2", 3000m));
        member.Now = TestMember.Shanghai(2026, 1, 6, 10);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", 16_500, null, null, member.Options, member.Now).Reply.Status);
        member.Now = TestMember.Shanghai(2026, 1, 6, 12);
        Applied(member.Refund("A2", 3000m));
        var refundAt = TestMember.Shanghai(2026, 1, 8, 10);
        if (!lateRefund)
        {
            member.Now = refundAt;
            Applied(member.Refund("A", 6000m, eventId: "refund-A"));
        }

        member.Now = TestMember.Shanghai(2026, 1, 10, 10);
        Applied(member.Purchase("B", 1000m));
        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        if (lateRefund)
        {
            Applied(member.Refund("A", 6000m, refundAt, eventId: "refund-A"));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
