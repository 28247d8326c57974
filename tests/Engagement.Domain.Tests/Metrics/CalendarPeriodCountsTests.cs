using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.MetricsKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// CONTRACT.md §5 <c>arpu</c> (revenue net of refunds / distinct purchasers in the period) and <c>repurchaseRate</c>
/// (purchasers with ≥ 2 purchases in the period / purchasers) for calendar periods: a month, month-to-date, an ISO week,
/// a quarter, a year. Until 2026-12-05 a range's summary had them only for one day or the trailing 30 days, null for any
/// other range. Days are pinned (December 2026, ISO week 53 of 2026, the 2026/2027 year boundary).
/// </summary>
public sealed class CalendarPeriodCountsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly DateOnly Dec1 = new(2026, 12, 1);

    private MetricsKit _kit = new();

    private static DateOnly Dec(int day) => new(2026, 12, day);

    private void Buy(string member, string id, DateOnly day, decimal amount, string region = "east", string? from = null, bool joined = false) =>
        _kit.Apply(T(member, id, day, "purchase", joined: joined, first: joined, revenue: amount, before: joined ? null : Seg(from ?? region), after: Seg(region)));

    /// <summary>The programme's <paramref name="counter"/> summed over <paramref name="from"/>–<paramref name="to"/>.</summary>
    private long Sum(string counter, DateOnly from, DateOnly to) => _kit.Range(from, to).Sum(d => d[counter]);

    [Fact]
    public void AMonthsArpuAndRepurchaseRateCountEachPurchaserOnceNetOfRefunds()
    {
        // m1 buys on two days, m2 once and refunds part, m3 twice on one day, m4 only in the second half.
        Buy("m1", "p1", Dec(3), 100m, joined: true);
        Buy("m1", "p2", Dec(10), 50m);
        Buy("m2", "p3", Dec(10), 200m, joined: true);
        _kit.Apply(T("m2", "r1", Dec(12), "refund", revenue: -40m));
        Buy("m3", "p4", Dec(14), 30m, joined: true);
        Buy("m3", "p5", Dec(14), 30m);
        Buy("m4", "p6", Dec(20), 60m, joined: true);

        var month = Summary(_kit.Range(Dec1, Dec(31)));
        Assert.Equal("month", month.DistinctBasis);
        Assert.Equal(4, month.DistinctPurchasers);
        Assert.Equal(430m, month.Revenue);
        Assert.Equal(107.5m, month.Arpu); // 430 / 4 distinct purchasers, not / 5 purchaser-days
        Assert.Equal(0.5, month.RepurchaseRate); // m1 (two days) and m3 (twice on one day) of 4

        // Month-to-date: the 15 days from the 1st.
        var toDate = Summary(_kit.Range(Dec1, Dec(15)));
        Assert.Equal(("month", 3L), (toDate.DistinctBasis, toDate.DistinctPurchasers));
        Assert.Equal(Math.Round(370m / 3, 2, MidpointRounding.AwayFromZero), toDate.Arpu);
        Assert.Equal(Math.Round(2.0 / 3, 4), toDate.RepurchaseRate);

        // The counters sit on the first (second) purchase's day of the month.
        Assert.Equal((1L, 0L), (_kit.Day(Dec(3), MetricNames.PurchasersMonth), _kit.Day(Dec(3), MetricNames.RepurchasersMonth)));
        Assert.Equal((1L, 1L), (_kit.Day(Dec(10), MetricNames.PurchasersMonth), _kit.Day(Dec(10), MetricNames.RepurchasersMonth)));
        Assert.Equal((1L, 1L), (_kit.Day(Dec(14), MetricNames.PurchasersMonth), _kit.Day(Dec(14), MetricNames.RepurchasersMonth)));

        // The quarter (from October 1st) and the year (from January 1st) count the same members here.
        var quarter = Summary(_kit.Range(new DateOnly(2026, 10, 1), Dec(31)));
        Assert.Equal(("quarter", 4L, 107.5m, 0.5), (quarter.DistinctBasis, quarter.DistinctPurchasers, quarter.Arpu, quarter.RepurchaseRate));
        var year = Summary(_kit.Range(new DateOnly(2026, 1, 1), Dec(31)));
        Assert.Equal(("year", 4L, 107.5m), (year.DistinctBasis, year.DistinctPurchasers, year.Arpu));
    }

    [Fact]
    public void ARangeThatIsNoPeriodFromItsStartHasNoArpuAndSaysWhy()
    {
        Buy("m1", "p1", Dec(3), 100m, joined: true);
        Buy("m1", "p2", Dec(10), 50m);

        var middle = Summary(_kit.Range(Dec(2), Dec(12)));
        Assert.Equal((null, null, null, (double?)null), (middle.DistinctBasis, middle.DistinctPurchasers, middle.Arpu, middle.RepurchaseRate));
        var crossing = Summary(_kit.Range(Dec1, new DateOnly(2027, 1, 5)));
        Assert.Null(crossing.DistinctBasis);

        // One day and the trailing 30 days keep their own counts.
        Assert.Equal(("day", 100m), (Summary(_kit.Range(Dec(3), Dec(3))).DistinctBasis, Summary(_kit.Range(Dec(3), Dec(3))).Arpu!.Value));
        var trailing = Summary(_kit.Range(Dec(3).AddDays(-20), Dec(3).AddDays(9)));
        Assert.Equal(("trailing30", 1L, 150m, 1.0), (trailing.DistinctBasis, trailing.DistinctPurchasers, trailing.Arpu, trailing.RepurchaseRate));
    }

    [Fact]
    public void ALatePurchaseEarlierInTheMonthMovesTheMembersCountToItsDay()
    {
        Buy("m1", "p1", Dec(10), 50m, joined: true);
        Assert.Equal(1, _kit.Day(Dec(10), MetricNames.PurchasersMonth));

        // An offline till uploads a purchase of Dec 3 late.
        Buy("m1", "p0", Dec(3), 100m);

        Assert.Equal((1L, 0L), (_kit.Day(Dec(3), MetricNames.PurchasersMonth), _kit.Day(Dec(10), MetricNames.PurchasersMonth)));
        Assert.Equal((0L, 1L), (_kit.Day(Dec(3), MetricNames.RepurchasersMonth), _kit.Day(Dec(10), MetricNames.RepurchasersMonth)));
        var firstWeek = Summary(_kit.Range(Dec1, Dec(5)));
        Assert.Equal(("month", 1L, 100m, 0.0), (firstWeek.DistinctBasis, firstWeek.DistinctPurchasers, firstWeek.Arpu, firstWeek.RepurchaseRate));
        var toDate = Summary(_kit.Range(Dec1, Dec(12)));
        Assert.Equal((1L, 150m, 1.0), (toDate.DistinctPurchasers, toDate.Arpu, toDate.RepurchaseRate));

        // Each purchase is the first of its own ISO week (Nov 30–Dec 6, Dec 7–13).
        Assert.Equal(("isoWeek", 1L, 0.0), (Summary(_kit.Range(Dec(7), Dec(13))).DistinctBasis, Summary(_kit.Range(Dec(7), Dec(13))).DistinctPurchasers, Summary(_kit.Range(Dec(7), Dec(13))).RepurchaseRate!.Value));
        Assert.Equal(1, _kit.Day(Dec(3), MetricNames.PurchasersIsoWeek));
    }

    [Fact]
    public void AMemberBuyingInTwoRegionsCountsInEachRegionAndOnceInTheProgramme()
    {
        Buy("m1", "p1", Dec(2), 100m, "shanghai", joined: true);
        Buy("m1", "p2", Dec(5), 50m, "beijing", from: "shanghai");

        Assert.Equal(1, _kit.RegionRange("shanghai", Dec1, Dec(31)).Sum(d => d[MetricNames.PurchasersMonth]));
        Assert.Equal(1, _kit.RegionRange("beijing", Dec1, Dec(31)).Sum(d => d[MetricNames.PurchasersMonth]));
        Assert.Equal(0, _kit.RegionRange("beijing", Dec1, Dec(31)).Sum(d => d[MetricNames.RepurchasersMonth]));
        Assert.Equal((1L, 1L), (Sum(MetricNames.PurchasersMonth, Dec1, Dec(31)), Sum(MetricNames.RepurchasersMonth, Dec1, Dec(31))));

        // A late Beijing purchase of Dec 1: Beijing's first moves to Dec 1 and it bought twice there; the programme's
        // first moves to Dec 1 and its second to Dec 2.
        Buy("m1", "p0", Dec1, 10m, "beijing", from: "beijing");
        var beijing = _kit.RegionRange("beijing", Dec1, Dec(31));
        Assert.Equal((1L, 0L), (beijing[0][MetricNames.PurchasersMonth], beijing[4][MetricNames.PurchasersMonth]));
        Assert.Equal(1, beijing[4][MetricNames.RepurchasersMonth]);
        Assert.Equal((1L, 0L), (_kit.Day(Dec1, MetricNames.PurchasersMonth), _kit.Day(Dec(2), MetricNames.PurchasersMonth)));
        Assert.Equal((1L, 0L), (_kit.Day(Dec(2), MetricNames.RepurchasersMonth), _kit.Day(Dec(5), MetricNames.RepurchasersMonth)));
        var month = Summary(_kit.Range(Dec1, Dec(31)));
        Assert.Equal((1L, 160m, 1.0), (month.DistinctPurchasers, month.Arpu, month.RepurchaseRate));
        Assert.All(_kit.Range(Dec1, Dec(31)), d => Assert.True(d[MetricNames.PurchasersMonth] >= 0 && d[MetricNames.RepurchasersMonth] >= 0));
    }

    [Fact]
    public void IsoWeek53SpansTheYearBoundaryWhileTheYearsCountApart()
    {
        // ISO week 53 of 2026: Monday 2026-12-28 to Sunday 2027-01-03.
        Buy("m1", "p1", Dec(30), 100m, joined: true);
        Buy("m1", "p2", new DateOnly(2027, 1, 2), 60m);

        var week53 = Summary(_kit.Range(Dec(28), new DateOnly(2027, 1, 3)));
        Assert.Equal(("isoWeek", 1L, 160m, 1.0), (week53.DistinctBasis, week53.DistinctPurchasers, week53.Arpu, week53.RepurchaseRate));

        // 2027 from January 1st: its own first purchase (Jan 2), no repurchase yet.
        var year2027 = Summary(_kit.Range(new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 3)));
        Assert.Equal(("year", 1L, 60m, 0.0), (year2027.DistinctBasis, year2027.DistinctPurchasers, year2027.Arpu, year2027.RepurchaseRate));
        Assert.Equal(1, _kit.Day(new DateOnly(2027, 1, 2), MetricNames.PurchasersMonth));
        Assert.Equal(1, _kit.Day(Dec(30), MetricNames.PurchasersYear));
        Assert.Equal(0, _kit.Day(new DateOnly(2027, 1, 2), MetricNames.RepurchasersYear));
    }

    [Fact]
    public void AStateStoredBeforeThePeriodCountsLeavesItsPeriodInProgressOutAndNeverGoesNegative()
    {
        // The previous version applied m1's purchase of Dec 2: no period counts, no periodsFrom.
        Buy("m1", "p1", Dec(2), 100m, joined: true);
        var stored = JsonSerializer.SerializeToNode(_kit.State("m1"), Web)!.AsObject();
        Assert.True(stored.Remove("periodsFrom"));
        _kit = new MetricsKit();
        _kit.Store("m1", JsonSerializer.Deserialize<MemberMetricState>(stored, Web)!);

        // After the deploy: Dec 9, a late Dec 1, then January.
        Buy("m1", "p2", Dec(9), 50m);
        Buy("m1", "p0", Dec1, 10m);
        Buy("m1", "p3", new DateOnly(2027, 1, 5), 20m);

        // December (and 2026, Q4) started before the deploy's last purchase: left out for m1, not -1 on Dec 2.
        Assert.All(_kit.Range(Dec1, Dec(31)), d => Assert.Equal((0L, 0L, 0L), (d[MetricNames.PurchasersMonth], d[MetricNames.RepurchasersMonth], d[MetricNames.PurchasersYear])));
        // The week of Dec 9 (from Dec 7) and January are whole after it.
        Assert.Equal(1, _kit.Day(Dec(9), MetricNames.PurchasersIsoWeek));
        Assert.Equal((1L, 1L), (_kit.Day(new DateOnly(2027, 1, 5), MetricNames.PurchasersMonth), _kit.Day(new DateOnly(2027, 1, 5), MetricNames.PurchasersYear)));
        Assert.Equal(Dec(2).DayNumber + 1, _kit.State("m1").PeriodsFrom);
    }

    [Fact]
    public void ARangeStartingBeforePeriodCountsSinceHasNoCalendarBasisEvenLongAfter()
    {
        // The previous version applied m1's purchase of Dec 2 and stopped that day: PeriodCountsSince is Dec 3.
        Buy("m1", "p1", Dec(2), 100m, joined: true);
        var stored = JsonSerializer.SerializeToNode(_kit.State("m1"), Web)!.AsObject();
        Assert.True(stored.Remove("periodsFrom"));
        _kit = new MetricsKit();
        _kit.Store("m1", JsonSerializer.Deserialize<MemberMetricState>(stored, Web)!);
        Buy("m1", "p2", Dec(9), 50m);
        Buy("m2", "p3", Dec(9), 150m, joined: true);
        var since = Dec(3);

        // December holds two purchasers, but m1 is left out of its counts for good: no "month" figure of one purchaser
        // (arpu 200 labelled exact), however late it is read; nor for the ISO week of Nov 30, Q4 or 2026.
        foreach (var (from, to) in new[] { (Dec1, Dec(31)), (Dec1, Dec(15)), (new DateOnly(2026, 11, 30), Dec(6)), (new DateOnly(2026, 10, 1), Dec(31)), (new DateOnly(2026, 1, 1), Dec(31)) })
        {
            var summary = Summary(_kit.Range(from, to), since);
            Assert.Equal((null, null, null, (double?)null), (summary.DistinctBasis, summary.DistinctPurchasers, summary.Arpu, summary.RepurchaseRate));
        }

        // A period starting on or after the day is whole; a single day and the trailing 30 days keep their own bases.
        var week = Summary(_kit.Range(Dec(7), Dec(13)), since);
        Assert.Equal(("isoWeek", 2L, 100m), (week.DistinctBasis, week.DistinctPurchasers, week.Arpu));
        var day = Summary(_kit.Range(Dec(9), Dec(9)), since);
        Assert.Equal(("day", 2L), (day.DistinctBasis, day.DistinctPurchasers));
        Assert.Equal("trailing30", Summary(_kit.Range(Dec1, Dec(30)), since).DistinctBasis);
    }

    [Fact]
    public void APurchaseSoLateItsYearStartsBeforeTheMembersWindowIsNotCountedTwiceInThatYear()
    {
        Buy("m1", "p1", new DateOnly(2026, 3, 1), 100m, joined: true);
        Buy("m1", "p2", new DateOnly(2027, 12, 20), 100m); // the 448-day window now starts in late 2026
        Buy("m1", "p0", Dec(31), 100m); // 354 days late: its month is in the window, its year's start is not

        Assert.Equal(1, Sum(MetricNames.PurchasersYear, new DateOnly(2026, 1, 1), Dec(31)));
        Assert.Equal(0, Sum(MetricNames.RepurchasersYear, new DateOnly(2026, 1, 1), Dec(31)));
        Assert.Equal(1, _kit.Day(Dec(31), MetricNames.PurchasersMonth));
    }

    [Theory]
    [InlineData("2026-12-01", "2026-12-31", "month")]
    [InlineData("2026-10-01", "2026-12-31", "quarter")]
    [InlineData("2026-01-01", "2026-12-31", "year")]
    [InlineData("2026-12-28", "2027-01-03", "isoWeek")]
    [InlineData("2026-11-30", "2026-12-06", "isoWeek")]
    [InlineData("2026-06-01", "2026-06-07", "month")] // a Monday and a month's first day: the month
    [InlineData("2026-01-01", "2026-01-04", "year")]
    [InlineData("2026-12-01", "2027-01-01", null)]
    [InlineData("2026-12-02", "2026-12-08", null)]
    public void ARangeFitsTheLargestPeriodItStarts(string from, string to, string? kind)
    {
        var fitting = CalendarPeriods.Fitting(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(kind, fitting is { } k ? CalendarPeriods.NameOf(k) : null);
    }
}
