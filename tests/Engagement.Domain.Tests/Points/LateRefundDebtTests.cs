using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a late refund of points already spent is paid, as in order, by the lots that were live when it
/// occurred or earned after it, even when they have expired by its arrival; the member owes nothing in order, so nothing late.
/// </summary>
public class LateRefundDebtTests
{
    /// <summary>
    /// A (1,000 CNY, first ×2: 2,000) is spent in full on 6 Jan and refunded in full on 8 Jan; B (3,000 CNY on 10 Jan, at
    /// V1 once the refund counts: 3,000) pays the 2,000 debt in order and 1,000 expire on 10 Feb (one-month lots). Delivered
    /// on 1 Mar, the refund takes its 2,000 from B's points that expired since it occurred, not as a debt: both end at 0.
    /// </summary>
    [Fact]
    public void LateRefundTakesFromLotsThatExpiredSinceItOccurred()
    {
        var inOrder = Play(lateRefund: false);
        var late = Play(lateRefund: true);

        Assert.Equal(0, inOrder.Balance);
        Assert.Equal(0, late.Balance);
        Assert.Equal(0, late.State.PointsDebt);
        Assert.Equal(inOrder.State.Orders.Sum(o => o.Expired), late.State.Orders.Sum(o => o.Expired));
        Assert.Equal(late.Balance, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    /// <summary>
    /// As above with B of 1,000 CNY (V1: 1,000 in order; 1,200 at V2 before the refund counts) and C of 3,000 on 12 Jan
    /// (V2: 3,600 both ways): in order B and C pay the 2,000 debt and 2,600 of C expire. Late, the refund takes B's 1,200
    /// and 800 of C's expired points; B's correction (−200) finds none of its own left and takes C's next, not a debt.
    /// </summary>
    [Fact]
    public void LateRefundsCorrectionTakesFromLotsThatExpiredSinceItOccurred()
    {
        var inOrder = Play(lateRefund: false, b: 1000m, c: 3000m);
        var late = Play(lateRefund: true, b: 1000m, c: 3000m);

        Assert.Equal(0, inOrder.Balance);
        Assert.Equal(0, late.Balance);
        Assert.Equal(0, late.State.PointsDebt);
        Assert.Equal(2_600, inOrder.State.Orders.Sum(o => o.Expired));
        Assert.Equal(2_600, late.State.Orders.Sum(o => o.Expired));
        Assert.Equal(late.Balance, late.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    private static TestMember Play(bool lateRefund, decimal b = 3000m, decimal? c = null)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 5, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        Applied(member.Purchase("A", 1000m));
        member.Now = TestMember.Shanghai(2026, 1, 6, 10);
        Assert.Equal(RedemptionStatuses.Accepted, MemberDecider.Redeem(member.State, "r1", 2_000, null, null, member.Options, member.Now).Reply.Status);
        var refundAt = TestMember.Shanghai(2026, 1, 8, 10);
        if (!lateRefund)
        {
            member.Now = refundAt;
            Applied(member.Refund("A", 1000m, eventId: "refund-A"));
        }

        member.Now = TestMember.Shanghai(2026, 1, 10, 10);
        Applied(member.Purchase("B", b));
        if (c is { } amount)
        {
            member.Now = TestMember.Shanghai(2026, 1, 12, 10);
            Applied(member.Purchase("C", amount));
        }

        member.Now = TestMember.Shanghai(2026, 3, 1, 10);
        if (lateRefund)
        {
            Applied(member.Refund("A", 1000m, refundAt, eventId: "refund-A"));
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
