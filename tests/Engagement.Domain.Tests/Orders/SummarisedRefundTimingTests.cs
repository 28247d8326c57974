using System.Text.Json;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Tests.Members;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Tests.Orders;

/// <summary>
/// CONTRACT.md §1.1, §2: a refund counts against the tier held at an instant only from when it occurred, whether its order
/// is kept in full or the count cap (<c>MaxOrders</c>) summarised it. Each scenario runs twice, with a cap of 1 (the orders
/// are summarised) and of 500 (all kept in full, the in-order answer), and both must give the same points, growth and tier.
/// </summary>
public class SummarisedRefundTimingTests
{
    private static readonly DateTimeOffset Start = TestMember.Shanghai(2025, 1, 1);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>What a run ends with: the late event's points entries and the member's points, debt, growth, tier and orders.</summary>
    private sealed record Outcome(string LateEntries, long Balance, long Debt, long Growth, string Tier, string Orders);

    [Theory]
    [InlineData(false)] // B keeps points: kept in full, re-priced in place
    [InlineData(true)] // B spent: summarised too, revived to be re-priced
    public void ALatePurchaseCountsAnEarlierSummarisedOrdersRefundOnlyFromWhenItOccurred(bool spendB)
    {
        var kept = Run(maxOrders: 500, spendB);
        var summarised = Run(maxOrders: 1, spendB);

        // In order: L (11 Jan) and B (12 Jan) were bought at V2 (growth 1,001 before L); A's refund of 20 Jan came later.
        Assert.Equal("points.earn 120", kept.LateEntries);
        Assert.Equal("A=1000 B=360 L=120 Z=2", kept.Orders);
        Assert.Equal((1_091L, "V2"), (kept.Growth, kept.Tier));
        Assert.Equal(kept, summarised);
    }

    [Fact]
    public void ALatePurchaseEarlierOnTheDayOfASummarisedOrderDoesNotCountThatOrdersGrowth()
    {
        var kept = RunSameDay(maxOrders: 500);
        var summarised = RunSameDay(maxOrders: 1);

        // In order: L (9:00) is the first purchase, at V1 (S, at 18:00 that day, came after it); S loses its double.
        Assert.Equal("points.earn.first-purchase-double 200, points.earn.correction -1000", kept.LateEntries);
        Assert.Equal("L=200 S=1000 T=120", kept.Orders);
        Assert.Equal(kept, summarised);
    }

    private static Outcome RunSameDay(int maxOrders)
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10, 18));
        member.Options.MaxOrders = maxOrders;
        Assert.Equal(EventStatus.Applied, member.Purchase("S", 1_000m).Status);
        member.Redeem("R-1", 2_000);
        member.Now = TestMember.Shanghai(2025, 1, 11);
        Assert.Equal(EventStatus.Applied, member.Purchase("T", 100m).Status);
        Assert.Equal(maxOrders == 1, member.State.OrderSummaries.Exists(s => s.OrderId == "S"));

        member.Now = TestMember.Shanghai(2025, 1, 12);
        var late = member.Purchase("L", 100m, at: TestMember.Shanghai(2025, 1, 10, 9));
        Assert.Equal(EventStatus.Applied, late.Status);
        member.Behave(MemberEventTypes.Browse);
        return OutcomeOf(member, late);
    }

    [Fact]
    public void ASummaryKeepsTheInstantsOfRefundsAfterItsPurchaseThroughAWriteAndReadsOneStoredWithoutThem()
    {
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
        member.Options.MaxOrders = 1;
        member.Purchase("A", 1_000m);
        member.Refund("A", 10m, eventId: "r-a0"); // at the purchase instant: counts from the purchase on, no mark needed
        member.Redeem("R-1", member.Balance);
        member.Now = TestMember.Shanghai(2025, 1, 20);
        member.Refund("A", 310m, eventId: "r-a1");
        member.Purchase("B", 100m);

        var summary = Assert.Single(member.State.OrderSummaries);
        Assert.Equal([new RefundMark(TestMember.Shanghai(2025, 1, 20), 310m)], summary.RefundMarks);
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var json = JsonSerializer.Serialize(member.State, web);
        // Amounts are stored at the fen (Money.AtMinorUnit), however their events wrote them.
        Assert.Contains("[\"A\",\"2025-01-10T12:00:00+08:00\",1000.00,2000,320.00,640,0,[\"r-a0\",\"r-a1\"],null,[864000,310.00]]", json, StringComparison.Ordinal);
        var back = Assert.Single(JsonSerializer.Deserialize<MemberState>(json, web)!.OrderSummaries);
        Assert.Equal(summary.RefundMarks, back.RefundMarks);
        Assert.Equal((990L, 680L), (back.NetGrowthBy(TestMember.Shanghai(2025, 1, 15)), back.NetGrowthBy(TestMember.Shanghai(2025, 1, 20))));

        // Stored before summaries kept refund marks: its refunds count from the purchase on, and it writes back unchanged.
        const string Old = "[\"A\",\"2025-01-10T12:00:00+08:00\",1000,2000,320,640,0,[\"r-a0\",\"r-a1\"]]";
        var old = JsonSerializer.Deserialize<OrderSummary>(Old, web)!;
        Assert.Null(old.RefundMarks);
        Assert.Equal(680, old.NetGrowthBy(TestMember.Shanghai(2025, 1, 15)));
        Assert.Equal(Old, JsonSerializer.Serialize(old, web));

        // A refund's instant is kept to the tick, whatever its offset.
        var precise = new OrderSummary
        {
            OrderId = "P", At = TestMember.Shanghai(2025, 1, 10), Amount = 10m, Points = 10, Refunded = 1.5m, PointsReversed = 1, RefundEventIds = ["r-p"],
            RefundMarks = [new RefundMark(TestMember.Shanghai(2025, 1, 10).ToUniversalTime().AddTicks(12_345_678), 1.5m)],
        };
        var preciseJson = JsonSerializer.Serialize(precise, web);
        Assert.EndsWith(",null,[1.2345678,1.5]]", preciseJson, StringComparison.Ordinal);
        Assert.Equal(precise.RefundMarks, JsonSerializer.Deserialize<OrderSummary>(preciseJson, web)!.RefundMarks);

        // Revived for a refund, the order has its marks again.
        member.Now = TestMember.Shanghai(2025, 1, 25);
        member.Refund("A", 1m, eventId: "r-a2");
        Assert.Equal([TestMember.Shanghai(2025, 1, 20), TestMember.Shanghai(2025, 1, 25)],
            member.State.OrderSummaries.Single(s => s.OrderId == "A").RefundMarks!.Select(m => m.At));
    }

    [Fact]
    public void ASummarysRefundGivesItsGrowthBackOnlyToInstantsBeforeIt()
    {
        // The refund is recorded in UTC and asked about in +08:00: the timeline compares UTC instants, not clock readings.
        var refundAt = TestMember.Shanghai(2025, 1, 20).ToUniversalTime();
        DateTimeOffset[] asOf = [TestMember.Shanghai(2025, 1, 15), TestMember.Shanghai(2025, 1, 20).AddTicks(-1), refundAt, TestMember.Shanghai(2025, 1, 21)];
        var at = new EventKey(TestMember.Shanghai(2025, 1, 20, 12, 30), "x"); // after the refund, before B

        long[] GrowthAsOf(int maxOrders)
        {
            var member = new TestMember(TestMember.Shanghai(2025, 1, 10));
            member.Options.MaxOrders = maxOrders;
            member.Purchase("A", 1_000m);
            member.Now = TestMember.Shanghai(2025, 1, 20, 13);
            Assert.Equal(EventStatus.Applied, member.Refund("A", 310m, at: refundAt).Status);
            member.Redeem("R-1", member.Balance);
            member.Purchase("B", 100m);
            Assert.Equal(maxOrders == 1, member.State.OrderSummaries.Exists(s => s.OrderId == "A"));
            return [.. asOf.Select(t => GrowthTimeline.Build(member.State, member.Options, t).GrowthBefore(at))];
        }

        // Before the refund's instant A counts 1,000; from it on (the same tick included) 690, kept in full or summarised.
        Assert.Equal([1_000L, 1_000L, 690L, 690L], GrowthAsOf(maxOrders: 500));
        Assert.Equal([1_000L, 1_000L, 690L, 690L], GrowthAsOf(maxOrders: 1));
    }

    [Theory]
    [InlineData("[\"x\",1]")] // a time that is no number
    [InlineData("[1e400,1]")] // a number no decimal holds
    [InlineData("[1e15,1]")] // seconds whose ticks overflow a long
    [InlineData("[3e11,1]")] // ticks that fit a long, an instant past the year 9999
    [InlineData("[-1e11,1]")] // an instant before the year 1
    [InlineData("[864000,\"x\"]")] // an amount that is no number
    [InlineData("[864000,1e400]")] // an amount no decimal holds
    public void RefundMarksThatAreNoInstantAfterThePurchaseFailAsJson(string marks)
    {
        var json = $"[\"A\",\"2025-01-10T12:00:00+08:00\",1000,2000,320,640,0,[\"r-a1\"],null,{marks}]";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<OrderSummary>(json, Web));
    }

    private static Outcome Run(int maxOrders, bool spendB)
    {
        var member = new TestMember(Start);
        member.Options.MaxOrders = maxOrders;

        // Z (1 Jan, the first purchase: 2 points) and A (10 Jan, 1,000 at V1) take growth to 1,001, V2; both lots are spent.
        Assert.Equal(EventStatus.Applied, member.Purchase("Z", 1m).Status);
        member.Now = TestMember.Shanghai(2025, 1, 10);
        Assert.Equal(EventStatus.Applied, member.Purchase("A", 1_000m).Status);
        member.Redeem("R-1", 1_002);

        // B (12 Jan) at V2: 360 points.
        member.Now = TestMember.Shanghai(2025, 1, 12);
        Assert.Equal(EventStatus.Applied, member.Purchase("B", 300m).Status);
        if (spendB)
        {
            member.Redeem("R-2", 360);
        }

        // 20 Jan: 310 of A refunded; growth falls to 991 and the tier to V1 at once, from 20 Jan on.
        member.Now = TestMember.Shanghai(2025, 1, 20);
        Assert.Equal(EventStatus.Applied, member.Refund("A", 310m).Status);
        member.Behave(MemberEventTypes.Browse);
        Assert.Equal(maxOrders == 1 ? ["A", "Z"] : [], member.State.OrderSummaries.Select(s => s.OrderId).Order(StringComparer.Ordinal));

        // 25 Jan: L arrives, bought on 11 Jan, before A's refund occurred: it earns at V2, and B is re-priced.
        member.Now = TestMember.Shanghai(2025, 1, 25);
        var late = member.Purchase("L", 100m, at: TestMember.Shanghai(2025, 1, 11));
        Assert.Equal(EventStatus.Applied, late.Status);
        member.Behave(MemberEventTypes.Browse);

        return OutcomeOf(member, late);
    }

    private static Outcome OutcomeOf(TestMember member, EventDecision late)
    {
        var entries = string.Join(", ", late.NewEntries.Where(e => e.Kind == LedgerKinds.Points).Select(e => $"{e.RuleId} {e.Delta}"));
        var orders = member.State.Orders.Select(o => (o.OrderId, o.Points))
            .Concat(member.State.OrderSummaries.Select(s => (s.OrderId, s.Points)))
            .OrderBy(o => o.OrderId, StringComparer.Ordinal)
            .Select(o => $"{o.OrderId}={o.Points}");
        return new Outcome(entries, member.Balance, member.State.PointsDebt, member.Growth, member.Tier, string.Join(" ", orders));
    }
}
