using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// CONTRACT.md §1.1, §2: a late purchase has the effect it would have had in order. Reviewer's case: a late first purchase
/// both corrects a later purchase (a loss) and releases a refund of itself that was held; the refund was made before its
/// lot expired. The correction's loss is dated after that expiry, so it must not take from the lot; and the held refund
/// (applied before the correction since PurchasePolicy applies held refunds first; it once ran after it) must find the
/// lot's points, not expired, or the ledger shows breakage where in order the points were refunded. One-month lots,
/// Shanghai instants.
/// </summary>
public class HeldRefundWithCorrectionLossTests
{
    private static readonly DateTimeOffset LAt = TestMember.Shanghai(2026, 1, 1, 10);
    private static readonly DateTimeOffset LExpiresAt = TestMember.Shanghai(2026, 2, 1, 10);
    private static readonly DateTimeOffset RefundAt = TestMember.Shanghai(2026, 1, 20, 10);

    /// <summary>
    /// L (100 CNY on 1 Jan, the first purchase ×2: 200, expiring 1 Feb) is half refunded on 20 Jan; X (100 CNY on 10 Feb)
    /// and a redemption of what the member has on 11 Feb. In order: points.refund −100 (20 Jan), points.expire −100 dated
    /// 1 Feb. Late (refund held on 19 Feb, L on 20 Feb, after X was taken for the first and its 200 redeemed): the same
    /// refund and expiry, and X's loss of 100 is owed (L had expired before X was bought), not taken from L.
    /// </summary>
    [Fact]
    public void AHeldRefundMadeBeforeTheLotExpiredIsARefundNotAnExpiryWhenACorrectionLossRunsFirst()
    {
        var inOrder = Play(late: false);
        var late = Play(late: true);

        foreach (var member in new[] { inOrder, late })
        {
            var refund = Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsRefund);
            Assert.Equal((-100L, RefundAt), (refund.Delta, refund.OccurredAt));
            var expiry = Assert.Single(member.State.Ledger, e => e.RuleId == RuleIds.PointsExpire);
            Assert.Equal((-100L, LExpiresAt), (expiry.Delta, expiry.OccurredAt));
            var lot = member.State.Orders.Single(o => o.OrderId == "L");
            Assert.Equal((0L, 100L, 100L), (lot.Remaining, lot.Expired, lot.PointsReversed));
            Assert.Equal(member.Balance, member.State.Ledger.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta));
        }

        // Late the member redeemed 200 (X was the first then); in order 100. Balance plus redeemed is what each kept.
        Assert.Equal((0L, 0L), (inOrder.Balance, inOrder.State.PointsDebt));
        Assert.Equal((-100L, 100L), (late.Balance, late.State.PointsDebt));
        Assert.Equal(inOrder.Balance + Redeemed(inOrder), late.Balance + Redeemed(late));
    }

    private static long Redeemed(TestMember member) =>
        -member.State.Ledger.Where(e => e.RuleId == RuleIds.PointsRedeem).Sum(e => e.Delta);

    private static TestMember Play(bool late)
    {
        var member = new TestMember(LAt);
        member.Options.PointsLifetimeMonths = 1;
        member.Options.LedgerEntriesKept = 1_000;
        if (!late)
        {
            Applied(member.Purchase("L", 100m, eventId: "buy-L"));
            member.Now = RefundAt;
            Applied(member.Refund("L", 50m, eventId: "refund-L"));
        }

        member.Now = TestMember.Shanghai(2026, 2, 10, 10);
        MemberDecider.Tick(member.State, member.Options, member.Now);
        Applied(member.Purchase("X", 100m, eventId: "buy-X"));
        member.Now = TestMember.Shanghai(2026, 2, 11, 10);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("r1", Math.Min(200, member.Balance)).Status);
        if (late)
        {
            member.Now = TestMember.Shanghai(2026, 2, 19, 10);
            Assert.Equal(EventStatus.Held, member.Refund("L", 50m, RefundAt, eventId: "refund-L").Status);
            member.Now = TestMember.Shanghai(2026, 2, 20, 10);
            Applied(member.Purchase("L", 100m, LAt, eventId: "buy-L"));
        }

        member.Now = TestMember.Shanghai(2026, 2, 21, 10);
        MemberDecider.Tick(member.State, member.Options, member.Now);
        return member;
    }

    private static void Applied(EventDecision decision) => Assert.True(decision.Status == EventStatus.Applied, $"{decision.Status} {decision.Reason}");
}
