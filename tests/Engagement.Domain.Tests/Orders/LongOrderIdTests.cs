using System.Text;
using System.Text.Json;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// Order ids (and refund event ids) of up to 128 code points (CONTRACT.md §1) are kept as a fixed-size key when long
/// (<see cref="OrderIds"/>): every rule that needs the order still finds it, before and after the state is stored, and an
/// order stored with its full id before keys were kept still matches.
/// </summary>
public class LongOrderIdTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>128 code points, all Chinese: 768 bytes escaped in the stored JSON.</summary>
    private static string CjkOrderId(int n) => "订" + new string('单', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static string CjkRefundId(int n) => "退" + new string('款', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly DateTimeOffset Start = TestMember.Shanghai(2026, 3, 2, 10);

    private static int StoredBytes(string id) => Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(id, Web)) - 2;

    private static MemberState RoundTrip(MemberState state) => JsonSerializer.Deserialize<MemberState>(JsonSerializer.Serialize(state, Web), Web)!;

    private static EventDecision Purchase(MemberState state, string orderId, decimal amount, DateTimeOffset at, string eventId) =>
        MemberEngine.Apply(state, new MemberEvent(eventId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount }, new ProgramOptions(), at);

    private static EventDecision Refund(MemberState state, string orderId, decimal amount, DateTimeOffset at, string eventId) =>
        MemberEngine.Apply(state, new MemberEvent(eventId, MemberEventTypes.Refund, at) { OrderId = orderId, Amount = amount }, new ProgramOptions(), at);

    [Fact]
    public void ShortIdsAreKeptAsSentAndLongOnesAsAKeyNoLongerThanAGuid()
    {
        var guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        Assert.Same(guid, OrderIds.Key(guid));
        Assert.Equal("订单号一二三", OrderIds.Key("订单号一二三")); // 6 Chinese characters: 36 bytes stored, as a GUID, kept
        Assert.Equal(36, StoredBytes("订单号一二三"));

        var key = OrderIds.Key(CjkOrderId(1));
        Assert.Equal((124 * 6) + 4, StoredBytes(CjkOrderId(1)));
        Assert.StartsWith("订单~", key, StringComparison.Ordinal); // the opening, for whoever reads it
        Assert.Equal(2 + 1 + 22, key.Length);
        Assert.Equal(35, StoredBytes(key));
        Assert.Equal(key, OrderIds.Key(key)); // idempotent: a stored key is kept as it is
        Assert.Equal(key, OrderIds.Key(new string(CjkOrderId(1)))); // the same id, another string instance
        Assert.NotEqual(key, OrderIds.Key(CjkOrderId(2))); // the same opening, another hash

        // One character more (7 Chinese, 42 bytes) is keyed; so are 37 letters; every stored byte bounded.
        Assert.NotEqual("订单号一二三四", OrderIds.Key("订单号一二三四"));
        Assert.Equal(new string('a', 36), OrderIds.Key(new string('a', 36)));
        Assert.Equal(new string('a', 12) + "~", OrderIds.Key(new string('a', 37))[..13]);
        foreach (var id in new[] { new string('"', 128), new string('<', 128), string.Concat(Enumerable.Repeat("😀", 128)), "a" + string.Concat(Enumerable.Repeat("😀", 127)) })
        {
            Assert.InRange(StoredBytes(OrderIds.Key(id)), 1, OrderIds.MaxKeptBytes);
            Assert.True(OrderIds.StoredBytesAtMost(id) >= StoredBytes(id));
        }

        // docs/rules.md's example ("Touch governance"): 28 code points, 152 bytes stored.
        Assert.Equal("订单~exjK60d1kiL5OyoAN0mxVA", OrderIds.Key("订单-上海南京西路旗舰店-20261123-第0077号"));

        // An emoji (a surrogate pair, 12 bytes escaped) is never cut in half at the end of the opening.
        Assert.Equal("abcdef~", OrderIds.Key("abcdef" + string.Concat(Enumerable.Repeat("😀", 122)))[..7]);
        Assert.Equal("😀~", OrderIds.Key(string.Concat(Enumerable.Repeat("😀", 128)))[..3]);
    }

    [Fact]
    public void SameAndContainsMatchAnIdAsSentWithItsKey()
    {
        var id = CjkOrderId(7);
        Assert.True(OrderIds.Same(id, OrderIds.Key(id)));
        Assert.True(OrderIds.Same(OrderIds.Key(id), id));
        Assert.True(OrderIds.Same("O-1", "O-1"));
        Assert.False(OrderIds.Same(id, CjkOrderId(8)));
        Assert.False(OrderIds.Same(null, null));
        Assert.True(OrderIds.Contains(["R-1", OrderIds.Key(CjkRefundId(3))], CjkRefundId(3)));
        Assert.True(OrderIds.Contains([CjkRefundId(3)], OrderIds.Key(CjkRefundId(3))));
        Assert.False(OrderIds.Contains([OrderIds.Key(CjkRefundId(3))], CjkRefundId(4)));
    }

    [Fact]
    public void ARefundNamingALongOrderIdMatchesItsOrderBeforeAndAfterTheStateIsStoredAndAResentRefundIsADuplicate()
    {
        var state = new MemberState { MemberId = "M-long" };
        Assert.Equal(EventStatus.Applied, Purchase(state, CjkOrderId(1), 100m, Start, "p-1").Status);
        var order = Assert.Single(state.Orders);
        Assert.Equal(OrderIds.Key(CjkOrderId(1)), order.OrderId);
        Assert.True(order.Points > 0);

        // The ledger names the order by the id as sent, cut head…tail to 40 code points, and its key, so support finds it by
        // what the POS sent and the entry stays bounded.
        var named = LotNames.Shown(CjkOrderId(1)) + " [" + OrderIds.Key(CjkOrderId(1)) + "]";
        Assert.Equal(named, OrderIds.Named(CjkOrderId(1)));
        Assert.Equal(LotNames.MaxLotIdShown, LotNames.Shown(CjkOrderId(1)).Length);
        Assert.StartsWith(CjkOrderId(1)[..19], named, StringComparison.Ordinal);
        Assert.Contains(CjkOrderId(1)[^20..] + " [", named, StringComparison.Ordinal);
        Assert.Contains(state.Ledger, e => e.Reason.StartsWith("purchase " + named + " of ", StringComparison.Ordinal));
        Assert.DoesNotContain(state.Ledger, e => e.Reason.Contains(CjkOrderId(1), StringComparison.Ordinal));
        Assert.Equal("G-1", OrderIds.Named("G-1"));

        Assert.Equal(EventStatus.Applied, Refund(state, CjkOrderId(1), 25m, Start.AddDays(1), CjkRefundId(1)).Status);
        Assert.Equal((25m, order.Points / 4), (order.Refunded, order.PointsReversed));
        Assert.Contains(state.Ledger, e => e.Reason.Contains("on order " + named + " (", StringComparison.Ordinal));
        Assert.Equal([OrderIds.Key(CjkRefundId(1))], order.RefundEventIds); // in memory as stored

        // The order keeps neither id in full (the refund's ledger entries keep its eventId, as every entry does).
        var orders = JsonSerializer.Serialize(state.Orders, Web);
        Assert.DoesNotContain(JsonSerializer.Serialize(CjkOrderId(1), Web)[1..^1], orders, StringComparison.Ordinal);
        Assert.DoesNotContain(JsonSerializer.Serialize(CjkRefundId(1), Web)[1..^1], orders, StringComparison.Ordinal);

        var json = JsonSerializer.Serialize(state, Web);
        var back = RoundTrip(state);
        Assert.Equal(json, JsonSerializer.Serialize(back, Web));
        Assert.Equal(EventStatus.Duplicate, Refund(back, CjkOrderId(1), 25m, Start.AddDays(1), CjkRefundId(1)).Status);
        Assert.Equal(EventStatus.Duplicate, Purchase(back, CjkOrderId(1), 100m, Start, "p-1-again").Status);
        var second = Refund(back, CjkOrderId(1), 75m, Start.AddDays(2), CjkRefundId(2));
        Assert.Equal(EventStatus.Applied, second.Status);
        var kept = Assert.Single(back.Orders);
        Assert.Equal((100m, kept.Points, 0L), (kept.Refunded, kept.PointsReversed, kept.Remaining));

        // Refused beyond the order: the refund still finds it (the reason names the id as sent).
        var over = Refund(back, CjkOrderId(1), 1m, Start.AddDays(3), "R-over");
        Assert.Equal(EventStatus.Rejected, over.Status);
        Assert.Contains(CjkOrderId(1), over.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeldRefundWithALongOrderIdIsAppliedWhenItsPurchaseArrives()
    {
        var state = new MemberState { MemberId = "M-held" };
        Assert.Equal(EventStatus.Held, Refund(state, CjkOrderId(1), 40m, Start, CjkRefundId(1)).Status);
        state = RoundTrip(state);

        var now = Start.AddHours(1);
        var purchase = MemberEngine.Apply(state, new MemberEvent("p-1", MemberEventTypes.Purchase, Start.AddHours(-2)) { OrderId = CjkOrderId(1), Amount = 100m }, new ProgramOptions(), now);

        Assert.Equal(EventStatus.Applied, purchase.Status);
        Assert.Equal(CjkRefundId(1), Assert.Single(purchase.AppliedHeldRefunds));
        Assert.Empty(state.HeldRefunds);
        Assert.Equal(40m, Assert.Single(state.Orders).Refunded);
        Assert.Equal(EventStatus.Duplicate, Refund(RoundTrip(state), CjkOrderId(1), 40m, Start, CjkRefundId(1)).Status);
    }

    [Fact]
    public void ASummarisedOrderWithALongIdIsStillMatchedByItsRefundAfterTheStateIsStored()
    {
        var options = new ProgramOptions { MaxOrders = 2 };
        var state = new MemberState { MemberId = "M-sum" };
        for (var i = 0; i < 4; i++)
        {
            var at = Start.AddDays(i);
            Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent($"p-{i}", MemberEventTypes.Purchase, at) { OrderId = CjkOrderId(i), Amount = 50m }, options, at).Status);
            Assert.Equal(RedemptionStatuses.Accepted, RedemptionPolicy.Redeem(state, $"r-{i}", PointsWallet.Balance(state), null, null, options, at).Status);
        }

        Assert.Equal((2, 2), (state.Orders.Count, state.OrderSummaries.Count));
        Assert.Equal(OrderIds.Key(CjkOrderId(0)), state.OrderSummaries[0].OrderId);
        state = RoundTrip(state);
        var now = Start.AddDays(10);

        var refund = MemberEngine.Apply(state, new MemberEvent(CjkRefundId(0), MemberEventTypes.Refund, now) { OrderId = CjkOrderId(0), Amount = 50m }, options, now);

        Assert.Equal(EventStatus.Applied, refund.Status);
        Assert.Equal(50m, OrderBook.RefundedOf(state, CjkOrderId(0)));
        state = RoundTrip(state);
        Assert.Equal(EventStatus.Duplicate, MemberEngine.Apply(state, new MemberEvent(CjkRefundId(0), MemberEventTypes.Refund, now) { OrderId = CjkOrderId(0), Amount = 50m }, options, now).Status);
    }

    [Fact]
    public void AnOrderStoredWithItsFullLongIdBeforeKeysWereKeptLoadsUnderItsKeyAndItsRefundsStillMatch()
    {
        // The shape stored before keys were kept: the full ids in the order, its summary, the refund ids and the first
        // purchase (what the old code wrote: the same JSON with every key replaced by the id it keeps).
        var options = new ProgramOptions { MaxOrders = 1 };
        var state = new MemberState { MemberId = "M-old" };
        for (var i = 0; i < 2; i++)
        {
            var at = Start.AddDays(i);
            MemberEngine.Apply(state, new MemberEvent($"p-{i}", MemberEventTypes.Purchase, at) { OrderId = CjkOrderId(i), Amount = 50m }, options, at);
            RedemptionPolicy.Redeem(state, $"r-{i}", PointsWallet.Balance(state), null, null, options, at);
            MemberEngine.Apply(state, new MemberEvent(CjkRefundId(i), MemberEventTypes.Refund, at.AddHours(1)) { OrderId = CjkOrderId(i), Amount = 10m }, options, at.AddHours(1));
        }

        Assert.Equal((1, 1), (state.Orders.Count, state.OrderSummaries.Count));
        var json = JsonSerializer.Serialize(state, Web);
        var old = json;
        for (var i = 0; i < 2; i++)
        {
            old = old.Replace(Escaped(OrderIds.Key(CjkOrderId(i))), Escaped(CjkOrderId(i)), StringComparison.Ordinal)
                .Replace(Escaped(OrderIds.Key(CjkRefundId(i))), Escaped(CjkRefundId(i)), StringComparison.Ordinal);
        }

        // In full: order 0 in its summary and as the first purchase, order 1 in the full list, each refund id on its order
        // (the kept ledger entries name the refunds' event ids as they always did).
        Assert.Equal((2, 1), (Count(old, Escaped(CjkOrderId(0))), Count(old, Escaped(CjkOrderId(1)))));
        Assert.Equal((1, 1), (Count(old, Escaped(CjkRefundId(0))) - Count(json, Escaped(CjkRefundId(0))), Count(old, Escaped(CjkRefundId(1))) - Count(json, Escaped(CjkRefundId(1)))));
        var loaded = JsonSerializer.Deserialize<MemberState>(old, Web)!;

        Assert.Equal(OrderIds.Key(CjkOrderId(1)), Assert.Single(loaded.Orders).OrderId);
        Assert.Equal(OrderIds.Key(CjkOrderId(0)), Assert.Single(loaded.OrderSummaries).OrderId);
        Assert.Equal(OrderIds.Key(CjkOrderId(0)), loaded.FirstPurchaseOrderId);
        Assert.Equal(json, JsonSerializer.Serialize(loaded, Web)); // written back in the new shape
        var now = Start.AddDays(5);
        foreach (var i in new[] { 0, 1 })
        {
            var again = MemberEngine.Apply(loaded, new MemberEvent(CjkRefundId(i), MemberEventTypes.Refund, now) { OrderId = CjkOrderId(i), Amount = 10m }, options, now);
            Assert.Equal(EventStatus.Duplicate, again.Status);
            Assert.Equal(EventStatus.Applied, MemberEngine.Apply(loaded, new MemberEvent($"R-more-{i}", MemberEventTypes.Refund, now) { OrderId = CjkOrderId(i), Amount = 40m }, options, now).Status);
            Assert.True(OrderBook.IsFullyRefunded(loaded, CjkOrderId(i)));
        }

        // Without the rewrite (the raw JSON as the old code read it), the old refund ids still match as stored.
        var raw = JsonSerializer.Deserialize<MemberState>(old, Web)!;
        Assert.Equal(CjkRefundId(1), Assert.Single(Assert.Single(raw.Orders).RefundEventIds!));
        Assert.True(OrderIds.Contains(raw.Orders[0].RefundEventIds, CjkRefundId(1)));

        static string Escaped(string id) => JsonSerializer.Serialize(id, Web);
        static int Count(string json, string value) => (json.Length - json.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;
    }
}
