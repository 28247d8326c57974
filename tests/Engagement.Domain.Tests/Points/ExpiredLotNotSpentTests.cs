using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a lot's points expire at its expiry instant, and a late event has the effect it would have had
/// in order, so nothing dated at or after a lot's expiry takes points from it. A late purchase may bring a lot already past
/// its expiry into the wallet for the length of one event; whatever that event reverses at an instant at or after the
/// expiry (a refund held for the purchase, a correction's loss) must find the lot expired (its <c>points.expire</c> entry
/// dated at the expiry), not spend it. A redemption is checked as of now after the lots due are expired
/// (RedemptionTests.RedemptionDoesNotSpendAnExpiredLot). One-month lots, Shanghai instants.
/// </summary>
public class ExpiredLotNotSpentTests
{
    private static readonly DateTimeOffset LotAt = TestMember.Shanghai(2026, 3, 5, 10);
    private static readonly DateTimeOffset LotExpiresAt = TestMember.Shanghai(2026, 4, 5, 10);

    /// <summary>
    /// L (500 CNY on 5 Mar, expiring 5 Apr 10:00) is refunded in full at 12:00 on 5 Apr; the refund arrives first and is
    /// held, the purchase on 6 Apr. In order L's 500 expired at 10:00 and the refund found them expired (nothing taken);
    /// late the held refund must find the same, not reverse 500 from a lot that had expired.
    /// </summary>
    [Fact]
    public void AHeldRefundAfterTheLotExpiredFindsItExpiredAsInOrder()
    {
        var refundAt = TestMember.Shanghai(2026, 4, 5, 12);
        var inOrder = PlayHeldRefund(refundAt, late: false);
        var late = PlayHeldRefund(refundAt, late: true);

        foreach (var member in new[] { inOrder, late })
        {
            var lot = member.State.Orders.Single(o => o.OrderId == "L");
            // Expired counts what expired net of reversals (OrderRecord.Expired): the refund reversed the 500 that expired.
            Assert.Equal((0L, 0L, 500L), (lot.Remaining, lot.Expired, lot.PointsReversed));
            var expiry = Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsExpire && e.Reason.Contains("purchase L ", StringComparison.Ordinal));
            Assert.Equal((-500L, LotExpiresAt), (expiry.Delta, expiry.OccurredAt));
            Assert.DoesNotContain(member.State.Ledger, e => e.RuleId == RuleIds.PointsRefund);
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }

        Assert.Equal((inOrder.Balance, inOrder.State.PointsDebt), (late.Balance, late.State.PointsDebt));
    }

    /// <summary>A held refund made a minute before the expiry took the lot while it was live, in order and late alike.</summary>
    [Fact]
    public void AHeldRefundBeforeTheLotExpiredStillTakesItsPoints()
    {
        var late = PlayHeldRefund(LotExpiresAt.AddMinutes(-1), late: true);

        var lot = late.State.Orders.Single(o => o.OrderId == "L");
        Assert.Equal((0L, 0L), (lot.Remaining, lot.Expired));
        var refund = Assert.Single(late.State.Ledger, e => e.RuleId == RuleIds.PointsRefund);
        Assert.Equal(-500, refund.Delta);
        Assert.DoesNotContain(late.State.Ledger, e => e.RuleId == RuleIds.PointsExpire && e.Reason.Contains("purchase L ", StringComparison.Ordinal));
    }

    /// <summary>
    /// The first purchase L (100 CNY at Shanghai midnight on 5 Jan, first ×2: 200; expires at midnight on 5 Feb) arrives on
    /// 20 Feb, after X (100 CNY on 10 Feb) was taken for the first and its 200 redeemed on 11 Feb. X earns 100 (CONTRACT.md
    /// §2): the correction takes 100 back. L's lot had expired before X was bought, so it cannot give them: L's 200 expire
    /// (dated 5 Feb, midnight) and the 100 are owed, dated at X's purchase (the member redeemed 100 points X never earned).
    /// </summary>
    [Fact]
    public void ACorrectionLossIsNotTakenFromALateLotThatExpiredBeforeTheCorrectedPurchase()
    {
        var member = new TestMember(TestMember.Shanghai(2026, 2, 10, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        var xAt = member.Now;
        Applied(member.Purchase("X", 100m));
        member.Now = TestMember.Shanghai(2026, 2, 11, 10);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("r1", 200).Status);
        member.Now = TestMember.Shanghai(2026, 2, 20, 10);

        Applied(member.Purchase("L", 100m, TestMember.Shanghai(2026, 1, 5, 0)));

        var lot = member.State.Orders.Single(o => o.OrderId == "L");
        Assert.Equal((0L, 200L), (lot.Remaining, lot.Expired));
        var expiry = Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsExpire);
        Assert.Equal((-200L, TestMember.Shanghai(2026, 2, 5, 0)), (expiry.Delta, expiry.OccurredAt));
        Assert.Equal(-100, Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsEarnCorrection).Delta);
        Assert.Equal((-100L, 100L), (member.Balance, member.State.PointsDebt));
        Assert.Equal(new DebtPiece(100, xAt.ToUniversalTime()), Assert.Single(member.State.PointsDebtPieces));
        Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
    }

    /// <summary>
    /// F (10 CNY on 1 Mar, the first) and L (500 CNY on 5 Mar); L refunded in full at <paramref name="refundAt"/>. In order
    /// each event arrives when it occurred (a tick at each instant first); late, the refund arrives at 09:00 on 6 Apr and
    /// is held, and the purchase follows at 10:00.
    /// </summary>
    private static TestMember PlayHeldRefund(DateTimeOffset refundAt, bool late)
    {
        var member = new TestMember(TestMember.Shanghai(2026, 3, 1, 10));
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        Applied(member.Purchase("F", 10m));
        if (late)
        {
            member.Now = TestMember.Shanghai(2026, 4, 6, 9);
            Assert.Equal(EventStatus.Held, member.Refund("L", 500m, refundAt, eventId: "refund-L").Status);
            member.Now = TestMember.Shanghai(2026, 4, 6, 10);
            Applied(member.Purchase("L", 500m, LotAt, eventId: "buy-L"));
        }
        else
        {
            member.Now = LotAt;
            Applied(member.Purchase("L", 500m, eventId: "buy-L"));
            member.Now = refundAt;
            MemberDecider.Tick(member.State, member.Options, member.Now);
            Applied(member.Refund("L", 500m, eventId: "refund-L"));
            member.Now = TestMember.Shanghai(2026, 4, 6, 10);
        }

        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
