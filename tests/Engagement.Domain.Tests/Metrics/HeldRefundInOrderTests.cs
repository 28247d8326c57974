using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A refund that arrived before its purchase, held and applied with it, counts in programme metrics (CONTRACT.md §5)
/// exactly as the same refund arriving after its purchase (§1.1: the effect it would have had in order): its activity,
/// its revenue and the points it reverses on its own local day, in its own region (the refund event's <c>regionId</c>,
/// else the member's), never on the purchase's day or in the purchase's region.
/// </summary>
public class HeldRefundInOrderTests
{
    private static readonly DateTimeOffset PurchaseAt = TestMember.Shanghai(2026, 11, 18, 15);

    private static readonly DateTimeOffset RefundAt = TestMember.Shanghai(2026, 11, 20, 10);

    private static readonly DateTimeOffset Now = TestMember.Shanghai(2026, 11, 23, 12);

    private static readonly DateOnly PurchaseDay = new(2026, 11, 18);

    private static readonly DateOnly RefundDay = new(2026, 11, 20);

    private static MemberEvent Purchase(decimal amount, string? region = "East", string? store = "S001") =>
        new("p1", "purchase", PurchaseAt) { RegionId = region, StoreId = store, OrderId = "O1", Amount = amount };

    private static MemberEvent Refund(string id, decimal amount, DateTimeOffset? at = null, string? region = "East", string? store = "S001") =>
        new(id, "refund", at ?? RefundAt) { RegionId = region, StoreId = store, OrderId = "O1", Amount = amount };

    /// <summary>Day counters (gauges left out) summed by region, day and name, with each region-day's revenue as <c>revenue</c> in cents.</summary>
    private static SortedDictionary<string, long> Days(IEnumerable<MetricContribution> contributions)
    {
        var sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var c in contributions.Where(c => !c.IsGauge))
        {
            foreach (var (name, delta) in c.Counters.Append(new("revenue", (long)(c.Revenue * 100m))))
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

    /// <summary>The member's contributions when <paramref name="events"/> arrive in this order, an hour apart.</summary>
    private static List<MetricContribution> Arrive(MetricsOptions metrics, params MemberEvent[] events)
    {
        var state = new MemberState { MemberId = "H1" };
        var options = new ProgramOptions();
        var all = new List<MetricContribution>();
        for (var i = 0; i < events.Length; i++)
        {
            var outcome = MemberDecider.Apply(state, events[i], options, Now.AddHours(i), metrics);
            Assert.NotEqual(EventStatus.Rejected, outcome.Reply.Status);
            all.AddRange(outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions));
        }

        Assert.Empty(state.HeldRefunds);
        return all;
    }

    private static long Counter(IEnumerable<MetricContribution> c, string region, DateOnly day, string name) =>
        c.Where(x => !x.IsGauge && x.RegionId == region && x.Day == day).Sum(x => x.Counters.GetValueOrDefault(name));

    [Fact]
    public void AHeldPartialRefundReversesItsPointsOnItsOwnLaterDayAsAnInOrderRefundDoes()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var inOrder = Arrive(metrics, Purchase(100.00m), Refund("rf1", 33.33m));
        var held = Arrive(metrics, Refund("rf1", 33.33m), Purchase(100.00m));

        // 100.00 CNY at V1, first purchase ×2 = 200 points; 33.33 of it reverses floor(33.33 × 200 / 100) = 66.
        Assert.Equal(200, Counter(inOrder, "east", PurchaseDay, MetricNames.PointsIssued));
        Assert.Equal(66, Counter(inOrder, "east", RefundDay, MetricNames.PointsReversed));
        Assert.Equal(66, Counter(held, "east", RefundDay, MetricNames.PointsReversed));
        Assert.Equal(0, Counter(held, "east", PurchaseDay, MetricNames.PointsReversed));
        Assert.Equal(-33.33m, held.Where(c => !c.IsGauge && c.Day == RefundDay).Sum(c => c.Revenue));
        Assert.Equal(100.00m, held.Where(c => !c.IsGauge && c.Day == PurchaseDay).Sum(c => c.Revenue));
        Assert.Equal(Days(inOrder), Days(held));
    }

    [Fact]
    public void TwoHeldRefundsWithOddDecimalsOnTwoDaysCountEachOnItsOwnDayAsInOrder()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var second = RefundAt.AddDays(1).AddHours(3);
        var inOrder = Arrive(metrics, Purchase(100.00m), Refund("rf1", 33.33m), Refund("rf2", 33.34m, second));
        var held = Arrive(metrics, Refund("rf2", 33.34m, second), Refund("rf1", 33.33m), Purchase(100.00m));

        // The cumulative rule (CONTRACT.md §2): 66.67 reverses floor(133.34) = 133, the second part 133 − 66 = 67.
        Assert.Equal(66, Counter(held, "east", RefundDay, MetricNames.PointsReversed));
        Assert.Equal(67, Counter(held, "east", RefundDay.AddDays(1), MetricNames.PointsReversed));
        Assert.Equal(-33.34m, held.Where(c => !c.IsGauge && c.Day == RefundDay.AddDays(1)).Sum(c => c.Revenue));
        Assert.Equal(33.33m, held.Where(c => !c.IsGauge).Sum(c => c.Revenue));
        Assert.Equal(Days(inOrder), Days(held));
    }

    [Fact]
    public void AHeldRefundFromAnotherRegionsStoreCountsInThatRegionOnItsLocalDayAsInOrder()
    {
        // West keeps another zone: 2026-11-20 10:00 +08:00 is still 11-19 there.
        var metrics = new MetricsOptions { Shards = 4, RegionTimeZones = { ["west"] = "America/Los_Angeles" } };
        var inOrder = Arrive(metrics, Purchase(100.00m), Refund("rf1", 33.33m, region: "West", store: "S900"));
        var held = Arrive(metrics, Refund("rf1", 33.33m, region: "West", store: "S900"), Purchase(100.00m));

        var westDay = new DateOnly(2026, 11, 19);
        Assert.Equal(66, Counter(inOrder, "west", westDay, MetricNames.PointsReversed));
        Assert.Equal(66, Counter(held, "west", westDay, MetricNames.PointsReversed));
        Assert.Equal(1, Counter(held, "west", westDay, MetricNames.Dau));
        Assert.Equal(-33.33m, held.Where(c => !c.IsGauge && c.RegionId == "west").Sum(c => c.Revenue));
        Assert.Equal(100.00m, held.Where(c => !c.IsGauge && c.RegionId == "east").Sum(c => c.Revenue));
        Assert.Equal(0, held.Where(c => !c.IsGauge && c.RegionId == "east").Sum(c => c.Counters.GetValueOrDefault(MetricNames.PointsReversed)));

        // In order the refund also moves the member to west on its day (its region follows its latest event); held, the
        // member is first counted with the purchase, already in west (the refund is its latest event), so it has no
        // move to record. Every other day counter is the same, the join in east on the purchase's day included.
        static SortedDictionary<string, long> NoMoves(SortedDictionary<string, long> d) =>
            new(d.Where(kv => !kv.Key.EndsWith(MetricNames.MovedIn, StringComparison.Ordinal) && !kv.Key.EndsWith(MetricNames.MovedOut, StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal);
        Assert.Equal(NoMoves(Days(inOrder)), NoMoves(Days(held)));
    }

    [Fact]
    public void AHeldFullRefundCountsOnItsOwnDayWhenTheCountCapCouldTakeItsNewOrderAtOnce()
    {
        // MaxOrders 1 and an earlier order whose lot still holds points: the new order, its lot reversed in full on arrival
        // by the held refund, is the one spent order the count cap could take out, in the very call that created it.
        var metrics = new MetricsOptions { Shards = 4 };
        var state = new MemberState { MemberId = "H1" };
        var options = new ProgramOptions { MaxOrders = 1 };
        var earlier = new MemberEvent("p0", "purchase", PurchaseAt.AddDays(-1)) { RegionId = "East", StoreId = "S001", OrderId = "O0", Amount = 100.00m };
        var all = new List<MetricContribution>();
        MemberEvent[] events = [earlier, Refund("rf1", 100.00m), Purchase(100.00m)];
        for (var i = 0; i < events.Length; i++)
        {
            var outcome = MemberDecider.Apply(state, events[i], options, Now.AddHours(i), metrics);
            Assert.NotEqual(EventStatus.Rejected, outcome.Reply.Status);
            all.AddRange(outcome.Effects.OfType<RecordMetrics>().SelectMany(r => r.Contributions));
        }

        // The refund's revenue and reversed points count on its own day, as in order; the purchase's day keeps the whole amount.
        Assert.Equal(-100.00m, all.Where(c => !c.IsGauge && c.Day == RefundDay).Sum(c => c.Revenue));
        Assert.Equal(100.00m, all.Where(c => !c.IsGauge && c.Day == PurchaseDay).Sum(c => c.Revenue));
        Assert.Equal(100, Counter(all, "east", RefundDay, MetricNames.PointsReversed));
        Assert.Contains(state.Orders, o => o.OrderId == "O1" && o.Remaining == 0);

        // The next call's prune summarises it, spent as it is.
        MemberDecider.Apply(state, new MemberEvent("b1", "browse", Now.AddHours(3)), options, Now.AddHours(3), metrics);
        Assert.Equal(["O1"], state.OrderSummaries.Select(o => o.OrderId));
    }

    [Fact]
    public void APurchaseUnderOneYuanStaysInFullForTheCallThatCreatedIt()
    {
        var state = new MemberState { MemberId = "H1" };
        var options = new ProgramOptions { MaxOrders = 1 };
        MemberEngine.Apply(state, new MemberEvent("p0", "purchase", PurchaseAt) { OrderId = "O0", Amount = 100.00m }, options, Now);

        MemberEngine.Apply(state, new MemberEvent("p1", "purchase", PurchaseAt.AddHours(1)) { OrderId = "O1", Amount = 0.50m }, options, Now);

        Assert.Equal(["O0", "O1"], state.Orders.Select(o => o.OrderId));
        Assert.Empty(state.OrderSummaries);
    }

    [Fact]
    public void AHeldRefundWithoutARegionCountsInTheMembersRegionAsInOrder()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var inOrder = Arrive(metrics, Purchase(100.00m), Refund("rf1", 33.33m, region: null, store: null));
        var held = Arrive(metrics, Refund("rf1", 33.33m, region: null, store: null), Purchase(100.00m));

        Assert.Equal(66, Counter(held, "east", RefundDay, MetricNames.PointsReversed));
        Assert.Equal(Days(inOrder), Days(held));
    }

    [Fact]
    public void AHeldRefundsContributionIdsAreTheSameWhenThePurchaseIsReplayedOnAFreshCopy()
    {
        var metrics = new MetricsOptions { Shards = 4 };
        var first = Arrive(metrics, Refund("rf1", 33.33m, region: "West"), Purchase(100.00m));
        var again = Arrive(metrics, Refund("rf1", 33.33m, region: "West"), Purchase(100.00m));

        Assert.Equal(first.Select(c => c.Id), again.Select(c => c.Id));
        Assert.Equal(first.Count, first.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
    }
}
