using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// An alert records, when raised, the side of its threshold the value was on (<see cref="AlertRecord.Direction"/>) beside
/// the bound it crossed (<see cref="AlertRecord.Threshold"/>), and keeps both when it resolves: the console used to infer
/// the side from the thresholds in force when it showed the alert, so moving the points band flipped an old hoarding
/// alert into an inflation one (CONTRACT.md §5).
/// </summary>
public class AlertDirectionTests
{
    private static readonly DateOnly Yesterday = new(2026, 12, 4);

    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    /// <summary>90 complete days ending <see cref="Yesterday"/>, yesterday holding <paramref name="counters"/>, then today.</summary>
    private static List<DayCounters> Days(Dictionary<string, long> counters) =>
        [.. Enumerable.Range(0, 90).Select(i => new DayCounters { Day = Yesterday.AddDays(i - 89), Counters = i == 89 ? counters : new Dictionary<string, long>() }),
         new DayCounters { Day = Yesterday.AddDays(1) }];

    private static List<DayCounters> Points(long redeemed) =>
        Days(new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = redeemed });

    [Theory]
    [InlineData(1000, AlertDirections.Below, 0.28)] // 20%: under the band's low end
    [InlineData(2000, AlertDirections.Above, 0.32)] // 40%: over its high end
    public void ThePointsBandAlertRecordsTheSideAndTheBoundItCrossedAndKeepsThemWhenResolved(long redeemed, string direction, double bound)
    {
        var raised = AlertBook.Apply(new AlertBookState(), AlertPolicy.Observe("east", [], Points(redeemed), new AlertOptions()), Now, 10);
        var open = AlertBook.OpenOf(raised, AlertRules.PointsRedemptionBand, "east")!;

        // Back within the band (30%): the resolved record keeps the side and the bound it was raised with.
        var back = AlertBook.Apply(raised, AlertPolicy.Observe("east", [], Points(1500), new AlertOptions()), Now.AddDays(1), 10);
        var resolved = back.History.Single(a => a.Rule == AlertRules.PointsRedemptionBand);

        Assert.Equal(direction, open.Direction);
        Assert.Equal(bound, open.Threshold);
        Assert.Equal(direction, raised.Outbox.Single(a => a.Rule == AlertRules.PointsRedemptionBand).Direction);
        Assert.Equal(AlertStates.Resolved, resolved.State);
        Assert.Equal(direction, resolved.Direction);
        Assert.Equal(bound, resolved.Threshold);
    }

    [Fact]
    public void EveryMetricRuleRecordsItsSideAndAnAnomalyNone()
    {
        var counters = Days(new Dictionary<string, long>
        {
            [MetricNames.Dau] = 100, [MetricNames.Complaints] = 4,
            [MetricNames.CouponsIssued] = 40, [MetricNames.CouponsRedeemed] = 2,
        });
        var series = Enumerable.Range(0, 15).Select(i => new HealthDay { Day = Yesterday.AddDays(i - 13), ActiveShare = 0.04 }).ToList();
        var observed = AlertPolicy.Observe("east", series, counters, new AlertOptions { ActivityBaseline = 0.05 });

        var book = AlertBook.Apply(new AlertBookState(), observed, Now, 10);
        book = AlertBook.Raise(book, AlertRules.DataAnomaly, "backup", null, null, "backup failed", Now);

        Assert.Equal(AlertDirections.Below, AlertBook.OpenOf(book, AlertRules.ActivityBelowBaseline, "east")!.Direction);
        Assert.Equal(AlertDirections.Below, AlertBook.OpenOf(book, AlertRules.BenefitsRedemptionLow, "east")!.Direction);
        Assert.Equal(AlertDirections.Above, AlertBook.OpenOf(book, AlertRules.ComplaintsHigh, "east")!.Direction);
        Assert.Null(AlertBook.OpenOf(book, AlertRules.DataAnomaly, "backup")!.Direction);
        Assert.Equal(AlertDirections.Above, AlertPolicy.PointsLiability(AlertRules.AllRegions, counters, 0, new AlertOptions()).Direction);
    }
}
