using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// nextDayRetention and repurchase7d of a cohort day D wait for D + 1 (D + 7) to be a complete local day: counted
/// earlier, a range ending today read today's registrations as 0 of n retained (CONTRACT.md §5).
/// </summary>
public class UnfinishedCohortTests
{
    /// <summary>The region's local day of now.</summary>
    private static readonly DateOnly Today = new(2026, 11, 30);

    private static DayCounters C(DateOnly day, params (string Name, long Value)[] counters) =>
        new() { Day = day, Counters = counters.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal) };

    [Fact]
    public void ARangeEndingTodayJudgesRetentionOnTheCohortsWhoseNextDayIsOver()
    {
        // 10 joined two days ago and all were active yesterday; 10 joined yesterday (4 already back today, the day is
        // not over); 10 joined today (tomorrow has not begun).
        var days = new[]
        {
            C(Today.AddDays(-2), (MetricNames.NewMembers, 10), (MetricNames.RetainedNextDay, 10)),
            C(Today.AddDays(-1), (MetricNames.NewMembers, 10), (MetricNames.RetainedNextDay, 4), (MetricNames.Dau, 10)),
            C(Today, (MetricNames.NewMembers, 10), (MetricNames.Dau, 14)),
        };

        var series = HealthMetrics.Series(days, membersNow: 30, joinedAfterLast: 0, Today, null);
        var summary = HealthMetrics.Summary(days, series, Today, DateOnly.MinValue);

        Assert.Equal([1.0, null, null], series.Select(d => d.NextDayRetention));
        Assert.Equal(1.0, summary.NextDayRetention);
        Assert.Equal(30, summary.NewMembers); // the cohorts still count as members who joined
        // A range of unfinished cohorts only has no retention yet, rather than 0.
        Assert.Null(HealthMetrics.Summary(days[2..], series.Skip(2).ToList(), Today, DateOnly.MinValue).NextDayRetention);
    }

    [Fact]
    public void RepurchaseWithinSevenDaysIsReportedOnceTheSeventhDayIsOver()
    {
        // First purchases 8 days ago (its 7 days ended yesterday): 2 of 4 bought again. 7 days ago (the 7th day is today)
        // and 3 days ago: repeats so far, not final.
        var days = Enumerable.Range(0, 9).Select(i => C(Today.AddDays(i - 8))).ToArray();
        days[0] = C(Today.AddDays(-8), (MetricNames.FirstPurchasers, 4), (MetricNames.Repurchased7d, 2));
        days[1] = C(Today.AddDays(-7), (MetricNames.FirstPurchasers, 4));
        days[5] = C(Today.AddDays(-3), (MetricNames.FirstPurchasers, 4), (MetricNames.Repurchased7d, 1));

        var series = HealthMetrics.Series(days, membersNow: 12, joinedAfterLast: 0, Today, null);
        var summary = HealthMetrics.Summary(days, series, Today, DateOnly.MinValue);

        Assert.Equal(0.5, series[0].Repurchase7d);
        Assert.Null(series[1].Repurchase7d);
        Assert.Null(series[5].Repurchase7d);
        Assert.Equal(0.5, summary.Repurchase7d);
        // The next day the cohort of 7 days ago is final and joins the summary: 2 of 8.
        var tomorrow = Today.AddDays(1);
        Assert.Equal(0.0, HealthMetrics.Of(days[1], 12, tomorrow).Repurchase7d);
        Assert.Equal(0.25, HealthMetrics.Summary(days, HealthMetrics.Series(days, 12, 0, tomorrow, null), tomorrow, DateOnly.MinValue).Repurchase7d);
    }
}
