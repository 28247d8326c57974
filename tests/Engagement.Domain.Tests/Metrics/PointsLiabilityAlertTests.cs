using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// points.liability-jump (<see cref="AlertPolicy.PointsLiability"/>): outstanding points at the end of yesterday against
/// the median end-of-day outstanding of the 28 days before the 7 judged days, worked back from the live gauge.
/// </summary>
public class PointsLiabilityAlertTests
{
    private static readonly DateOnly First = new(2026, 10, 1);

    /// <summary>The default options but a minimum baseline of 10,000 points, so figures of 100,000 are judged.</summary>
    private static AlertOptions Small() => new() { PointsLiabilityMinOutstanding = 10_000 };

    /// <summary>
    /// 36 days (28 baseline, 7 judged, today) with the baseline days flat at <paramref name="baseline"/> points, all of
    /// the rise issued on the first judged day, and today issuing <paramref name="today"/> more; returns the counters and
    /// the live gauge that follows from them.
    /// </summary>
    private static (List<DayCounters> Counters, long Now) Series(long baseline, long rise, long today = 0)
    {
        var counters = Enumerable.Range(0, 36).Select(i => new DayCounters
        {
            Day = First.AddDays(i),
            Counters = new Dictionary<string, long>
            {
                [MetricNames.PointsIssued] = i == 28 ? rise : i == 35 ? today : 0,
            },
        }).ToList();
        return (counters, baseline + rise + today);
    }

    [Fact]
    public void ARiseOfExactlyTheCeilingDoesNotFireAndOnePointMoreDoes()
    {
        var options = Small();
        var (atCeiling, now) = Series(100_000, 15_000);
        var at = AlertPolicy.PointsLiability("east", atCeiling, now, options);
        Assert.False(at.Breached);
        Assert.Equal(0.15, at.Value);
        Assert.Equal(0.15, at.Threshold);

        var (above, nowAbove) = Series(100_000, 15_001);
        var fired = AlertPolicy.PointsLiability("east", above, nowAbove, options);
        Assert.True(fired.Breached);
        Assert.Equal(AlertRules.PointsLiabilityJump, fired.Rule);
        Assert.Equal(0.15, fired.Value); // 15.001% shows rounded to 4 decimals, and is judged unrounded
        Assert.Contains("115001 at the end of 2026-11-04", fired.Message, StringComparison.Ordinal);
        Assert.Contains("median 100000 of 2026-10-01–2026-10-28", fired.Message, StringComparison.Ordinal);
        Assert.Contains("the 7 days 2026-10-29–2026-11-04", fired.Message, StringComparison.Ordinal);
        Assert.Contains("check earn rules", fired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TodaysPointsAreWorkedBackNotJudged()
    {
        // Today issues 50,000 points, half the baseline: the gauge holds them, the judged end of yesterday does not.
        var (counters, now) = Series(100_000, 5_000, today: 50_000);
        var observed = AlertPolicy.PointsLiability("all", counters, now, Small());
        Assert.False(observed.Breached);
        Assert.Equal(0.05, observed.Value);
    }

    [Fact]
    public void EveryLedgerMovementIsWorkedBack()
    {
        // Yesterday: 21,000 issued, 3,000 redeemed, 1,000 expired, 500 reversed, −500 adjusted: net +16,000 on 100,000.
        var (counters, _) = Series(100_000, 0);
        counters[34] = counters[34] with
        {
            Counters = new Dictionary<string, long>
            {
                [MetricNames.PointsIssued] = 21_000,
                [MetricNames.PointsRedeemed] = 3_000,
                [MetricNames.PointsExpired] = 1_000,
                [MetricNames.PointsReversed] = 500,
                [MetricNames.PointsAdjusted] = -500,
            },
        };
        var observed = AlertPolicy.PointsLiability("east", counters, 116_000, Small());
        Assert.True(observed.Breached);
        Assert.Equal(0.16, observed.Value);
    }

    [Fact]
    public void TheBaselineIsTheMedianOfItsDaysExactlyInDecimal()
    {
        // Baseline days alternate 99,999 and 100,000 points (median 99,999.5): 114,999 is 14.9995% above it, under 15%;
        // 115,000 is 15.0005%, above.
        static List<DayCounters> Alternating(long risen)
        {
            return Enumerable.Range(0, 36).Select(i => new DayCounters
            {
                Day = First.AddDays(i),
                Counters = new Dictionary<string, long>
                {
                    // End of day i (i < 28) is 99,999 on even days and 100,000 on odd ones: day i's net moves day i−1's end.
                    [MetricNames.PointsIssued] = i is > 0 and < 28 ? (i % 2 == 1 ? 1 : 0) : i == 28 ? risen - 100_000 : 0,
                    [MetricNames.PointsRedeemed] = i is > 0 and < 28 && i % 2 == 0 ? 1 : 0,
                },
            }).ToList();
        }

        var options = Small();
        // Day 27 ends at 100,000; day 28 issues the rest of the rise from there.
        Assert.False(AlertPolicy.PointsLiability("east", Alternating(114_999), 114_999, options).Breached);
        Assert.True(AlertPolicy.PointsLiability("east", Alternating(115_000), 115_000, options).Breached);
    }

    [Fact]
    public void TooFewDaysNoGaugeOrASmallBaselineAreNotJudged()
    {
        var options = new AlertOptions();
        var (counters, now) = Series(100_000, 50_000);
        Assert.Null(AlertPolicy.PointsLiability("east", counters.Skip(1).ToList(), now, options).Value);
        Assert.Null(AlertPolicy.PointsLiability("east", counters, null, options).Value);

        // The default minimum baseline is 1,000,000 points: at 10,000 one big purchase's points (1,501) fired it.
        Assert.Equal(1_000_000, options.PointsLiabilityMinOutstanding);
        var (small, smallNow) = Series(999_999, 999_999);
        var unjudged = AlertPolicy.PointsLiability("all", small, smallNow, options);
        Assert.False(unjudged.Breached);
        Assert.Null(unjudged.Value);
        Assert.Contains("below the 1000000 needed", unjudged.Message, StringComparison.Ordinal);
        var (purchase, purchaseNow) = Series(10_000, 1_501);
        Assert.Null(AlertPolicy.PointsLiability("all", purchase, purchaseNow, options).Value);
        var (enough, enoughNow) = Series(1_000_000, 150_001);
        Assert.True(AlertPolicy.PointsLiability("all", enough, enoughNow, options).Breached);
    }

    [Fact]
    public void AMemberMovingRegionRaisesNoRegionalAlertAndTheProgrammeFigureIsRight()
    {
        // The reviewer's case. East holds 60,000 + 50,000 points through the baseline; 3 days ago the 60,000-point member's
        // events start coming from west (the whole balance moves gauge, and no day counter records it); 2 days ago the
        // other earns 8,000. East really fell 110,000 → 58,000, but worked back from its own counters it read 50,000 → 58,000,
        // +16% "against the median 50000", and fired. A region is not judged on this rule; the programme is, correctly.
        List<DayCounters> Earned8000() => [.. Enumerable.Range(0, 36).Select(i => new DayCounters
        {
            Day = First.AddDays(i),
            Counters = new Dictionary<string, long> { [MetricNames.PointsIssued] = i == 33 ? 8_000 : 0 },
        })];

        var east = AlertPolicy.Observe("east", [], Earned8000(), Small(), null, 58_000);
        Assert.DoesNotContain(east, o => o.Rule == AlertRules.PointsLiabilityJump);

        var all = AlertPolicy.Observe(AlertRules.AllRegions, [], Earned8000(), Small(), null, 118_000).Single(o => o.Rule == AlertRules.PointsLiabilityJump);
        Assert.False(all.Breached);
        Assert.Equal(0.0727, all.Value); // 118,000 on 110,000
        Assert.Contains("points outstanding 118000 at the end of 2026-11-04, +7.27% against the median 110000 of 2026-10-01–2026-10-28", all.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObserveJudgesTheLiabilityWithTheGaugeAndItCanBeTurnedOff()
    {
        var (counters, now) = Series(100_000, 20_000);
        var found = AlertPolicy.Observe(AlertRules.AllRegions, [], counters, Small(), null, now).Single(o => o.Rule == AlertRules.PointsLiabilityJump);
        Assert.True(found.Breached);
        Assert.DoesNotContain(
            AlertPolicy.Observe(AlertRules.AllRegions, [], counters, new AlertOptions { PointsLiabilityMinOutstanding = 10_000, Disabled = [AlertRules.PointsLiabilityJump] }, null, now),
            o => o.Rule == AlertRules.PointsLiabilityJump);
    }

    [Theory]
    [InlineData(0, 7, 28)]
    [InlineData(0.1, 0, 28)]
    [InlineData(0.1, 7, 6)]
    public void InvalidLiabilitySettingsAreRefused(double rise, int days, int baselineDays)
    {
        var options = new AlertOptions { PointsLiabilityRiseMax = (decimal)rise, PointsLiabilityDays = days, PointsLiabilityBaselineDays = baselineDays };
        Assert.Contains(options.Validate(), e => e.Contains("PointsLiabilityRiseMax", StringComparison.Ordinal));
    }
}
