using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

public class AlertTests
{
    private static readonly DateOnly Start = new(2026, 9, 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Today's unfinished day after the judged <see cref="Start"/>: no rule judges it.</summary>
    private static readonly DayCounters Unfinished = new() { Day = Start.AddDays(1) };

    private static List<HealthDay> Shares(params double[] shares) =>
        shares.Select((s, i) => new HealthDay { Day = Start.AddDays(i), ActiveShare = s }).ToList();

    [Fact]
    public void ActivityBelowAConfiguredBaselineRaisesOnTheFourteenthConsecutiveDayExactly()
    {
        var options = new AlertOptions { ActivityBaseline = 0.05 };
        var thirteen = Shares([.. Enumerable.Repeat(0.06, 5), .. Enumerable.Repeat(0.04, 13)]);
        var fourteen = Shares([.. Enumerable.Repeat(0.06, 5), .. Enumerable.Repeat(0.04, 14)]);

        Assert.False(AlertPolicy.Activity("east", thirteen, options).Breached);
        var raised = AlertPolicy.Activity("east", fourteen, options);
        Assert.True(raised.Breached);
        Assert.Equal(0.04, raised.Value);
        Assert.Equal(0.05, raised.Threshold);
    }

    [Fact]
    public void TodaysUnfinishedDayIsNotJudgedAgainstTheActivityBaseline()
    {
        // Just after midnight today's share is near 0: thirteen complete days below the baseline are not fourteen.
        var options = new AlertOptions { ActivityBaseline = 0.05 };
        var thirteenAndToday = Shares([.. Enumerable.Repeat(0.06, 5), .. Enumerable.Repeat(0.04, 13), 0.001]);
        var fourteenAndToday = Shares([.. Enumerable.Repeat(0.06, 5), .. Enumerable.Repeat(0.04, 14), 0.001]);

        var counters = new List<DayCounters>();
        Assert.False(AlertPolicy.Observe("east", thirteenAndToday, counters, options).Single(o => o.Rule == AlertRules.ActivityBelowBaseline).Breached);
        var raised = AlertPolicy.Observe("east", fourteenAndToday, counters, options).Single(o => o.Rule == AlertRules.ActivityBelowBaseline);
        Assert.True(raised.Breached);
        Assert.Equal(0.04, raised.Value);
    }

    [Fact]
    public void WithoutAConfiguredBaselineTheTrailingEightWeekMedianIsTheBaseline()
    {
        var options = new AlertOptions { ActivityBaseline = null };
        var history = Shares([.. Enumerable.Range(0, 56).Select(i => 0.10 + (i % 2 == 0 ? 0.01 : -0.01)), .. Enumerable.Repeat(0.05, 14)]);
        var observed = AlertPolicy.Activity("all", history, options);

        Assert.True(observed.Breached);
        // The 56 days before the judged 14: 28 × 0.09 and 28 × 0.11, median 0.10.
        Assert.Equal(0.10, observed.Threshold!.Value, 6);
        Assert.Null(AlertPolicy.Activity("all", Shares([.. Enumerable.Repeat(0.01, 14)]), options).Threshold);
        Assert.False(AlertPolicy.Activity("all", Shares([.. Enumerable.Repeat(0.01, 14)]), options).Breached);
    }

    [Fact]
    public void ASustainedDropStaysBreachedWhileTheMeasureStaysLow()
    {
        // Judging each day against the 56 days before that day took the drop's own days into the baseline: from about
        // the 28th low day on, the median was the low value and the episode resolved with nothing recovered.
        var options = new AlertOptions { ActivityBaseline = null };
        var history = Shares([.. Enumerable.Repeat(0.10, 56), .. Enumerable.Repeat(0.05, 30)]);

        var observed = AlertPolicy.Activity("all", history, options);

        Assert.True(observed.Breached);
        Assert.Equal(0.10, observed.Threshold!.Value, 6);
        Assert.Equal(0.05, observed.Value);
    }

    [Fact]
    public void AnOpenActivityEpisodeResolvesOnlyWhenTheMeasureReturnsToTheBaselineItWasRaisedOn()
    {
        // The 56 days before the judged 14 move on daily: after 60 days at half the usual share, 46 of them are low, the
        // median is 0.05 and 0.05 is not below it, so the episode resolved with nothing recovered.
        var options = new AlertOptions { ActivityBaseline = null };
        IReadOnlyList<AlertObservation> Observe(AlertBookState book, params double[] shares) =>
            AlertPolicy.Observe("east", Shares([.. shares, 0.0]), [], options, book).Where(o => o.Rule == AlertRules.ActivityBelowBaseline).ToList();
        double[] usual = [.. Enumerable.Repeat(0.10, 56)];

        var raised = AlertBook.Apply(new AlertBookState(), Observe(new AlertBookState(), [.. usual, .. Enumerable.Repeat(0.05, 14)]), Now, 100);
        var key = AlertBook.OpenOf(raised, AlertRules.ActivityBelowBaseline, "east");
        var low = Observe(raised, [.. usual, .. Enumerable.Repeat(0.05, 60)]).Single();
        var stillOpen = AlertBook.Apply(raised, [low], Now.AddDays(46), 100);
        var back = Observe(stillOpen, [.. usual, .. Enumerable.Repeat(0.05, 60), .. Enumerable.Repeat(0.10, 14)]).Single();
        var resolved = AlertBook.Apply(stillOpen, [back], Now.AddDays(60), 100);

        Assert.Equal(0.10, key!.Threshold!.Value, 6);
        Assert.True(low.Breached);
        Assert.Equal(0.10, low.Threshold!.Value, 6);
        Assert.Single(stillOpen.Open.Values, a => a.AlertId == key.AlertId);
        Assert.False(back.Breached);
        Assert.Empty(resolved.Open);
        Assert.Equal((key.AlertId, AlertStates.Resolved), (resolved.History[0].AlertId, resolved.History[0].State));
    }

    [Fact]
    public void ComplaintsPointsAndCouponsJudgeTheirWindowsWithEnoughData()
    {
        var options = new AlertOptions();
        var day = new DayCounters
        {
            Day = Start,
            Counters = new Dictionary<string, long>
            {
                [MetricNames.Dau] = 100, [MetricNames.Complaints] = 4,
                [MetricNames.PointsIssued] = 1000, [MetricNames.PointsRedeemed] = 250,
                [MetricNames.CouponsIssued] = 20, [MetricNames.CouponsRedeemed] = 3,
            },
        };

        var found = AlertPolicy.Observe("east", [new HealthDay()], [day, Unfinished], options).ToDictionary(o => o.Rule);

        Assert.True(found[AlertRules.ComplaintsHigh].Breached);
        Assert.Equal(0.04, found[AlertRules.ComplaintsHigh].Value);
        Assert.True(found[AlertRules.PointsRedemptionBand].Breached);
        Assert.Equal(0.28, found[AlertRules.PointsRedemptionBand].Threshold);
        Assert.False(found[AlertRules.BenefitsRedemptionLow].Breached);
        Assert.Equal(0.15, found[AlertRules.BenefitsRedemptionLow].Value);
        var quiet = AlertPolicy.Observe("east", [new HealthDay()], [day with { Counters = new Dictionary<string, long> { [MetricNames.Dau] = 99, [MetricNames.Complaints] = 50 } }, Unfinished], options);
        Assert.DoesNotContain(quiet, o => o.Breached);
    }

    [Fact]
    public void ThresholdsAreJudgedOnTheExactRateNotOnItsRoundedValue()
    {
        var options = new AlertOptions();
        var day = new DayCounters
        {
            Day = Start,
            Counters = new Dictionary<string, long>
            {
                // 3.001% complaints, 27.996% of points redeemed, 14.996% of coupons redeemed: each shows rounded to the
                // threshold (0.03, 0.28, 0.15) but lies past it.
                [MetricNames.Dau] = 100_000, [MetricNames.Complaints] = 3_001,
                [MetricNames.PointsIssued] = 100_000, [MetricNames.PointsRedeemed] = 27_996,
                [MetricNames.CouponsIssued] = 100_000, [MetricNames.CouponsRedeemed] = 14_996,
            },
        };

        var found = AlertPolicy.Observe("east", [new HealthDay()], [day, Unfinished], options).ToDictionary(o => o.Rule);

        Assert.True(found[AlertRules.ComplaintsHigh].Breached);
        Assert.Equal(0.03, found[AlertRules.ComplaintsHigh].Value);
        Assert.True(found[AlertRules.PointsRedemptionBand].Breached);
        Assert.Equal(0.28, found[AlertRules.PointsRedemptionBand].Threshold);
        Assert.True(found[AlertRules.BenefitsRedemptionLow].Breached);
        // Exactly on a threshold is inside it.
        var onThresholds = day with
        {
            Counters = new Dictionary<string, long>
            {
                [MetricNames.Dau] = 100_000, [MetricNames.Complaints] = 3_000,
                [MetricNames.PointsIssued] = 100_000, [MetricNames.PointsRedeemed] = 28_000,
                [MetricNames.CouponsIssued] = 100_000, [MetricNames.CouponsRedeemed] = 15_000,
            },
        };
        Assert.DoesNotContain(AlertPolicy.Observe("east", [new HealthDay()], [onThresholds, Unfinished], options), o => o.Breached);
    }

    [Fact]
    public void AnEpisodeIsRaisedOnceResolvedOnRecoveryAndTheNextOneHasANewId()
    {
        var breached = new AlertObservation { Rule = AlertRules.ComplaintsHigh, RegionId = "east", Breached = true, Value = 0.05, Threshold = 0.03 };
        var recovered = breached with { Breached = false, Value = 0.01 };

        var s1 = AlertBook.Apply(new AlertBookState(), [breached], Now, 10);
        var s2 = AlertBook.Apply(s1, [breached], Now.AddHours(1), 10);
        var s3 = AlertBook.Apply(s2, [recovered], Now.AddHours(2), 10);
        var s4 = AlertBook.Apply(s3, [recovered, breached], Now.AddHours(3), 10);

        Assert.Equal(["complaints.high:east:1:open"], s2.Outbox.Select(r => r.MessageId));
        Assert.Equal(["complaints.high:east:1:open", "complaints.high:east:1:resolved", "complaints.high:east:2:open"], s4.Outbox.Select(r => r.MessageId));
        Assert.Equal(Now.AddHours(2), s4.History.Single().ResolvedAt);
        Assert.Equal(0.01, s4.History.Single().Value);
        Assert.Equal(Now.AddHours(3), s4.Open.Values.Single().RaisedAt);
        var published = AlertBook.Published(s4, ["complaints.high:east:1:open", "complaints.high:east:1:resolved"]);
        Assert.Equal(["complaints.high:east:2:open"], published.Outbox.Select(r => r.MessageId));
    }

    [Fact]
    public void TooLittleDataLeavesAnOpenEpisodeOpenSoItDoesNotFlap()
    {
        // Coupon redemption 10% of 20 issued breaches; the next hour a refund takes issued below the minimum (no value).
        var options = new AlertOptions();
        DayCounters Coupons(long issued, long redeemed) => new()
        {
            Day = Start,
            Counters = new Dictionary<string, long> { [MetricNames.CouponsIssued] = issued, [MetricNames.CouponsRedeemed] = redeemed },
        };
        IEnumerable<AlertObservation> Observe(DayCounters day) =>
            AlertPolicy.Observe("east", [new HealthDay()], [day, Unfinished], options).Where(o => o.Rule == AlertRules.BenefitsRedemptionLow);

        var s1 = AlertBook.Apply(new AlertBookState(), Observe(Coupons(20, 2)), Now, 10);
        var undecided = Observe(Coupons(options.CouponMinIssued - 1, 1)).Single();
        var s2 = AlertBook.Apply(s1, [undecided], Now.AddHours(1), 10);
        var s3 = AlertBook.Apply(s2, Observe(Coupons(20, 2)), Now.AddHours(2), 10);
        var s4 = AlertBook.Apply(s3, Observe(Coupons(20, 5)), Now.AddHours(3), 10);

        Assert.Null(undecided.Value);
        Assert.Single(s2.Open);
        Assert.Equal(["benefits.redemption-low:east:1:open"], s3.Outbox.Select(r => r.MessageId));
        Assert.Equal(["benefits.redemption-low:east:1:open", "benefits.redemption-low:east:1:resolved"], s4.Outbox.Select(r => r.MessageId));
    }

    [Fact]
    public void ActivityWithoutABaselineHasNoValueAndLeavesItsEpisodeAsItIs()
    {
        var options = new AlertOptions { ActivityBaseline = null };
        var open = AlertBook.Raise(new AlertBookState(), AlertRules.ActivityBelowBaseline, "all", 0.04, 0.05, "low", Now);

        var observed = AlertPolicy.Activity("all", Shares([.. Enumerable.Repeat(0.01, 14)]), options);
        var after = AlertBook.Apply(open, [observed], Now.AddHours(1), 10);

        Assert.False(observed.Breached);
        Assert.Null(observed.Value);
        Assert.Single(after.Open);
    }

    [Fact]
    public void HistoryKeepsTheNewestResolvedEpisodesUpToItsLimit()
    {
        var state = new AlertBookState();
        for (var i = 0; i < 5; i++)
        {
            state = AlertBook.Raise(state, AlertRules.DataAnomaly, "backup", null, null, "backup failed", Now.AddHours(i));
            state = AlertBook.Resolve(state, AlertRules.DataAnomaly, "backup", null, Now.AddHours(i).AddMinutes(30), 3);
        }

        Assert.Equal(["data.anomaly:backup:5", "data.anomaly:backup:4", "data.anomaly:backup:3"], state.History.Select(r => r.AlertId));
        Assert.Empty(state.Open);
    }
}
