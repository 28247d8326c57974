using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// A full refund of an order that used a coupon restores the coupon (docs/offers.md §6); when the refund arrived before
/// its purchase and was held, the restore counts in programme metrics (CONTRACT.md §5) and reads in the ledger exactly
/// as the same refund arriving after its purchase (§1.1): a restore (−1 redeemed) on the refund's own local day and in
/// its region, the ledger row naming the refund, while the purchase's day keeps its redemption.
/// </summary>
public sealed class HeldRefundCouponTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private static readonly ProgramOptions Options = new();

    private static readonly DateTimeOffset IssuedAt = TestMember.Shanghai(2026, 11, 17, 9);

    private static readonly DateTimeOffset PurchaseAt = TestMember.Shanghai(2026, 11, 18, 15);

    private static readonly DateTimeOffset RefundAt = TestMember.Shanghai(2026, 11, 20, 10);

    private static readonly DateTimeOffset Now = TestMember.Shanghai(2026, 11, 23, 12);

    private static readonly DateOnly PurchaseDay = new(2026, 11, 18);

    private static readonly DateOnly RefundDay = new(2026, 11, 20);

    private static readonly string Code = Codes.CodeFor("H1", "g");

    private static MemberEvent Purchase() =>
        new("p1", MemberEventTypes.Purchase, PurchaseAt) { RegionId = "East", StoreId = "S001", OrderId = "O1", Amount = 100.00m, Coupons = [Code] };

    private static MemberEvent Refund(string? region = "East") =>
        new("rf1", MemberEventTypes.Refund, RefundAt) { RegionId = region, StoreId = region is null ? null : "S900", OrderId = "O1", Amount = 100.00m };

    /// <summary>The member after <paramref name="events"/> arrive in this order, an hour apart, each through the rules and its coupon step as the grain runs them.</summary>
    private static MemberState Arrive(MetricsOptions metrics, params MemberEvent[] events)
    {
        var state = new MemberState { MemberId = "H1" };
        Assert.Equal(Code, MemberCoupons.Issue(state, WakeUpGift, "g", Offers, Options, IssuedAt).Reply.Coupon!.Code);
        for (var i = 0; i < events.Length; i++)
        {
            var now = Now.AddHours(i);
            var held = CouponEventStep.HeldFor(state, events[i]);
            var outcome = MemberDecider.Apply(state, events[i], Options, now, metrics);
            Assert.NotEqual(EventStatus.Rejected, outcome.Reply.Status);
            if (outcome.Reply.Status == EventStatus.Applied)
            {
                Assert.Empty(CouponEventStep.Apply(state, events[i], held, Offers, Options, metrics, now).Reply);
            }
        }

        Assert.Empty(state.HeldRefunds);
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(state).Find(Code)!.Status);
        return state;
    }

    /// <summary>Coupon day counters (gauges left out) summed by region, day and name; zeros dropped.</summary>
    private static SortedDictionary<string, long> CouponDays(MemberState state)
    {
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in state.Outbox.Pending.OfType<RecordMetrics>().SelectMany(r => r.Contributions).Where(c => !c.IsGauge))
        {
            foreach (var (name, delta) in c.Counters.Where(kv => kv.Key.StartsWith("coupons", StringComparison.Ordinal)))
            {
                var key = $"{c.RegionId}|{c.Day:yyyy-MM-dd}|{name}";
                sums[key] = sums.GetValueOrDefault(key) + delta;
            }
        }

        foreach (var zero in sums.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList())
        {
            sums.Remove(zero);
        }

        return sums;
    }

    private static LedgerEntry Restore(MemberState state) =>
        Assert.Single(state.Ledger, e => e.Kind == MemberCoupons.LedgerKind && e.RuleId == MemberCoupons.RestoreRule);

    [Fact]
    public void AHeldFullRefundRestoresTheCouponOnItsOwnDayAndTheLedgerNamesItAsInOrder()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var inOrder = Arrive(metrics, Purchase(), Refund());
        var held = Arrive(metrics, Refund(), Purchase());

        var expected = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            [$"east|2026-11-18|{MetricNames.CouponsRedeemed}"] = 1,
            [$"east|2026-11-18|{MetricNames.CouponsRedeemedOfferPrefix}winback.l1"] = 1,
            [$"east|2026-11-20|{MetricNames.CouponsRedeemed}"] = -1,
            [$"east|2026-11-20|{MetricNames.CouponsRedeemedOfferPrefix}winback.l1"] = -1,
        };
        Assert.Equal(expected, CouponDays(inOrder));
        Assert.Equal(expected, CouponDays(held));
        Assert.Equal(PurchaseDay.AddDays(2), RefundDay);

        // The restore row names the refund, written when the refund was applied (the second arrival in both orders).
        Assert.Equal(("rf1", Now.AddHours(1), 1L, 1L), (Restore(inOrder).EventId, Restore(inOrder).At, Restore(inOrder).Delta, Restore(inOrder).BalanceAfter));
        Assert.Equal(("rf1", Now.AddHours(1), 1L, 1L), (Restore(held).EventId, Restore(held).At, Restore(held).Delta, Restore(held).BalanceAfter));
    }

    [Fact]
    public void ARestoreIsDatedAtTheRefundThatCausedItNotAtItsRecordingWhicheverArrivedFirst()
    {
        // The refund was made on 20 Nov and reached the engine on 23 Nov: the coupon came back on 20 Nov (docs/ledger.md, occurredAt).
        var metrics = new MetricsOptions { Shards = 4 };
        foreach (var state in new[] { Arrive(metrics, Purchase(), Refund()), Arrive(metrics, Refund(), Purchase()) })
        {
            var restore = Restore(state);
            Assert.Equal(Now.AddHours(1), restore.At);
            Assert.Equal(RefundAt, restore.EffectiveOccurredAt);
            Assert.Equal(TimeSpan.Zero, restore.OccurredAt!.Value.Offset);
            var archived = Assert.Single(state.Outbox.Pending.OfType<ArchiveLedgerEntry>(), a => a.Entry.Sequence == restore.Sequence);
            Assert.Equal(RefundAt, archived.Entry.OccurredAt);
        }
    }

    [Fact]
    public void ARestoreAfterTwoRefundsArrivingOutOfOrderIsDatedAtTheLaterRefundNotTheLastToArrive()
    {
        // Half refunded on 22 Nov (arrives first), the other half on 20 Nov (arrives late, completing the refund): the
        // order was refunded in full on 22 Nov, so the coupon came back then, whether the purchase came first or last.
        var metrics = new MetricsOptions { Shards = 4 };
        var later = RefundAt.AddDays(2);
        MemberEvent Half(string id, DateTimeOffset at) =>
            new(id, MemberEventTypes.Refund, at) { RegionId = "East", StoreId = "S900", OrderId = "O1", Amount = 50.00m };
        var inOrder = Arrive(metrics, Purchase(), Half("rfB", later), Half("rfA", RefundAt));
        var held = Arrive(metrics, Half("rfB", later), Half("rfA", RefundAt), Purchase());
        foreach (var state in new[] { inOrder, held })
        {
            var restore = Restore(state);
            Assert.Equal(later, restore.EffectiveOccurredAt);
            Assert.Equal(later, Assert.Single(state.Outbox.Pending.OfType<ArchiveLedgerEntry>(), a => a.Entry.Sequence == restore.Sequence).Entry.OccurredAt);
        }

        // The metrics count the restore on that same day whichever arrived first (not on the completing refund's 20 Nov).
        Assert.Equal(-1, CouponDays(inOrder).GetValueOrDefault($"east|2026-11-22|{MetricNames.CouponsRedeemed}"));
        Assert.Equal(CouponDays(inOrder), CouponDays(held));
    }

    [Fact]
    public void AHeldFullRefundFromAnotherRegionRestoresTheCouponInThatRegionOnItsLocalDayAsInOrder()
    {
        // West keeps another zone: 2026-11-20 10:00 +08:00 is still 11-19 there.
        var metrics = new MetricsOptions { Shards = 4, RegionTimeZones = { ["west"] = "America/Los_Angeles" } };
        var inOrder = Arrive(metrics, Purchase(), Refund("West"));
        var held = Arrive(metrics, Refund("West"), Purchase());

        Assert.Equal(-1, CouponDays(held).GetValueOrDefault($"west|2026-11-19|{MetricNames.CouponsRedeemed}"));
        Assert.Equal(1, CouponDays(held).GetValueOrDefault($"east|2026-11-18|{MetricNames.CouponsRedeemed}"));
        Assert.Equal(CouponDays(inOrder), CouponDays(held));
    }

    [Fact]
    public void AHeldFullRefundWithoutARegionRestoresInTheMembersRegionAsInOrder()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var inOrder = Arrive(metrics, Purchase(), Refund(region: null));
        var held = Arrive(metrics, Refund(region: null), Purchase());

        Assert.Equal(-1, CouponDays(held).GetValueOrDefault($"east|2026-11-20|{MetricNames.CouponsRedeemed}"));
        Assert.Equal(CouponDays(inOrder), CouponDays(held));
    }

    [Fact]
    public void ARestoreOfAnOrderTheCountCapSummarisedIsDatedAtItsLatestRefundNotTheLastToArrive()
    {
        // O1's points spent and a second order past MaxOrders = 1: O1 is kept as a summary, with its refunds' instants.
        var options = new ProgramOptions { MaxOrders = 1 };
        var state = new MemberState { MemberId = "H1" };
        Assert.Equal(Code, MemberCoupons.Issue(state, WakeUpGift, "g", Offers, options, IssuedAt).Reply.Coupon!.Code);
        var now = Now;
        void Step(MemberEvent evt)
        {
            now = now.AddHours(1);
            Assert.Equal(EventStatus.Applied, MemberDecider.Apply(state, evt, options, now).Reply.Status);
            Assert.Empty(CouponEventStep.Apply(state, evt, held: null, Offers, options, metrics: null, now).Reply);
        }

        MemberEvent Half(string id, DateTimeOffset at) =>
            new(id, MemberEventTypes.Refund, at) { RegionId = "East", StoreId = "S900", OrderId = "O1", Amount = 50.00m };
        Step(Purchase());
        RedemptionPolicy.Redeem(state, "R-1", PointsWallet.Balance(state), null, null, options, now);
        Step(new MemberEvent("p2", MemberEventTypes.Purchase, PurchaseAt.AddHours(1)) { RegionId = "East", StoreId = "S001", OrderId = "O2", Amount = 10.00m });
        Assert.Null(OrderBook.Find(state, "O1"));
        Assert.NotNull(OrderBook.FindSummary(state, "O1"));

        // Half on 22 Nov arrives first, the late half of 20 Nov completes the refund: the coupon came back on 22 Nov.
        var later = RefundAt.AddDays(2);
        Step(Half("rfB", later));
        Step(Half("rfA", RefundAt));
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(state).Find(Code)!.Status);
        Assert.Equal(later, Restore(state).EffectiveOccurredAt);
    }

    [Fact]
    public void AFullRefundOfAnOrderWithALongIdRestoresItsCouponInOrderAndHeld()
    {
        // 128 code points of Chinese: the order keeps its key (OrderIds), the coupon the id as sent; they still match.
        var orderId = "订" + new string('单', 123) + "0001";
        foreach (var held in new[] { false, true })
        {
            var purchase = new MemberEvent("p1", MemberEventTypes.Purchase, PurchaseAt) { RegionId = "East", StoreId = "S001", OrderId = orderId, Amount = 100.00m, Coupons = [Code] };
            var refund = new MemberEvent("rf1", MemberEventTypes.Refund, RefundAt) { RegionId = "East", StoreId = "S900", OrderId = orderId, Amount = 100.00m };
            var state = Arrive(new MetricsOptions { Shards = 4 }, held ? new[] { refund, purchase } : new[] { purchase, refund });

            Assert.Equal(OrderIds.Key(orderId), Assert.Single(state.Orders).OrderId);
            Assert.NotEqual(orderId, state.Orders[0].OrderId);
            Assert.Equal(EventStatus.Duplicate, MemberDecider.Apply(state, refund, Options, Now.AddDays(1), new MetricsOptions { Shards = 4 }).Reply.Status);
            Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(state).Find(Code)!.Status);
            Assert.Equal(RefundAt, Restore(state).EffectiveOccurredAt);
        }
    }

    [Fact]
    public void AHeldFullRefundOfALongOrderNamesTheOrderAndRefundAsSentExactlyAsInOrder()
    {
        // CONTRACT.md §1.1: the same effect whichever arrived first. Both ids are long enough that the order keeps keys
        // for them (OrderIds); the coupon's reason and the restore row must still read the ids the POS sent.
        var orderId = "订" + new string('单', 123) + "0077";
        var refundId = "pos-S900-refund-" + new Guid("6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b").ToString();
        Assert.NotEqual(orderId, OrderIds.Key(orderId));
        Assert.NotEqual(refundId, OrderIds.Key(refundId));
        var purchase = new MemberEvent("p1", MemberEventTypes.Purchase, PurchaseAt) { RegionId = "East", StoreId = "S001", OrderId = orderId, Amount = 100.00m, Coupons = [Code] };
        var refund = new MemberEvent(refundId, MemberEventTypes.Refund, RefundAt) { RegionId = "West", StoreId = "S900", OrderId = orderId, Amount = 100.00m };
        var metrics = new MetricsOptions { Shards = 4 };
        var inOrder = Arrive(metrics, purchase, refund);
        var held = Arrive(metrics, refund, purchase);

        var reason = MemberCoupons.Book(inOrder).Find(Code)!.StatusReason;
        Assert.StartsWith("restored: order 订单单", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(OrderIds.Key(orderId), reason, StringComparison.Ordinal);
        Assert.Equal(reason, MemberCoupons.Book(held).Find(Code)!.StatusReason);
        Assert.Equal(refundId, Restore(inOrder).EventId);
        Assert.Equal(refundId, Restore(held).EventId);

        // Counted under the refund's own step id and in its region (West), as in order.
        Assert.Equal(-1, CouponDays(held).GetValueOrDefault($"west|2026-11-20|{MetricNames.CouponsRedeemed}"));
        Assert.Equal(CouponDays(inOrder), CouponDays(held));
    }
}
