using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Orders;

public class RefundTests
{
    [Fact]
    public void TwoHalfRefundsReverseExactlyWhatThePurchaseEarned()
    {
        var member = new TestMember();
        member.Purchase("O-0", 10m);
        member.Purchase("O-1", 999.99m);

        var first = member.Refund("O-1", 500.00m);
        var second = member.Refund("O-1", 499.99m);

        Assert.Equal(EventStatus.Applied, second.Status);
        var reversed = -first.NewEntries.Concat(second.NewEntries).Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta);
        Assert.Equal(999, reversed);
        Assert.Equal(20, member.Balance);
        Assert.Equal(10, member.Growth);
    }

    [Fact]
    public void AnOrderTakesABoundedNumberOfRefundsAndTheOnePastItIsRefusedNamingTheOrder()
    {
        // 0.01 CNY at a time, each refund remembered on the order: without a bound the member's state grows past what storage takes.
        var member = new TestMember();
        member.Purchase("O-1", 268.50m);
        for (var i = 0; i < member.Options.MaxRefundsPerOrder; i++)
        {
            Assert.Equal(EventStatus.Applied, member.Refund("O-1", 0.01m).Status);
        }

        var past = member.Refund("O-1", 0.01m);

        Assert.Equal(EventStatus.Rejected, past.Status);
        Assert.StartsWith("orderId: order O-1 already has 100 refunds", past.Reason, StringComparison.Ordinal);
        var order = member.State.Orders.Single(o => o.OrderId == "O-1");
        Assert.Equal(100, order.RefundEventIds!.Count);
        Assert.Equal(1.00m, order.Refunded);
    }

    [Fact]
    public void ThreeThirdRefundsNeverOverReverseThroughRounding()
    {
        var member = new TestMember();
        member.Purchase("O-0", 1m);
        member.Purchase("O-1", 100m);

        var deltas = new[] { 33.33m, 33.33m, 33.34m }
            .Select(a => member.Refund("O-1", a))
            .Select(d => -d.NewEntries.Where(e => e.Kind == LedgerKinds.Points).Sum(e => e.Delta))
            .ToList();

        Assert.Equal([33L, 33L, 34L], deltas);
        Assert.Equal(2, member.Balance);
        Assert.Equal(1, member.Growth);
        Assert.True(member.State.Orders.Single(o => o.OrderId == "O-1").FullyRefunded);
    }

    [Fact]
    public void SmallRefundsAddUpTheirGrowthReversalOnTheCumulativeAmount()
    {
        var member = new TestMember();
        member.Purchase("O-1", 10m);

        member.Refund("O-1", 0.50m);
        Assert.Equal(10, member.Growth);
        member.Refund("O-1", 0.50m);

        Assert.Equal(9, member.Growth);
    }

    [Fact]
    public void RefundOverTheUnrefundedRemainderIsRejectedWithTheReason()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Refund("O-1", 60m);

        var decision = member.Refund("O-1", 40.01m);

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.Contains("40.00 CNY left unrefunded on order O-1", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(60m, member.State.Orders[0].Refunded);
    }

    [Fact]
    public void RefundOfZeroIsRejected()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        Assert.Equal(EventStatus.Rejected, member.Refund("O-1", 0m).Status);
    }

    [Fact]
    public void RefundReversesFromItsOwnLotBeforeOthers()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Purchase("O-2", 100m);

        member.Refund("O-2", 100m);

        Assert.Equal(["O-1"], PointsWallet.Lots(member.State).Select(l => l.LotId));
        Assert.Equal(200, member.Balance);
    }

    [Fact]
    public void ARefundOfAnOrderWhosePointsExpiredTakesNothingForThemFromTheMembersOtherLots()
    {
        // O-1 earns 2,000 (first purchase ×2), O-2 600 at V2; O-1's lot expires on 2026-01-10, untouched. Its refund
        // after that reverses points that are gone already: the member never spent one, so nothing is taken and no debt.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 1000m);
        member.Now = TestMember.Shanghai(2025, 12, 1);
        member.Purchase("O-2", 500m);
        Assert.Equal(2600, member.Balance);

        member.Now = TestMember.Shanghai(2026, 1, 20);
        Assert.Equal(EventStatus.Applied, member.Refund("O-1", 1000m).Status);

        Assert.Equal(600, member.Balance);
        Assert.Equal(0, member.State.PointsDebt);
        Assert.DoesNotContain(member.State.Ledger, e => e.Kind == LedgerKinds.Points && e.RuleId == RuleIds.PointsRefund);
    }

    [Fact]
    public void ARefundOfAnExpiredOrderTakesBackOnlyThePointsSpentFromItAndHalvesAddUpToTheWhole()
    {
        // O-1 earns 2,000 and 500 of them are redeemed before the other 1,500 expire: two half refunds take back 500 in all.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Purchase("O-1", 1000m);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-1", 500).Status);
        member.Now = TestMember.Shanghai(2025, 12, 1);
        member.Purchase("O-2", 500m);

        member.Now = TestMember.Shanghai(2026, 1, 20);
        member.Refund("O-1", 500m);
        Assert.Equal(600, member.Balance);
        member.Refund("O-1", 500m);

        Assert.Equal(100, member.Balance);
        Assert.Equal(0, member.State.PointsDebt);
        var taken = Assert.Single(member.State.Ledger, e => e.Kind == LedgerKinds.Points && e.RuleId == RuleIds.PointsRefund);
        Assert.Equal(-500, taken.Delta);
        Assert.Contains("500 of the 1000 points it reverses had expired", taken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateRefundEventChangesNothing()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Refund("O-1", 10m, eventId: "r-1");

        var again = member.Refund("O-1", 10m, eventId: "r-1");

        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.Empty(again.NewEntries);
        Assert.Equal(10m, member.State.Orders[0].Refunded);
    }

    [Fact]
    public void RefundBeforeItsPurchaseIsHeldAndAppliedRightAfterThePurchase()
    {
        var member = new TestMember();

        var held = member.Refund("O-1", 500m, eventId: "r-1");

        Assert.Equal(EventStatus.Held, held.Status);
        Assert.Contains("O-1", held.Reason, StringComparison.Ordinal);
        Assert.Single(member.State.HeldRefunds);

        // Its resend, even later, is still held (not "duplicate", which says applied): the first answer, changing nothing.
        member.Now = member.Now.AddMinutes(2);
        var resent = member.Refund("O-1", 500m, eventId: "r-1");
        Assert.Equal((EventStatus.Held, held.Reason), (resent.Status, resent.Reason));
        Assert.False(resent.StateChanged);
        Assert.Single(member.State.HeldRefunds);

        member.Now = member.Now.AddMinutes(3);
        var purchase = member.Purchase("O-1", 1000m);

        Assert.Equal(["r-1"], purchase.AppliedHeldRefunds);
        Assert.Empty(member.State.HeldRefunds);
        Assert.Contains(purchase.NewEntries, e => e.RuleId == RuleIds.PointsRefund && e.Delta == -1000 && e.EventId == "r-1");
        Assert.Contains(purchase.NewEntries, e => e.RuleId == RuleIds.GrowthRefund && e.Delta == -500);
        Assert.Equal(1000, member.Balance);
        Assert.Equal(500, member.Growth);
        Assert.Equal("V1", member.Tier);
        Assert.Equal(1, member.State.Behaviour["refund"]);
        Assert.Equal(EventStatus.Duplicate, member.Refund("O-1", 500m, eventId: "r-1").Status);
    }

    [Fact]
    public void HeldRefundTooLargeForItsPurchaseIsHandedBackForThePoisonQueue()
    {
        var member = new TestMember();
        member.Refund("O-1", 500m, eventId: "r-1");

        var purchase = member.Purchase("O-1", 100m);

        var rejected = Assert.Single(purchase.RejectedHeldRefunds);
        Assert.Equal("r-1", rejected.Refund.EventId);
        Assert.Contains("exceeds", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(EventStatus.Applied, purchase.Status);
        Assert.Equal(200, member.Balance);
    }

    [Fact]
    public void HeldRefundIsReleasedForThePoisonQueueOnlyOnceItsTimeoutHasPassed()
    {
        var member = new TestMember();
        member.Refund("O-1", 500m, eventId: "r-1");
        var heldAt = member.Now;

        Assert.Empty(RefundPolicy.ReleaseExpiredHeldRefunds(member.State, member.Options, heldAt.AddHours(24).AddTicks(-1)));
        var released = RefundPolicy.ReleaseExpiredHeldRefunds(member.State, member.Options, heldAt.AddHours(24));

        var refund = Assert.Single(released);
        Assert.Equal(("r-1", "O-1", 500m), (refund.EventId, refund.OrderId, refund.Amount));
        Assert.Empty(member.State.HeldRefunds);
    }

    [Fact]
    public void TickReleasesExpiredHeldRefunds()
    {
        var member = new TestMember();
        member.Refund("O-1", 500m, eventId: "r-1");

        var tick = MemberEngine.ApplyTimePassed(member.State, member.Options, member.Now.AddDays(2));

        Assert.Equal("r-1", Assert.Single(tick.ExpiredHeldRefunds).EventId);
    }

    [Fact]
    public void HeldRefundsAreBoundedAndTheOverflowIsRejected()
    {
        var member = new TestMember();
        member.Options.MaxHeldRefunds = 2;
        member.Refund("O-1", 1m);
        member.Refund("O-2", 1m);

        var third = member.Refund("O-3", 1m);

        Assert.Equal(EventStatus.Rejected, third.Status);
        Assert.Equal(2, member.State.HeldRefunds.Count);
    }
}
