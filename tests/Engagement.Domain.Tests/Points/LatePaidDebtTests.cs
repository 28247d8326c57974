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
    /// Two-month lots. F (1,000 CNY, 5 Jan, first ×2, expiring 5 Mar 10:00); P (1,000 CNY, 6 Jan, expiring 6 Mar) refunded in
    /// full on 7 Jan; A (1,000 CNY, 5 Mar 11:00) whose points are all redeemed and refunded in full within the hour: in order
    /// the member owes A's points. Both P events arrive at 12:00 the same day: P's lot, still live, pays that debt; its
    /// refund must owe it again, not take F's expired points for it: both runs end with the same balance and debt, and
    /// P's refund is in the ledger.
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

    /// <summary>
    /// One-month lots. F (1 CNY, 5 Jan); L (100 CNY, 6 Jan, expiring 6 Feb) delivered on 1 Mar; A (500 CNY, 10 Feb) redeemed
    /// in full on 11 Feb and refunded in full on 12 Feb: the member owes A's 500 points, a debt that arose after L expired.
    /// In order L's points expired on 6 Feb; late, L arrives while the member owes and must not pay that debt: both runs
    /// end at -500, with L's 100 points expired.
    /// </summary>
    [Fact]
    public void LateLotThatExpiredBeforeADebtAroseDoesNotPayIt()
    {
        var inOrder = PlayOwing(lateL: false);
        var late = PlayOwing(lateL: true);

        Assert.Equal(-500, inOrder.Balance);
        Assert.Equal(-500, late.Balance);
        Assert.Equal(500, late.State.PointsDebt);
        Assert.Equal(100, late.State.Orders.Single(o => o.OrderId == "L").Expired);
        Assert.Equal(late.Balance, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    private static TestMember PlayOwing(bool lateL)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        var lAt = TestMember.Shanghai(2026, 1, 6, 10);
        Applied(member.Purchase("F", 1m));
        if (!lateL)
        {
            member.Now = lAt;
            Applied(member.Purchase("L", 100m));
        }

        member.Now = TestMember.Shanghai(2026, 2, 10, 10);
        Applied(member.Purchase("A", 500m));
        member.Now = TestMember.Shanghai(2026, 2, 11, 10);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", member.Balance, null, null, member.Options, member.Now).Reply.Status);
        member.Now = TestMember.Shanghai(2026, 2, 12, 10);
        Applied(member.Refund("A", 500m, eventId: "refund-A"));

        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        if (lateL)
        {
            Applied(member.Purchase("L", 100m, lAt));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static TestMember Play(bool lateP)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
        member.Options.PointsLifetimeMonths = 2;
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

        member.Now = TestMember.Shanghai(2026, 3, 5, 11);
        Applied(member.Purchase("A", 1000m));
        member.Now = TestMember.Shanghai(2026, 3, 5, 11, 10);
        MemberDecider.Tick(member.State, member.Options, member.Now);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", member.Balance, null, null, member.Options, member.Now).Reply.Status);
        member.Now = TestMember.Shanghai(2026, 3, 5, 11, 20);
        Applied(member.Refund("A", 1000m, eventId: "refund-A"));

        member.Now = TestMember.Shanghai(2026, 3, 5, 12);
        if (lateP)
        {
            Applied(member.Purchase("P", 1000m, pAt));
            Assert.True(member.State.Orders.Single(o => o.OrderId == "P").PaidDebt > 0, "P's live lot pays A's debt on arrival");
            Applied(member.Refund("P", 1000m, pRefundAt, eventId: "refund-P"));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
