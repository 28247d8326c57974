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

    private static TestMember Play(bool lateRefund)
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
        Applied(member.Purchase("B", 3000m));
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
