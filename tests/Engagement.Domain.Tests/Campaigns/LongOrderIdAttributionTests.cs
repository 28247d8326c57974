using System.Globalization;
using System.Text;
using System.Text.Json;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>
/// A membership's attributed orders (<see cref="AttributedOrder"/>) keep a long order id as the member's orders do, as its
/// key (<see cref="OrderIds"/>): a refund naming the order as sent finds it, on a row written today (keys) and on one
/// written before attribution kept keys (the id in full, read back under its key).
/// </summary>
public sealed class LongOrderIdAttributionTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset At = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    /// <summary>128 Chinese code points, the longest an orderId may be (CONTRACT.md §1), the last four the number.</summary>
    private static string CjkOrderId(int n) => "订" + new string('单', 123) + n.ToString("D4", CultureInfo.InvariantCulture);

    private static CampaignMemberState OneArm()
    {
        var state = new CampaignMemberState();
        state.Memberships.Add(new CampaignMembership { CampaignId = "c1", Group = "arm", Arm = "main", AssignedAt = At, AttributionWindowDays = 7, ValidUntil = At.AddDays(3) });
        return state;
    }

    [Fact]
    public void AnAttributedLongIdIsKeptAsItsKeyAndARefundNamingItAsSentTakesItsRevenueBack()
    {
        var state = OneArm();
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e1", 400m, At.AddDays(1), CjkOrderId(1)));
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e2", 100m, At.AddDays(1), CjkOrderId(2)));
        Assert.Single(CampaignMemberships.AttributePurchase(state, "e3", 50m, At.AddDays(1), "O-short"));
        var m = state.Memberships[0];
        Assert.Equal([OrderIds.Key(CjkOrderId(1)), OrderIds.Key(CjkOrderId(2)), "O-short"], m.Orders!.Select(o => o.OrderId));
        Assert.DoesNotContain(JsonSerializer.Serialize(CjkOrderId(1), Web), JsonSerializer.Serialize(state, Web), StringComparison.Ordinal);
        m.PendingPurchases.Clear();

        // Order 2 shares all but its last digit with order 1: its refund takes back none of order 1's revenue.
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r1", CjkOrderId(1), 150m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r1", CjkOrderId(1), 150m));
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r2", CjkOrderId(2), 100m));
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r3", "O-short", 20m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r4", CjkOrderId(3), 90m));

        Assert.Equal([-150m, -100m, -20m], m.PendingPurchases.Select(p => p.Amount));
        Assert.Equal(550m - 270m, m.Revenue);
        Assert.Equal([150m, 100m, 20m], m.Orders!.Select(o => o.Refunded));

        // Read back from its stored JSON, the rest of order 1 still matches by the id as sent.
        var back = JsonSerializer.Deserialize<CampaignMemberState>(JsonSerializer.Serialize(state, Web), Web)!;
        Assert.Single(CampaignMemberships.AttributeRefund(back, "r5", CjkOrderId(1), 400m));
        Assert.Equal(-250m, back.Memberships[0].PendingPurchases[^1].Amount);
    }

    [Fact]
    public void ARowStoredWithTheFullLongIdReadsBackUnderItsKeyAndItsRefundsStillMatch()
    {
        // The shape every earlier version stored: the order id as sent, 128 Chinese code points escaped (768 bytes).
        var full = JsonSerializer.Serialize(CjkOrderId(1), Web);
        var old = $$"""
            {"memberships":[{"campaignId":"c1","group":"arm","arm":"main","outcome":"sent","reportedOutcome":"sent","touchId":null,
            "assignedAt":"2026-11-23T02:00:00+00:00","attributionWindowDays":7,"validUntil":"2026-11-26T02:00:00+00:00","converted":true,
            "revenue":400,"orders":[{"orderId":{{full}},"amount":400,"refunded":100}],"pendingPurchases":[]}]}
            """;
        Assert.Contains("\\u8BA2", old, StringComparison.OrdinalIgnoreCase);

        var state = JsonSerializer.Deserialize<CampaignMemberState>(old, Web)!;
        var m = Assert.Single(state.Memberships);
        Assert.Equal(OrderIds.Key(CjkOrderId(1)), Assert.Single(m.Orders!).OrderId);

        // 100 was taken back before the upgrade: 250 in all now gives back 150 more, a repeat nothing, another order nothing.
        Assert.Single(CampaignMemberships.AttributeRefund(state, "r2", CjkOrderId(1), 250m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r2", CjkOrderId(1), 250m));
        Assert.Empty(CampaignMemberships.AttributeRefund(state, "r3", CjkOrderId(2), 250m));
        Assert.Equal((250m, 250m), (m.Revenue, m.Orders![0].Refunded));
        Assert.Equal([-150m], m.PendingPurchases.Select(p => p.Amount));

        // Written back, it keeps the key (shorter), which reads back to the same key.
        var written = JsonSerializer.Serialize(state, Web);
        Assert.DoesNotContain(full, written, StringComparison.Ordinal);
        Assert.Equal(OrderIds.Key(CjkOrderId(1)), JsonSerializer.Deserialize<CampaignMemberState>(written, Web)!.Memberships[0].Orders![0].OrderId);
    }

    [Fact]
    public void AMembershipThatCountedEveryOrderAMemberKeepsTakesNoMoreRoomWithTheLongestChineseIdsThanWithGuids()
    {
        // One membership whose attribution window counted 550 purchases (a sample size, no limit), each later refunded
        // in part. Measured: 47,042 bytes stored with GUID ids, 46,492 with 128-character Chinese ones (their 35-byte
        // keys). Calculated, not measured: kept as sent (748 bytes each instead of 35, so the same JSON 392,150 longer)
        // they would take 438,642, 89% of the 480 KiB row. How many a member keeps over all its memberships is capped by
        // CampaignMemberships.PruneOrders (AttributedOrderBoundTests; docs/rules.md, "Touch governance", known limits).
        static int Bytes(Func<int, string> orderId)
        {
            var state = OneArm();
            state.Memberships[0].AttributionWindowDays = 90;
            for (var i = 0; i < 550; i++)
            {
                CampaignMemberships.AttributePurchase(state, $"e-{i}", 1234.56m, At.AddHours(i), orderId(i));
                CampaignMemberships.AttributeRefund(state, $"r-{i}", orderId(i), 12.34m);
            }

            state.Memberships[0].PendingPurchases.Clear();
            Assert.Equal(550, state.Memberships[0].Orders!.Count(o => o.Refunded == 12.34m));
            return Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(state, Web));
        }

        var guids = Bytes(i => new Guid(i, 0x4f89, 0x11d3, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01).ToString());
        var chinese = Bytes(CjkOrderId);
        var keptAsSent = chinese + (550 * (OrderIds.StoredBytesAtMost(CjkOrderId(0)) - OrderIds.StoredBytesAtMost(OrderIds.Key(CjkOrderId(0)))));

        Assert.Equal(-550, chinese - guids);
        Assert.Equal((47_042, 46_492, 438_642), (guids, chinese, keptAsSent));
    }

    [Fact]
    public void AnAttributedOrderWithTheLongestChineseIdTakesNoMoreRoomThanWithAGuid()
    {
        // Measured: 84 bytes stored per attributed order with a GUID id, 83 with a 128-character Chinese one (its 35-byte
        // key); 796 (calculated) when the id was kept as sent (748 bytes of it), 9.5 times a GUID's. A membership keeps one
        // per attributed purchase, within the member's cap (CampaignMemberships.PruneOrders).
        static int Bytes(string orderId) =>
            Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(new AttributedOrder { OrderId = orderId, Amount = 1234.56m, Refunded = 12.34m }, Web));
        var guid = Bytes("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        var chinese = Bytes(CjkOrderId(1));

        Assert.Equal(guid - 1, chinese);
        Assert.Equal((84, 796), (guid, guid - 36 + OrderIds.StoredBytesAtMost(CjkOrderId(1))));
    }
}
