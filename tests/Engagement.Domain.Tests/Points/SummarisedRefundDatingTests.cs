using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A late refund's debt is dated no earlier than the newest refund of any order the member keeps (PointsWallet.Reverse,
/// PointsDebtBook: conservative dating; docs/ledger.md "What the points oracle finds out of order"), whether the count cap
/// (<c>MaxOrders</c>) keeps that order in full or as a summary: a summary is there to apply a refund "exactly as if the
/// order were still kept" (OrderSummary), so the cap must not move the debt's date earlier (a lot expiring in between
/// would then pay debt that in order arose after it expired).
/// </summary>
public class SummarisedRefundDatingTests
{
    /// <summary>
    /// F (10 CNY on 1 Mar, first), A and B (100 CNY each on 10 Mar) are redeemed in full on 11 Mar; M (100 CNY on 25 Mar)
    /// is taken by B's refund of 18 Apr; A's refund of 16 Apr arrives on 20 Apr and finds no points. In order it took M's
    /// 100 and B's refund left the debt, on 18 Apr: dated there whether B is kept in full or, past a cap of one order, as
    /// a summary.
    /// </summary>
    [Theory]
    [InlineData(250)]
    [InlineData(1)]
    public void ALateRefundFindingNoPointsIsDatedAtTheNewestRefundOfASummarisedOrderToo(int maxOrders)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 3, 1, 10));
        member.Options.MaxOrders = maxOrders;
        Applied(member.Purchase("F", 10m));
        member.Now = TestMember.Shanghai(2026, 3, 10, 10);
        Applied(member.Purchase("A", 100m));
        member.Now = TestMember.Shanghai(2026, 3, 10, 11);
        Applied(member.Purchase("B", 100m));
        member.Now = TestMember.Shanghai(2026, 3, 11, 10);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("r1", 220).Status);
        member.Now = TestMember.Shanghai(2026, 3, 25, 10);
        Applied(member.Purchase("M", 100m));
        var bRefundAt = TestMember.Shanghai(2026, 4, 18, 10);
        member.Now = bRefundAt;
        Applied(member.Refund("B", 100m));
        Assert.Equal(maxOrders == 1, member.State.OrderSummaries.Exists(s => s.OrderId == "B"));
        member.Now = TestMember.Shanghai(2026, 4, 20, 10);

        Applied(member.Refund("A", 100m, TestMember.Shanghai(2026, 4, 16, 10)));

        Assert.Equal((-100L, 100L), (member.Balance, member.State.PointsDebt));
        Assert.Equal(new DebtPiece(100, bRefundAt.ToUniversalTime()), Assert.Single(member.State.PointsDebtPieces));
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
