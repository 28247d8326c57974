using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §2: a late purchase whose lot pays a debt, then is refunded, owes that debt again: its refund never takes
/// other lots' expired points for what its own lot gave to the debt, so the late run ends where the in-order one does.
/// </summary>
public class LatePaidDebtTests
{
    /// <summary>
    /// One-month lots. F (1,000 CNY, 5 Jan); P (1,000 CNY, 6 Jan) refunded in full on 7 Jan; B (100 CNY, 10 Jan); A (1,000
    /// CNY, 20 Feb) whose points are all redeemed on 21 Feb and refunded in full on 22 Feb: in order the member owes A's
    /// points. Delivered on 1 Mar, P's lot (expired) pays that debt on arrival; its refund must owe it again, not take F's
    /// expired points for it: both runs end with the same balance and debt, and P's refund is in the ledger.
    /// </summary>
    [Fact]
    public void LateRefundOfALotThatPaidDebtOwesItAgain()
    {
        var inOrder = Play(lateP: false);
        var late = Play(lateP: true);

        Assert.True(inOrder.State.PointsDebt > 0, "in order A's refund leaves a debt");
        Assert.Equal(inOrder.Balance, late.Balance);
        Assert.Equal(inOrder.State.PointsDebt, late.State.PointsDebt);
        Assert.Equal(inOrder.State.Orders.Sum(o => o.Expired), late.State.Orders.Sum(o => o.Expired));
        Assert.Contains(late.State.Ledger, e => e.RuleId == RuleIds.PointsRefund && e.EventId == "refund-P");
        Assert.Equal(late.Balance, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    private static TestMember Play(bool lateP)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        var pAt = TestMember.Shanghai(2026, 1, 6, 10);
        var pRefundAt = TestMember.Shanghai(2026, 1, 7, 10);
        Applied(member.Purchase("F", 1000m));
        if (!lateP)
        {
            member.Now = pAt;
            Applied(member.Purchase("P", 1000m));
            member.Now = pRefundAt;
            Applied(member.Refund("P", 1000m, eventId: "refund-P"));
        }

        member.Now = TestMember.Shanghai(2026, 1, 10, 10);
        Applied(member.Purchase("B", 100m));
        member.Now = TestMember.Shanghai(2026, 2, 20, 10);
        Applied(member.Purchase("A", 1000m));
        member.Now = TestMember.Shanghai(2026, 2, 21, 10);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", member.Balance, null, null, member.Options, member.Now).Reply.Status);
        member.Now = TestMember.Shanghai(2026, 2, 22, 10);
        Applied(member.Refund("A", 1000m, eventId: "refund-A"));

        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        if (lateP)
        {
            Applied(member.Purchase("P", 1000m, pAt));
            Applied(member.Refund("P", 1000m, pRefundAt, eventId: "refund-P"));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
