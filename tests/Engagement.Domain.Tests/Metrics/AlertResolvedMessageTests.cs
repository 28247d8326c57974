using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A resolved alert's message says it was resolved: at which value, over which local days, back on which side of the
/// bound it crossed, and when it was raised at what value; the raised sentence is kept beside it
/// (<see cref="AlertRecord.RaisedMessage"/>). A resolved alert used to keep the text it was raised with, so the queue's
/// <c>resolved</c> message and <c>GET /alerts</c> still said "complaint rate 5% ... service-process review" after the
/// rate was back at 2.5% (CONTRACT.md §5).
/// </summary>
public class AlertResolvedMessageTests
{
    private static readonly DateOnly Yesterday = new(2026, 12, 4);

    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    private static List<DayCounters> Days(DateOnly last, Dictionary<string, long> counters) =>
        [.. Enumerable.Range(0, 90).Select(i => new DayCounters { Day = last.AddDays(i - 89), Counters = i == 89 ? counters : new Dictionary<string, long>() }),
         new DayCounters { Day = last.AddDays(1) }];

    private static List<DayCounters> Complaints(DateOnly last, long complaints) =>
        Days(last, new Dictionary<string, long> { [MetricNames.Dau] = 200, [MetricNames.Complaints] = complaints });

    [Fact]
    public void AResolvedAlertSaysWhatResolvedItAndKeepsTheRaisedSentence()
    {
        var raised = AlertBook.Apply(new AlertBookState(), AlertPolicy.Observe("east", [], Complaints(Yesterday, 10), new AlertOptions()), Now, 10);
        var raisedText = AlertBook.OpenOf(raised, AlertRules.ComplaintsHigh, "east")!.Message;

        var next = AlertBook.Apply(raised, AlertPolicy.Observe("east", [], Complaints(Yesterday.AddDays(1), 5), new AlertOptions()), Now.AddDays(1), 10);
        var resolved = next.History.Single(a => a.Rule == AlertRules.ComplaintsHigh);

        Assert.StartsWith("complaint rate 5% (10 complaints in 200 active member-days)", raisedText, StringComparison.Ordinal);
        Assert.Equal(
            "resolved: complaint rate 2.5% over the 7 local days 2026-11-29–2026-12-05, back at or below the ceiling 3%; raised 2026-12-05 02:00 UTC at 5%",
            resolved.Message);
        Assert.Equal(raisedText, resolved.RaisedMessage);
        Assert.Equal(resolved, next.Outbox[^1]);
        Assert.Null(AlertBook.OpenOf(raised, AlertRules.ComplaintsHigh, "east")!.RaisedMessage);
    }

    [Fact]
    public void APointsBandAlertResolvesBackWithinTheBandAndAnAnomalySaysResolved()
    {
        var low = Days(Yesterday, new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = 1000 });
        var within = Days(Yesterday.AddDays(1), new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = 1500 });
        var book = AlertBook.Apply(new AlertBookState(), AlertPolicy.Observe("east", [], low, new AlertOptions()), Now, 10);
        book = AlertBook.Raise(book, AlertRules.DataAnomaly, "backup", null, null, "backup of table members failed: 503", Now);

        book = AlertBook.Apply(book, AlertPolicy.Observe("east", [], within, new AlertOptions()), Now.AddDays(1), 10);
        book = AlertBook.Resolve(book, AlertRules.DataAnomaly, "backup", null, Now.AddDays(1), 10);

        var points = book.History.Single(a => a.Rule == AlertRules.PointsRedemptionBand);
        Assert.Equal(
            "resolved: points redemption 30% over the 90 local days 2026-09-07–2026-12-05, back within the band 28%–32%; raised 2026-12-05 02:00 UTC at 20%",
            points.Message);
        var anomaly = book.History.Single(a => a.Rule == AlertRules.DataAnomaly);
        Assert.Equal("resolved: backup of table members failed: 503", anomaly.Message);
        Assert.Equal("backup of table members failed: 503", anomaly.RaisedMessage);
    }

    /// <summary>
    /// A resolved alert names the bound of the judgement that resolved it, as its value and days are: it named the bound
    /// the alert was raised against, so after the complaint ceiling moved from 3% to 6% a rate resolving at 5% read "back
    /// at or below the ceiling 3%", and after the points band moved from 28–32% to 20–25% a hoarding episode resolving at
    /// 22% read "back at or above the floor 28%" (CONTRACT.md §5; docs/console.md: value, days and threshold are all its resolving
    /// judgement's).
    /// </summary>
    [Fact]
    public void AResolvedAlertNamesTheBoundOfTheJudgementThatResolvedItAfterTheOptionsMoved()
    {
        var low = Days(Yesterday, new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = 1000 });
        var raised = AlertBook.Apply(new AlertBookState(), AlertPolicy.Observe("east", [], Complaints(Yesterday, 10), new AlertOptions()), Now, 10);
        raised = AlertBook.Apply(raised, AlertPolicy.Observe("east", [], low, new AlertOptions()), Now, 10);
        var moved = new AlertOptions { ComplaintRateMax = 0.06, PointsBandLow = 0.20, PointsBandHigh = 0.25 };
        var within = Days(Yesterday.AddDays(1), new Dictionary<string, long> { [MetricNames.PointsIssued] = 5000, [MetricNames.PointsRedeemed] = 1100 });

        var next = AlertBook.Apply(raised, AlertPolicy.Observe("east", [], Complaints(Yesterday.AddDays(1), 10), moved), Now.AddDays(1), 10);
        next = AlertBook.Apply(next, AlertPolicy.Observe("east", [], within, moved), Now.AddDays(1), 10);

        Assert.Equal(
            "resolved: complaint rate 5% over the 7 local days 2026-11-29–2026-12-05, back at or below the ceiling 6%; raised 2026-12-05 02:00 UTC at 5%",
            next.History.Single(a => a.Rule == AlertRules.ComplaintsHigh).Message);
        var points = next.History.Single(a => a.Rule == AlertRules.PointsRedemptionBand);
        Assert.Equal(
            "resolved: points redemption 22% over the 90 local days 2026-09-07–2026-12-05, back within the band 20%–25%; raised 2026-12-05 02:00 UTC at 20%",
            points.Message);
        Assert.Equal((0.20, 0.25), (points.Window!.BandLow, points.Window.BandHigh));
    }

    /// <summary>
    /// A resolved activity alert's value is the measure of the last judged day, and says so: it read "activity 4.2% over
    /// the 14 local days …", as if 4.2% were the run's, while the rule reports the last day's measure and judges each day
    /// of the run against the baseline.
    /// </summary>
    [Fact]
    public void AResolvedActivityAlertGivesTheLastJudgedDaysMeasure()
    {
        AlertWindow? Run(DateOnly last) => AlertWindow.Of(Enumerable.Range(0, 14).Select(i => last.AddDays(i - 13)), 0.04);
        var book = AlertBook.Raise(new AlertBookState(), AlertRules.ActivityBelowBaseline, "east", 0.03, 0.04, "activeShare 3% against baseline 4%", Now, Run(Yesterday), AlertDirections.Below);

        book = AlertBook.Resolve(book, AlertRules.ActivityBelowBaseline, "east", 0.042, Now.AddDays(1), 10, window: Run(Yesterday.AddDays(1)));

        Assert.Equal(
            "resolved: activity 4.2% on 2026-12-05, no longer below the baseline 4% on each of the 14 local days 2026-11-22–2026-12-05; raised 2026-12-05 02:00 UTC at 3%",
            book.History.Single().Message);
    }

    /// <summary>
    /// An alert stored before directions were recorded (<see cref="AlertRecord.Direction"/> null) resolves on the side of
    /// its raised bound its raised value was on: only activity and coupon alerts counted as below, so an open points-band
    /// hoarding episode (20% against the floor 28%) resolving at 30% read "back at or below the ceiling 28%".
    /// </summary>
    [Theory]
    [InlineData(AlertRules.PointsRedemptionBand, 0.2, 0.28, 0.3, "resolved: points redemption 30%, back at or above the floor 28%; raised 2026-12-05 02:00 UTC at 20%")]
    [InlineData(AlertRules.PointsRedemptionBand, 0.4, 0.32, 0.3, "resolved: points redemption 30%, back at or below the ceiling 32%; raised 2026-12-05 02:00 UTC at 40%")]
    [InlineData(AlertRules.BenefitsRedemptionLow, 0.05, 0.15, 0.2, "resolved: coupon redemption 20%, back at or above the floor 15%; raised 2026-12-05 02:00 UTC at 5%")]
    [InlineData(AlertRules.ComplaintsHigh, 0.05, 0.03, 0.02, "resolved: complaint rate 2%, back at or below the ceiling 3%; raised 2026-12-05 02:00 UTC at 5%")]
    public void AnAlertStoredWithoutADirectionResolvesOnTheSideItWasRaisedOn(string rule, double raised, double bound, double resolving, string message)
    {
        var book = AlertBook.Raise(new AlertBookState(), rule, "east", raised, bound, "raised before directions were recorded", Now, direction: null);

        book = AlertBook.Resolve(book, rule, "east", resolving, Now.AddDays(1), 10);

        Assert.Equal(message, book.History.Single().Message);
    }
}
