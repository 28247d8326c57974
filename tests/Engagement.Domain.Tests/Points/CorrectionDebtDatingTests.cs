using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// How a correction (<c>points.earn.correction</c>, CONTRACT.md §1.1) meets the dated debt (PointsDebtBook, docs/ledger.md "What the
/// points oracle finds out of order"): a loss that leaves debt is dated at the latest of its order's last refund (else its
/// purchase), the newest refund of any kept order and the newest piece owed (EarningPolicy.CorrectOrdersAfter,
/// PointsWallet.Reverse); a gain pays only debt dated before its order's lot expires (PointsWallet.Adjust, PointsDebtBook.Pay).
/// Shanghai instants, some at local midnight.
/// </summary>
public class CorrectionDebtDatingTests
{
    /// <summary>
    /// X (100 CNY on 10 Jan 10:00) is taken for the first purchase (×2: 200) and spent; L (1 CNY on 1 Jan, first ×2: 2 points,
    /// its lot live) arrives on 1 Jun, so X earns 100: the correction takes L's 2 and owes the rest, dated by
    /// <paramref name="dating"/>: at X's purchase; at X's own refund of 50 CNY at midnight on 12 Jan (made before the
    /// redemption, so X's loss is 50); or at the full refund at midnight on 1 Mar of Y (100 CNY on 20 Jan, another kept
    /// order, refunded from its own lot: no debt of its own).
    /// </summary>
    [Theory]
    [InlineData("its purchase", -100L, 98L, "2026-01-10T02:00:00Z")]
    [InlineData("its last refund", -50L, 48L, "2026-01-11T16:00:00Z")]
    [InlineData("the newest refund of a kept order", -100L, 98L, "2026-02-28T16:00:00Z")]
    public void ACorrectionLossIsOwedAtTheLatestOfItsOrdersRefundOrPurchaseAndAnyKeptOrdersRefund(string dating, long correction, long owed, string aroseAt)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 1, 10, 10));
        Applied(member.Purchase("X", 100m));
        if (dating == "its last refund")
        {
            member.Now = TestMember.Shanghai(2026, 1, 12, 0);
            Applied(member.Refund("X", 50m)); // reverses 100 of X's 200 from its own lot
        }

        member.Now = TestMember.Shanghai(2026, 1, 13, 10);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("r1", member.Balance).Status);
        if (dating == "the newest refund of a kept order")
        {
            member.Now = TestMember.Shanghai(2026, 1, 20, 10);
            Applied(member.Purchase("Y", 100m));
            member.Now = TestMember.Shanghai(2026, 3, 1, 0);
            Applied(member.Refund("Y", 100m));
        }

        member.Now = TestMember.Shanghai(2026, 6, 1, 10);
        Applied(member.Purchase("L", 1m, TestMember.Shanghai(2026, 1, 1, 10)));

        Assert.Equal(correction, Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection).Delta);
        Assert.Equal(0, member.State.Orders.Single(o => o.OrderId == "L").Remaining);
        var expected = DateTimeOffset.Parse(aroseAt, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new DebtPiece(owed, expected), Assert.Single(member.State.PointsDebtPieces));
        Assert.Equal(owed, member.State.PointsDebt);
        Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    /// <summary>
    /// One-month lots. F (10 CNY on 1 Jan, the first); O (1,000 CNY at midnight on 1 Mar, at V1: 1,000; expires at midnight on
    /// 1 Apr); Q1 and Q2 (100 CNY each on 5 Mar, at V2: 120) are all redeemed on 6 Mar; Q1 is refunded a second before O's
    /// expiry and Q2 at it: 120 owed at each instant. P (1,000 CNY on 20 Feb, expiring 20 Mar) arrives on 2 Apr: its lot
    /// pays neither piece (both arose after it expired), and O, now bought at V2, earns 1,200: its correction of +200 pays
    /// the 120 that arose before O's lot expired, not those that arose at that instant, and the other 80 expire at once,
    /// dated at O's expiry.
    /// </summary>
    [Fact]
    public void ACorrectionGainPaysOnlyDebtDatedBeforeItsLotExpired()
    {
        var oExpiresAt = TestMember.Shanghai(2026, 4, 1, 0);
        var member = new TestMember(TestMember.Shanghai(2026, 1, 1, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        Applied(member.Purchase("F", 10m));
        member.Now = TestMember.Shanghai(2026, 3, 1, 0);
        Applied(member.Purchase("O", 1000m));
        member.Now = TestMember.Shanghai(2026, 3, 5, 10);
        Applied(member.Purchase("Q1", 100m));
        Applied(member.Purchase("Q2", 100m));
        member.Now = TestMember.Shanghai(2026, 3, 6, 10);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("r1", 1_240).Status);
        member.Now = oExpiresAt.AddSeconds(-1);
        Applied(member.Refund("Q1", 100m));
        member.Now = oExpiresAt;
        MemberDecider.Tick(member.State, member.Options, member.Now);
        Applied(member.Refund("Q2", 100m));
        Assert.Equal([new DebtPiece(120, oExpiresAt.AddSeconds(-1).ToUniversalTime()), new DebtPiece(120, oExpiresAt.ToUniversalTime())], member.State.PointsDebtPieces);
        member.Now = TestMember.Shanghai(2026, 4, 2, 10);

        Applied(member.Purchase("P", 1000m, TestMember.Shanghai(2026, 2, 20, 10)));
        MemberDecider.Tick(member.State, member.Options, member.Now);

        Assert.Equal(200, Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection).Delta);
        Assert.Equal([new DebtPiece(120, oExpiresAt.ToUniversalTime())], member.State.PointsDebtPieces);
        Assert.Equal((-120L, 120L), (member.Balance, member.State.PointsDebt));
        Assert.Equal((0L, 1_000L), (Lot(member, "P").Remaining, Lot(member, "P").Expired));
        Assert.Equal((0L, 80L), (Lot(member, "O").Remaining, Lot(member, "O").Expired));
        var expiry = Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsExpire && e.Reason.Contains("purchase O ", StringComparison.Ordinal));
        Assert.Equal((-80L, oExpiresAt), (expiry.Delta, expiry.OccurredAt));
        Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    private static Engagement.Domain.Orders.OrderRecord Lot(TestMember member, string orderId) => member.State.Orders.Single(o => o.OrderId == orderId);

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
