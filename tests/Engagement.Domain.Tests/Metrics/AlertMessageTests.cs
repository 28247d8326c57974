using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// Every metric alert's message says what fired (with the counts behind a rate), over which local days, against what
/// threshold, and what to do: "service-process review" alone named neither the days nor the next step, and "points
/// redemption 0%" did not say it was redeemed / issued over 90 days (CONTRACT.md §5).
/// </summary>
public class AlertMessageTests
{
    private static readonly DateOnly Yesterday = new(2026, 12, 4);

    /// <summary>90 complete days ending <see cref="Yesterday"/>, yesterday holding <paramref name="counters"/>, then today.</summary>
    private static List<DayCounters> Days(Dictionary<string, long> counters) =>
        [.. Enumerable.Range(0, 90).Select(i => new DayCounters { Day = Yesterday.AddDays(i - 89), Counters = i == 89 ? counters : new Dictionary<string, long>() }),
         new DayCounters { Day = Yesterday.AddDays(1) }];

    /// <summary>
    /// The points band's raised (stored and published) message names hoarding below the band and inflation above it,
    /// and asks for that one review. An in-band judgement's message is never stored (a resolved alert's message is
    /// its resolution, AlertResolvedMessageTests), so it is not asserted here.
    /// </summary>
    [Theory]
    [InlineData(1000, true, "points hoarding review: members keep their points")]
    [InlineData(2000, true, "points inflation review: members spend more than the band")]
    public void ThePointsBandMessageNamesHoardingBelowAndInflationAbove(long redeemed, bool breached, string says)
    {
        var counters = Days(new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = redeemed });

        var band = AlertPolicy.Observe("east", [], counters, new AlertOptions()).Single(o => o.Rule == AlertRules.PointsRedemptionBand);

        Assert.Equal(breached, band.Breached);
        Assert.Contains(says, band.Message, StringComparison.Ordinal);
        Assert.Equal(breached ? 1 : 0, band.Message.Split("review:").Length - 1);
    }

    [Fact]
    public void ComplaintsCouponsAndPointsNameTheirCountsDaysThresholdAndWhatToDo()
    {
        var counters = Days(new Dictionary<string, long>
        {
            [MetricNames.Dau] = 100, [MetricNames.Complaints] = 4,
            [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = 0,
            [MetricNames.CouponsIssued] = 40, [MetricNames.CouponsRedeemed] = 2,
        });

        var found = AlertPolicy.Observe("east", [], counters, new AlertOptions()).ToDictionary(o => o.Rule);

        Assert.Equal(
            "complaint rate 4% (4 complaints in 100 active member-days) over the 7 local days 2026-11-28–2026-12-04 (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent",
            found[AlertRules.ComplaintsHigh].Message);
        Assert.Equal(
            "coupon redemption 5% (2 of 40 coupons issued) over the 30 local days 2026-11-05–2026-12-04 (floor 15%): benefit audit: check that the offers reach members, are worth using and can be used in store before they expire",
            found[AlertRules.BenefitsRedemptionLow].Message);
        Assert.Equal(
            "points redemption 0% (0 of 5000 points issued were redeemed) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances",
            found[AlertRules.PointsRedemptionBand].Message);
        Assert.All(found.Values.Where(o => o.Breached), o => Assert.DoesNotContain("2026-12-05", o.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void TheActivityMessageNamesTheJudgedDays()
    {
        var series = Enumerable.Range(0, 15).Select(i => new HealthDay { Day = Yesterday.AddDays(i - 13), ActiveShare = 0.04 }).ToList();
        var observed = AlertPolicy.Activity("east", series.Take(14).ToList(), new AlertOptions { ActivityBaseline = 0.05 });

        Assert.True(observed.Breached);
        Assert.Equal(
            "activeShare 4% against baseline 5%; below it on each of the 14 local days 2026-11-21–2026-12-04: churn-warning analysis: find the segments, stores and channels that lost active members and start win-back",
            observed.Message);
    }
}
