using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

public class ProgrammeMathTests
{
    private static readonly DateOnly Day = new(2026, 11, 20);

    /// <summary>A local day of now by which every cohort of these tests is complete.</summary>
    private static readonly DateOnly Later = Day.AddDays(MemberMetrics.RepurchaseWithinDays + 2);

    private static DayCounters C(DateOnly day, decimal revenue = 0, params (string Name, long Value)[] counters) =>
        new() { Day = day, Revenue = revenue, Counters = counters.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal) };

    [Theory]
    [InlineData("East")]
    [InlineData("east")]
    [InlineData(" EAST ")]
    public void ARegionZoneConfiguredUnderTheRegionAsProducersSpellItSetsThatRegionsLocalDay(string key)
    {
        var options = new MetricsOptions { RegionTimeZones = { [key] = "Asia/Tokyo" } };
        // 23:30 in Shanghai, already 00:30 the next day in Tokyo.
        var at = new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2026, 11, 23), options.LocalDay(at, MetricsOptions.RegionOf("East")));
        Assert.Equal(new DateOnly(2026, 11, 22), options.LocalDay(at, MetricsOptions.RegionOf("west")));
        Assert.Equal(new DateOnly(2026, 11, 22), options.LocalDay(at, ""));
    }

    [Fact]
    public void HealthOfADayFollowsTheSection5Definitions()
    {
        var c = C(Day, 1000.005m, (MetricNames.Dau, 40), (MetricNames.Mau, 200), (MetricNames.Purchasers, 8), (MetricNames.Repurchasers, 2),
            (MetricNames.NewMembers, 10), (MetricNames.RetainedNextDay, 3), (MetricNames.FirstPurchasers, 4), (MetricNames.Repurchased7d, 1),
            (MetricNames.Sharers, 6), (MetricNames.Complaints, 2), (MetricNames.CampaignReached, 50), (MetricNames.CampaignConverted, 5),
            (MetricNames.CouponsIssued, 20), (MetricNames.CouponsRedeemed, 3), (MetricNames.FunnelLogin, 30), (MetricNames.FunnelBrowse, 20), (MetricNames.FunnelCart, 10));

        var h = HealthMetrics.Of(c, 1000, Later);

        Assert.Equal(0.2, h.ActiveShare);
        Assert.Equal(0.2, h.DauMau);
        Assert.Equal(1000.01m, h.Revenue);
        Assert.Equal(125.00m, h.Arpu);
        Assert.Equal(0.25, h.RepurchaseRate);
        Assert.Equal(0.3, h.NextDayRetention);
        Assert.Equal(0.25, h.Repurchase7d);
        Assert.Equal(0.15, h.ShareRate);
        Assert.Equal(0.05, h.ComplaintRate);
        Assert.Equal(0.1, h.CampaignResponse);
        Assert.Equal(0.15, h.CouponRedemptionRate);
        Assert.Equal(new FunnelDay { Login = 30, Browse = 20, AddToCart = 10, Purchase = 8 }, h.Funnel);
        Assert.Null(HealthMetrics.Of(C(Day), 0, Later).ActiveShare);
    }

    [Fact]
    public void MembersOfEachDayAreWorkedBackFromTheLiveCount()
    {
        var days = new[] { C(Day, 0, (MetricNames.NewMembers, 5)), C(Day.AddDays(1), 0, (MetricNames.NewMembers, 3)) };

        var series = HealthMetrics.Series(days, membersNow: 110, joinedAfterLast: 2, Later, null);

        Assert.Equal(105, series[0].Members);
        Assert.Equal(108, series[1].Members);
        var summary = HealthMetrics.Summary(days, series, Later, DateOnly.MinValue);
        Assert.Equal(8, summary.NewMembers);
        Assert.Equal(108, summary.Members);
    }

    [Fact]
    public void ARangeOfThirtyDaysDividesByItsDistinctPurchasers()
    {
        // CONTRACT.md §5: arpu = revenue / distinct purchasers in the period. One member spends 100 on each of two days
        // of the 30 ending today: one purchaser, arpu 200, and a repurchaser (it bought twice in the period).
        var days = Enumerable.Range(0, 30).Select(i => C(Day.AddDays(i - 29), 0)).ToList();
        days[10] = C(days[10].Day, 100m, (MetricNames.Purchasers, 1), (MetricNames.Purchasers30, 1));
        days[29] = C(Day, 100m, (MetricNames.Purchasers, 1), (MetricNames.Purchasers30, 1), (MetricNames.Repurchasers30, 1));

        var summary = HealthMetrics.Summary(days, HealthMetrics.Series(days, membersNow: 1, joinedAfterLast: 0, Later, null), Later, DateOnly.MinValue);

        Assert.Equal(200m, summary.Revenue);
        Assert.Equal(200.00m, summary.Arpu);
        Assert.Equal(1.0, summary.RepurchaseRate);
        Assert.Equal(2, summary.Purchasers); // purchaser-days, as documented
    }

    [Fact]
    public void ARangeWhoseDistinctPurchasersAreNotCountedHasNoArpuNorRepurchaseRate()
    {
        // One member buys once on each of two days: two purchaser-days, no day with two purchases; in the 30 days
        // ending the second day it is one distinct purchaser who bought twice.
        var days = new[]
        {
            C(Day, 100m, (MetricNames.Purchasers, 1), (MetricNames.Purchasers30, 1)),
            C(Day.AddDays(1), 100m, (MetricNames.Purchasers, 1), (MetricNames.Purchasers30, 1), (MetricNames.Repurchasers30, 1)),
        };

        var summary = HealthMetrics.Summary(days, HealthMetrics.Series(days, membersNow: 1, joinedAfterLast: 0, Later, null), Later, DateOnly.MinValue);

        // A two-day range: its distinct purchasers are not counted, so no §5 arpu or repurchaseRate (not per purchaser-day).
        Assert.Equal(2L, summary.Purchasers);
        Assert.Null(summary.Arpu);
        Assert.Null(summary.RepurchaseRate);
        // One day is its own period.
        var one = HealthMetrics.Summary(days[1..], HealthMetrics.Series(days[1..], membersNow: 1, joinedAfterLast: 0, Later, null), Later, DateOnly.MinValue);
        Assert.Equal((100m, 0.0), (one.Arpu!.Value, one.RepurchaseRate!.Value));
        Assert.Equal((1L, 1.0), (summary.Purchasers30, summary.RepurchaseRate30!.Value));
    }

    [Fact]
    public void PointsEconomyRateIsOverTheWindowAndLiabilityAtThePointValue()
    {
        var window = Enumerable.Range(0, 90).Select(i => C(Day.AddDays(i - 89), 0, (MetricNames.PointsIssued, 100), (MetricNames.PointsRedeemed, i < 30 ? 90 : 0))).ToList();

        var view = PointsEconomy.Of(window.TakeLast(7).ToList(), window, outstanding: 12_345, pointValue: 0.01m, 0.28, 0.32);

        Assert.Equal(9000, view.Issued90d);
        Assert.Equal(2700, view.Redeemed90d);
        Assert.Equal(0.3, view.RedemptionRate90d);
        Assert.True(view.InBand);
        Assert.Equal(123.45m, view.LiabilityCny);
        Assert.Equal(700, view.Total.Issued);
        Assert.Equal(7, view.Days.Count);
    }

    [Fact]
    public void BreakageIsPointsExpiredOverPointsIssuedInTheSameNinetyDays()
    {
        // 100 points issued each of the 90 days; 30 expire on each of the first 45: 1,350 of 9,000, breakage 0.15.
        var window = Enumerable.Range(0, 90).Select(i => C(Day.AddDays(i - 89), 0, (MetricNames.PointsIssued, 100), (MetricNames.PointsExpired, i < 45 ? 30 : 0))).ToList();

        var view = PointsEconomy.Of(window.TakeLast(7).ToList(), window, outstanding: 0, pointValue: 0.01m, 0.28, 0.32);

        Assert.Equal(1350, view.Expired90d);
        Assert.Equal(0.15, view.BreakageRate90d);
        Assert.Equal(0, view.Total.Expired); // the range's own days expired none; the rate is the window's
        Assert.Null(PointsEconomy.Of([], [], 0, 0.01m, 0.28, 0.32).BreakageRate90d); // none issued: no rate, not 0
    }

    [Fact]
    public void ValueClassThresholdsGiveTheTopFifteenPercentAAndTheNextThirtyFiveB()
    {
        var buckets = new Dictionary<int, long>();
        foreach (var m in Enumerable.Range(1, 100).Select(i => (decimal)Math.Pow(10, i / 25.0)))
        {
            var b = MonetaryHistogram.BucketOf(m);
            buckets[b] = buckets.GetValueOrDefault(b) + 1;
        }

        var t = ValueClassThresholds.From(buckets, 0.15, 0.35, DateTimeOffset.UnixEpoch);
        var classes = Enumerable.Range(1, 100).Select(i => t.ClassOf((decimal)Math.Pow(10, i / 25.0))).ToList();

        Assert.Equal(100, t.Members);
        Assert.InRange(classes.Count(c => c == "A"), 12, 15);
        Assert.InRange(classes.Count(c => c is "A" or "B"), 46, 50);
        Assert.Equal("C", t.ClassOf(0m));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(1, 1)]
    [InlineData(9.99, 10)]
    [InlineData(10, 11)]
    [InlineData(1000, 31)]
    public void MonetaryBucketsAreTenPerDecade(double monetary, int bucket)
    {
        Assert.Equal(bucket, MonetaryHistogram.BucketOf((decimal)monetary));
        Assert.True(MonetaryHistogram.LowerBound(bucket) <= (decimal)monetary);
    }

    [Fact]
    public void AnAggregatorAppliesAContributionIdOnceAndForgetsIdsPastTheHorizon()
    {
        var c = new MetricContribution { Id = "m1|e1|d|east|20261120", RegionId = "east", Day = Day, Counters = new Dictionary<string, long> { [MetricNames.Dau] = 1 }, Revenue = 12.5m };
        var now = new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);

        var (once, applied1) = AggregatorShard.Apply(new AggregatorShard(), [c, c], now, 7);
        var (twice, applied2) = AggregatorShard.Apply(once, [c], now.AddDays(6), 7);
        var (late, applied3) = AggregatorShard.Apply(twice, [c], now.AddDays(7), 7);

        Assert.Equal((1, 0), (applied1, applied2));
        Assert.Equal(1, twice.Counters[MetricNames.Dau]);
        Assert.Equal(12.5m, twice.Revenue);
        Assert.Equal(2, twice.DuplicateCount);
        Assert.Equal(1, applied3);
        Assert.DoesNotContain(late.Applied.Keys, k => k == DateOnly.FromDateTime(now.UtcDateTime).DayNumber);
    }

    [Fact]
    public void DayBitsShiftForwardAndForgetDaysPastTheSpan()
    {
        var bits = DayBits.Empty.With(Day).With(Day.AddDays(-3)).With(Day.AddDays(70));

        Assert.True(bits.Has(Day));
        Assert.True(bits.Has(Day.AddDays(-3)));
        Assert.True(bits.Has(Day.AddDays(70)));
        Assert.False(bits.Has(Day.AddDays(1)));
        Assert.Equal(2, bits.Count(Day.AddDays(-10), Day));
        var far = bits.With(Day.AddDays(70 + DayBits.Span));
        Assert.False(far.Has(Day.AddDays(70)));
        Assert.False(far.Covers(Day.AddDays(70)));
    }

    [Fact]
    public void DayBitsThatChangeNothingAreTheSameInstanceAndThoseThatDoAreNot()
    {
        var bits = DayBits.Empty.With(Day).With(Day.AddDays(-3)).With(Day.AddDays(-100));

        // A day marked already (most events of a day), a drop past every mark, a union with a subset: no new value.
        Assert.Same(bits, bits.With(Day));
        Assert.Same(bits, bits.With(Day.AddDays(-3)));
        Assert.Same(bits, bits.Until(Day.DayNumber + 5));
        Assert.Same(bits, bits.Until(Day.DayNumber));
        var subset = DayBits.Empty.With(Day.AddDays(-3)).With(Day.AddDays(-100));
        Assert.Same(bits, bits.Union(subset));
        Assert.Same(bits, subset.Union(bits));

        // What changes something still answers a new value with exactly the marks it should have.
        var added = bits.With(Day.AddDays(-1));
        Assert.NotSame(bits, added);
        Assert.True(added.Has(Day.AddDays(-1)) && added.Has(Day) && added.Has(Day.AddDays(-100)));
        Assert.False(bits.Has(Day.AddDays(-1)));
        var cut = bits.Until(Day.DayNumber - 1);
        Assert.False(cut.Has(Day));
        Assert.True(cut.Has(Day.AddDays(-3)) && cut.Has(Day.AddDays(-100)));
        var union = bits.Union(DayBits.Empty.With(Day.AddDays(-200)));
        Assert.True(union.Has(Day.AddDays(-200)) && union.Has(Day) && union.Has(Day.AddDays(-100)));
        Assert.Equal(4, union.Count(Day.AddDays(-300), Day));
        var later = subset.Union(DayBits.Empty.With(Day.AddDays(2)));
        Assert.Equal(Day.AddDays(2).DayNumber, later.Latest);
        Assert.Equal(3, later.Count(Day.AddDays(-300), Day.AddDays(2)));
    }
}
