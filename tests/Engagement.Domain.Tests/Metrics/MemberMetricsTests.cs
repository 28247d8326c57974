using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

public class MemberMetricsTests
{
    [Fact]
    public void FirstActivityOfADayCountsInDauOnceAndOpensTheWeekAndMonthWindows()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e1", D0, "register", joined: true));
        kit.Apply(T("m1", "e2", D0, "login"));
        kit.Apply(T("m1", "e3", D0, "login"));

        Assert.Equal(1, kit.Day(D0, MetricNames.NewMembers));
        Assert.Equal(1, kit.Day(D0, MetricNames.Dau));
        Assert.Equal(1, kit.Day(D0, MetricNames.FunnelLogin));
        Assert.All(Enumerable.Range(0, 7), i => Assert.Equal(1, kit.Day(D0.AddDays(i), MetricNames.Wau)));
        Assert.Equal(0, kit.Day(D0.AddDays(7), MetricNames.Wau));
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(1, kit.Day(D0.AddDays(i), MetricNames.Mau)));
        Assert.Equal(0, kit.Day(D0.AddDays(30), MetricNames.Mau));
        Assert.Equal(1, kit.Gauge(GaugeNames.Members));
    }

    [Fact]
    public void ALatePurchaseOlderThanTheFirstCountedBecomesTheFirstAndTheLaterOneItsRepurchase()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e2", D0.AddDays(5), "purchase", joined: true, first: true));

        // An offline POS uploads a purchase of four days earlier: that one was the member's first (CONTRACT.md §1.1).
        kit.Apply(T("m1", "e1", D0.AddDays(1), "purchase"));

        Assert.Equal((1, 0), (kit.Day(D0.AddDays(1), MetricNames.FirstPurchasers), kit.Day(D0.AddDays(5), MetricNames.FirstPurchasers)));
        // It bought again on day 5, within 7 days of its first purchase.
        Assert.Equal((1, 0), (kit.Day(D0.AddDays(1), MetricNames.Repurchased7d), kit.Day(D0.AddDays(5), MetricNames.Repurchased7d)));
        Assert.Equal(1.0, HealthMetrics.Of(kit.Counters(D0.AddDays(1)), 1, D0.AddDays(9)).Repurchase7d);
    }

    [Fact]
    public void AMemberActiveDailyAddsOnlyTheNewestDayOfEachWindow()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e1", D0, "login", joined: true));
        var next = kit.Apply(T("m1", "e2", D0.AddDays(1), "browse"));

        var counters = next.Where(c => !c.IsGauge).ToDictionary(c => c.Day, c => c.Counters);
        Assert.Equal([D0, D0.AddDays(1)], counters.Keys.Order());
        Assert.Equal(1, counters[D0.AddDays(1)][MetricNames.Dau]);
        Assert.Equal(1, counters[D0.AddDays(1)][MetricWindows.Entry(MetricNames.Wau, 6, 6)]);
        Assert.Equal(1, counters[D0.AddDays(1)][MetricWindows.Entry(MetricNames.Mau, 29, 29)]);
        Assert.Equal(1, kit.Day(D0.AddDays(7), MetricNames.Wau));
        Assert.Equal(1, kit.Day(D0.AddDays(30), MetricNames.Mau));
        Assert.Equal(0, kit.Day(D0.AddDays(31), MetricNames.Mau));
        Assert.Equal(1, kit.Day(D0, MetricNames.RetainedNextDay));
        Assert.Equal(1, kit.Day(D0.AddDays(5), MetricNames.Wau));
    }

    [Fact]
    public void LateActivityCountsInItsOwnDayAndFillsOnlyTheWindowDaysItNewlyCovers()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e1", D0.AddDays(10), "login", joined: true));
        kit.Apply(T("m1", "late", D0, "browse"));

        Assert.Equal(1, kit.Day(D0, MetricNames.Dau));
        Assert.Equal(1, kit.Day(D0, MetricNames.FunnelBrowse));
        Assert.Equal(7, Enumerable.Range(0, 10).Sum(i => kit.Day(D0.AddDays(i), MetricNames.Wau)));
        Assert.Equal(10, Enumerable.Range(0, 10).Sum(i => kit.Day(D0.AddDays(i), MetricNames.Mau)));
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(kit.Day(D0.AddDays(i), MetricNames.Mau) <= 1));
    }

    [Fact]
    public void ActivityOlderThanTheRememberedWindowIsCountedAsLateNotAsActive()
    {
        var kit = new MetricsKit();
        // Past anything the contract accepts (365 days): the window is 448 days, 418 of them exact for the 30-day windows.
        kit.Apply(T("m1", "e1", D0.AddDays(DayBits.Span), "login", joined: true));
        kit.Apply(T("m1", "old", D0, "login"));

        Assert.Equal(0, kit.Day(D0, MetricNames.Dau));
        Assert.Equal(1, kit.Day(D0, MetricNames.LateUncounted));
    }

    [Fact]
    public void ComplaintsAreNotActivity()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "c1", D0, "complaint", joined: true));

        Assert.Equal(1, kit.Day(D0, MetricNames.Complaints));
        Assert.Equal(0, kit.Day(D0, MetricNames.Dau));
    }

    [Fact]
    public void PurchasesCountPurchasersRepurchasersFirstPurchaseAndRepurchaseWithinSevenDays()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "p1", D0, "purchase", joined: true, first: true, revenue: 100m));
        kit.Apply(T("m1", "p2", D0, "purchase", revenue: 50m));
        kit.Apply(T("m1", "p3", D0, "purchase", revenue: 10m));
        kit.Apply(T("m1", "r1", D0, "refund", revenue: -20m));
        kit.Apply(T("m2", "q1", D0, "purchase", joined: true, first: true, revenue: 30m));
        kit.Apply(T("m2", "q2", D0.AddDays(8), "purchase", revenue: 30m));

        Assert.Equal(2, kit.Day(D0, MetricNames.Purchasers));
        Assert.Equal(1, kit.Day(D0, MetricNames.Repurchasers));
        Assert.Equal(4, kit.Day(D0, MetricNames.Purchases));
        Assert.Equal(2, kit.Day(D0, MetricNames.FirstPurchasers));
        Assert.Equal(1, kit.Day(D0, MetricNames.Repurchased7d));
        Assert.Equal(2, kit.Day(D0, MetricNames.Purchasers30));
        Assert.Equal(1, kit.Day(D0, MetricNames.Repurchasers30));
        Assert.Equal(2, kit.Day(D0.AddDays(8), MetricNames.Repurchasers30));
        Assert.Equal(200m, kit.Revenue);
    }

    [Fact]
    public void SharesCountEventsAndDistinctSharers()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "s1", D0, "share", joined: true));
        kit.Apply(T("m1", "s2", D0, "share"));

        Assert.Equal(2, kit.Day(D0, MetricNames.Shares));
        Assert.Equal(1, kit.Day(D0, MetricNames.Sharers));
    }

    [Fact]
    public void ATransitionMovesGaugesByMinusOneAndPlusOne()
    {
        var kit = new MetricsKit();
        kit.Apply(T("m1", "e1", D0, "register", joined: true, after: Seg(points: 0)));
        kit.Apply(T("m1", "p1", D0, "purchase", before: Seg(points: 0), after: Seg(tier: "V2", monetary: 1200m, points: 1200)));

        Assert.Equal(1, kit.Gauge(GaugeNames.Members));
        Assert.Equal(0, kit.Gauge("tier:V1"));
        Assert.Equal(1, kit.Gauge("tier:V2"));
        Assert.Equal(1200, kit.Gauge(GaugeNames.PointsOutstanding));
        Assert.Equal(1, kit.Gauge(GaugeNames.MonetaryPrefix + MonetaryHistogram.BucketOf(1200m)));
        Assert.Equal(0, kit.Gauge(GaugeNames.MonetaryPrefix + "0"));
    }

    [Fact]
    public void TheSameOutcomeDerivesTheSameIdsAndAnUnchangedSegmentNoGauge()
    {
        var options = new MetricsOptions();
        var t = T("m1", "e1", D0, "login");
        var a = MemberMetrics.Derive(MemberMetricState.Empty, t, options).Contributions;
        var b = MemberMetrics.Derive(MemberMetricState.Empty, t, options).Contributions;

        Assert.Equal(a.Select(c => c.Id), b.Select(c => c.Id));
        Assert.Equal(a.Count, a.Select(c => c.Id).Distinct().Count());
        Assert.DoesNotContain(a, c => c.IsGauge);
        Assert.All(a, c => Assert.StartsWith("m1|e1|d|east|", c.Id, StringComparison.Ordinal));
    }
}
