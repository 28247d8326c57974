using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Hosting;

/// <summary>
/// A member whose POS sends the longest order ids and refund event ids CONTRACT.md §1 allows (128 code points, all
/// Chinese: 768 bytes each escaped in the stored JSON), through the serializer the table provider stores with
/// (<see cref="JsonGrainStateSerializer"/>): at both order caps its state stays well inside one table row (before the
/// orders kept such ids as keys, <see cref="OrderIds"/>, it was twice the row), and a refund naming an order by its full
/// id still matches it after the state is read back, from today's rows and from rows stored before keys were kept
/// (StateRows: MemberGrainState.long-order-ids, and .before-keys as 154b0a89 wrote it).
/// </summary>
public sealed class LongOrderIdStateTests
{
    /// <summary>The row the official table provider holds: 15 string properties of 32K characters (480 KiB of UTF-8 JSON at most).</summary>
    private const int RowBytes = 480 * 1024;

    internal static readonly DateTimeOffset Start = new(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);

    /// <summary>128 Chinese code points, the longest an orderId may be (the last four the number).</summary>
    internal static string OrderId(int n) => "订" + new string('单', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>128 Chinese code points, the longest an eventId may be.</summary>
    internal static string RefundId(int n) => "退" + new string('款', 123) + n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="orders"/> purchases under <see cref="OrderId"/>, an hour apart from <see cref="Start"/>, each spent at
    /// once and refunded 12.34 CNY 300 days later under <see cref="RefundId"/>: past <see cref="ProgramOptions.MaxOrders"/>
    /// the oldest are kept as summaries. No "now" but the events' own instants.
    /// </summary>
    internal static MemberGrainState Member(int orders, ProgramOptions options)
    {
        var state = new MemberState { MemberId = "m-long-ids" };
        for (var i = 0; i < orders; i++)
        {
            var at = Start.AddHours(i);
            Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent($"p-{i}", MemberEventTypes.Purchase, at) { OrderId = OrderId(i), Amount = 1234.56m }, options, at).Status);
            Assert.Equal(RedemptionStatuses.Accepted, RedemptionPolicy.Redeem(state, $"r-{i}", PointsWallet.Balance(state), null, null, options, at).Status);
        }

        for (var i = 0; i < orders; i++)
        {
            var at = Start.AddHours(i).AddDays(300);
            Assert.Equal(EventStatus.Applied, MemberEngine.Apply(state, new MemberEvent(RefundId(i), MemberEventTypes.Refund, at) { OrderId = OrderId(i), Amount = 12.34m }, options, at).Status);
        }

        return new MemberGrainState { Member = state };
    }

    [Fact]
    public void A_member_at_both_order_caps_with_the_longest_chinese_ids_stays_well_inside_one_row_and_its_refunds_still_match()
    {
        var options = new ProgramOptions();
        var serializer = new JsonGrainStateSerializer();
        var total = options.MaxOrders + options.MaxOrderSummaries;
        var stored = serializer.Serialize(Member(total, options)).ToArray();

        // Measured: 150,864 UTF-8 bytes (fewer characters stored), 30.7% of the row (156,364 before redemption records stopped
        // keeping their detail, a retry rebuilding it), with Chinese stored as itself (187,270,
        // 38.1%, when it was stored escaped, 6 bytes a character, before 2026-12-07; 176,120 when the refunds' ledger entries named their order by its key
        // alone, not by the id as sent cut to 40 code points and the key: OrderIds.Named); 996,783 (twice the row) when
        // 154b0a89 stored the same member, its ids in full. The guard is the measured figure and a little.
        Assert.Equal(150_864, stored.Length);
        Assert.True(stored.Length <= RowBytes * 32 / 100, $"{stored.Length} bytes, over 32% of the {RowBytes}-byte row");

        var back = serializer.Deserialize<MemberGrainState>(new BinaryData(stored)).Member;
        Assert.Equal((options.MaxOrders, options.MaxOrderSummaries, 0L), (back.Orders.Count, back.OrderSummaries.Count, back.OrderSummariesDropped));
        var now = Start.AddDays(320);

        // The oldest order, summarised: its refund resent is a duplicate, a new one applies; so for the newest, kept in full.
        foreach (var i in new[] { 0, total - 1 })
        {
            var resent = MemberEngine.Apply(back, new MemberEvent(RefundId(i), MemberEventTypes.Refund, now) { OrderId = OrderId(i), Amount = 12.34m }, options, now);
            Assert.Equal(EventStatus.Duplicate, resent.Status);
            var more = MemberEngine.Apply(back, new MemberEvent($"R-more-{i}", MemberEventTypes.Refund, now) { OrderId = OrderId(i), Amount = 1234.56m - 12.34m }, options, now);
            Assert.Equal(EventStatus.Applied, more.Status);
            Assert.True(OrderBook.IsFullyRefunded(back, OrderId(i)));
        }
    }

    [Fact]
    public void That_member_with_the_most_attributed_orders_a_member_keeps_still_fits_one_row()
    {
        // Ten memberships whose windows each counted 101 purchases (1,010), pruned to the cap (1,000): each order a 36-byte
        // id (longer ones are kept as keys of at most 35 bytes), 99,999,999.99 CNY (a 10,000,000 purchase at a rate up to
        // 10), 99,999,999.98 of it refunded (one cent more and it is dropped as refunded in full).
        var options = new ProgramOptions();
        var state = Member(options.MaxOrders + options.MaxOrderSummaries, options);
        var campaigns = state.Member.Campaigns;
        for (var c = 0; c < 10; c++)
        {
            campaigns.Memberships.Add(new Domain.Campaigns.CampaignMembership
            {
                CampaignId = $"campaign-{c:D2}-" + new string('c', 48), Group = "arm", Arm = "arm-" + new string('a', 28), Outcome = "sent",
                ReportedOutcome = "sent", AssignedAt = Start, AttributionWindowDays = 90 - c, ValidUntil = Start.AddDays(100),
            });
        }

        for (var i = 0; i < 101; i++)
        {
            var orderId = "O" + i.ToString("D35", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(10, Domain.Campaigns.CampaignMemberships.AttributePurchase(campaigns, $"e-{i}", 99_999_999.99m, Start.AddHours(i), orderId).Count);
            Domain.Campaigns.CampaignMemberships.AttributeRefund(campaigns, $"r-{i}", orderId, 99_999_999.98m);
        }

        campaigns.Memberships.ForEach(m => m.PendingPurchases.Clear());
        Assert.Equal((10, 10), Domain.Campaigns.CampaignMemberships.PruneOrders(campaigns, _ => true, 1_000));
        var serializer = new JsonGrainStateSerializer();
        var without = serializer.Serialize(Member(options.MaxOrders + options.MaxOrderSummaries, options)).ToArray().Length;
        var stored = serializer.Serialize(state).ToArray();

        // Measured: 249,503 UTF-8 bytes, 50.8% of the row: the attributed orders (95 bytes each) and their ten memberships
        // 98,639 more than 150,864 (255,003 and 156,364 before redemption records dropped their detail; 285,909 and 187,270
        // when Chinese was stored escaped, before 2026-12-07).
        Assert.Equal(150_864, without);
        Assert.Equal(249_503, stored.Length);
        Assert.True(stored.Length <= RowBytes * 52 / 100, $"{stored.Length} bytes, over 52% of the {RowBytes}-byte row");
        var back = serializer.Deserialize<MemberGrainState>(new BinaryData(stored)).Member.Campaigns;
        Assert.Equal(1_000, back.Memberships.Sum(m => m.Orders!.Count));
    }
}
