using System.Text.Json;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The judged window is recorded on the alert (<see cref="AlertRecord.Window"/>): the console used to work an alert's
/// days out from the options in force when it was shown, so after an operator changed a window old alerts listed days
/// their rule never judged.
/// </summary>
public sealed class AlertWindowTests
{
    private static readonly DateOnly First = new(2026, 11, 21);
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Ten complete days from <see cref="First"/> and today's unfinished one, each with 100 active and 4 complaints.</summary>
    private static List<DayCounters> Days() =>
        [.. Enumerable.Range(0, 11).Select(i => new DayCounters
        {
            Day = First.AddDays(i),
            Counters = new Dictionary<string, long> { [MetricNames.Dau] = 100, [MetricNames.Complaints] = 4 },
        })];

    [Fact]
    public void EachRuleRecordsTheDaysItJudgedAndTheThresholdItJudgedThemAgainst()
    {
        var options = new AlertOptions { ComplaintWindowDays = 7, CouponWindowDays = 30, ActivityBaseline = 0.5 };
        var series = Enumerable.Range(0, 15).Select(i => new HealthDay { Day = First.AddDays(i - 4), ActiveShare = 0.1 }).ToList();
        var found = AlertPolicy.Observe("east", series, Days(), options).ToDictionary(o => o.Rule);

        // Complete days only (the last, today, is not judged): the 7 ending 2026-11-30.
        Assert.Equal(new AlertWindow { From = new(2026, 11, 24), To = new(2026, 11, 30), Days = 7, Threshold = 0.03 }, found[AlertRules.ComplaintsHigh].Window);
        // Fewer complete days than the coupon window: the days there were, not the 30 configured.
        Assert.Equal(new AlertWindow { From = First, To = new(2026, 11, 30), Days = 10, Threshold = 0.15 }, found[AlertRules.BenefitsRedemptionLow].Window);
        // The activity run: the 14 complete days before today, against its baseline.
        Assert.Equal(new AlertWindow { From = new(2026, 11, 17), To = new(2026, 11, 30), Days = 14, Threshold = 0.5 }, found[AlertRules.ActivityBelowBaseline].Window);
    }

    [Fact]
    public void TheLiabilityRuleRecordsItsJudgedDaysAndItsBaselineDays()
    {
        var options = new AlertOptions { PointsLiabilityDays = 2, PointsLiabilityBaselineDays = 7, PointsLiabilityMinOutstanding = 1 };
        var observed = AlertPolicy.PointsLiability(AlertRules.AllRegions, Days(), 5_000, options);

        Assert.Equal(
            new AlertWindow { From = new(2026, 11, 29), To = new(2026, 11, 30), Days = 2, Threshold = 0.15, BaselineFrom = new(2026, 11, 22), BaselineTo = new(2026, 11, 28) },
            observed.Window);
    }

    [Fact]
    public void TheRaisedWindowStaysWhenTheOptionsChangeAndTheResolvingJudgementReplacesItWithItsValue()
    {
        var seven = AlertPolicy.Observe("east", [], Days(), new AlertOptions { ComplaintWindowDays = 7 }).Single(o => o.Rule == AlertRules.ComplaintsHigh);
        var raised = AlertBook.Apply(new AlertBookState(), [seven], Now, 10);

        // The operator sets the window to 3 days, still breached: the open episode keeps the days it was raised on.
        var three = AlertPolicy.Observe("east", [], Days(), new AlertOptions { ComplaintWindowDays = 3 }).Single(o => o.Rule == AlertRules.ComplaintsHigh);
        var again = AlertBook.Apply(raised, [three], Now.AddHours(1), 10);
        Assert.Equal(seven.Window, AlertBook.OpenOf(again, AlertRules.ComplaintsHigh, "east")!.Window);
        Assert.Equal(7, AlertBook.OpenOf(again, AlertRules.ComplaintsHigh, "east")!.Window!.Days);

        // Resolved on 3 days: the value and its days are that judgement's.
        var recovered = three with { Breached = false, Value = 0.02 };
        var resolved = AlertBook.Apply(again, [recovered], Now.AddHours(2), 10).History.Single();
        Assert.Equal(0.02, resolved.Value);
        Assert.Equal(3, resolved.Window!.Days);

        // Resolved without a value (the rule turned off): the raised value and days stay together.
        var off = AlertBook.Apply(raised, [], Now.AddHours(2), 10, [AlertRules.ComplaintsHigh]).History.Single();
        Assert.Equal(seven.Window, off.Window);
    }

    /// <summary>
    /// A low points-redemption alert is raised against the band's low end and resolved by a judgement against its high
    /// end: the resolved record carries the resolving value and days, and the window holds that judgement's threshold
    /// (the high end) while <see cref="AlertRecord.Threshold"/> stays the raised low end. The console showed the raised
    /// threshold beside the resolving days; it now renders the window's, so value, days and threshold are one judgement's.
    /// </summary>
    [Fact]
    public void AResolvedLowPointsAlertsWindowHoldsTheResolvingJudgementsThreshold()
    {
        var options = new AlertOptions { PointsBandLow = 0.28, PointsBandHigh = 0.32, PointsMinIssued = 1 };
        List<DayCounters> Redeeming(long redeemed) =>
            [.. Enumerable.Range(0, 11).Select(i => new DayCounters
            {
                Day = First.AddDays(i),
                Counters = new Dictionary<string, long> { [MetricNames.PointsIssued] = 100, [MetricNames.PointsRedeemed] = redeemed },
            })];

        var low = AlertPolicy.Observe("east", [], Redeeming(20), options).Single(o => o.Rule == AlertRules.PointsRedemptionBand);
        var raised = AlertBook.Apply(new AlertBookState(), [low], Now, 10);
        Assert.Equal(0.28, AlertBook.OpenOf(raised, AlertRules.PointsRedemptionBand, "east")!.Window!.Threshold);

        var inBand = AlertPolicy.Observe("east", [], Redeeming(30), options).Single(o => o.Rule == AlertRules.PointsRedemptionBand);
        Assert.False(inBand.Breached);
        var resolved = AlertBook.Apply(raised, [inBand], Now.AddHours(1), 10).History.Single();

        Assert.Equal(0.3, resolved.Value);
        Assert.Equal(inBand.Window, resolved.Window);
        Assert.Equal(0.32, resolved.Window!.Threshold);
        Assert.Equal(0.28, resolved.Threshold);
    }

    [Fact]
    public void ARecordStoredBeforeWindowsWereRecordedReadsWithoutOneAndANewOneRoundTrips()
    {
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        const string old = """{"alertId":"complaints.high:east:1","rule":"complaints.high","regionId":"east","state":"open","value":0.04,"threshold":0.03,"raisedAt":"2026-12-05T02:00:00+00:00","message":"m"}""";
        Assert.Null(JsonSerializer.Deserialize<AlertRecord>(old, web)!.Window);

        var window = new AlertWindow { From = new(2026, 11, 24), To = new(2026, 11, 30), Days = 7, Threshold = 0.03 };
        var record = JsonSerializer.Deserialize<AlertRecord>(old, web)! with { Window = window };
        Assert.Equal(window, JsonSerializer.Deserialize<AlertRecord>(JsonSerializer.Serialize(record, web), web)!.Window);
    }
}
