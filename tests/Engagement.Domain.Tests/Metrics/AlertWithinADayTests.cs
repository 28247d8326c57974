using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The coupon, complaint and points rules judge complete local days only: judged on windows ending with today's
/// unfinished day, re-evaluated hourly, a rate near its threshold opened and resolved episodes within one day
/// (CONTRACT.md §5: raised once per episode, resolved when the metric returns).
/// </summary>
public class AlertWithinADayTests
{
    private static readonly DateOnly Today = new(2026, 11, 30);

    /// <summary>Local midnight of <see cref="Today"/> in Asia/Shanghai, UTC.</summary>
    private static readonly DateTimeOffset Midnight = new(2026, 11, 29, 16, 0, 0, TimeSpan.Zero);

    private static DayCounters C(DateOnly day, string numerator, long n, string denominator, long d) =>
        new() { Day = day, Counters = new Dictionary<string, long> { [numerator] = n, [denominator] = d } };

    [Theory]
    // Complaints: 2.9% on each of 7 complete days; this morning 100 complaints in 200 active, this evening 5,000 active.
    [InlineData(AlertRules.ComplaintsHigh, MetricNames.Complaints, MetricNames.Dau, 7, 29, 1000, 100, 200, 100, 5000)]
    // Coupons: 20% redeemed on each of 30 complete days; 10,000 issued this morning, all redeemed by the evening.
    [InlineData(AlertRules.BenefitsRedemptionLow, MetricNames.CouponsRedeemed, MetricNames.CouponsIssued, 30, 200, 1000, 0, 10_000, 10_000, 10_000)]
    // Points: 30% redeemed on each of 90 complete days; 5,000 redeemed this morning, 16,000 issued by the evening.
    [InlineData(AlertRules.PointsRedemptionBand, MetricNames.PointsRedeemed, MetricNames.PointsIssued, 90, 300, 1000, 5000, 0, 5000, 16_000)]
    public void ADayAboveTheThresholdInTheMorningAndBelowItInTheEveningDoesNotOpenAndResolveAnEpisode(
        string rule, string numerator, string denominator, int windowDays, long dayN, long dayD, long morningN, long morningD, long eveningN, long eveningD)
    {
        var options = new AlertOptions();
        var complete = Enumerable.Range(0, windowDays).Select(i => C(Today.AddDays(i - windowDays), numerator, dayN, denominator, dayD)).ToList();
        var book = new AlertBookState();
        var observed = new List<AlertObservation>();
        for (var hour = 0; hour < 24; hour++)
        {
            var today = hour < 12 ? C(Today, numerator, morningN, denominator, morningD) : C(Today, numerator, eveningN, denominator, eveningD);
            List<DayCounters> counters = [.. complete, today];
            var found = AlertPolicy.Observe("east", [.. counters.Select(c => new HealthDay { Day = c.Day })], counters, options, book).Single(o => o.Rule == rule);
            observed.Add(found);
            book = AlertBook.Apply(book, [found], Midnight.AddHours(hour), 10);
        }

        Assert.Empty(book.Outbox);
        Assert.Empty(book.History);
        // The same complete days all day: one judgement, inside the threshold.
        Assert.Single(observed.Select(o => (o.Breached, o.Value)).Distinct());
        Assert.False(observed[0].Breached);
        Assert.NotNull(observed[0].Value);
    }

    [Fact]
    public void ADayThatEndsAboveTheCeilingOpensOneEpisodeAfterLocalMidnightThatTheNextMorningDoesNotResolve()
    {
        var options = new AlertOptions();
        var sixDays = Enumerable.Range(0, 6).Select(i => C(Today.AddDays(i - 6), MetricNames.Complaints, 29, MetricNames.Dau, 1000)).ToList();
        // Today ends at 40 complaints in 1,000 active: the 7 days ending it are at 3.06%.
        var today = C(Today, MetricNames.Complaints, 40, MetricNames.Dau, 1000);
        AlertObservation Observe(List<DayCounters> counters, AlertBookState book) =>
            AlertPolicy.Observe("east", [.. counters.Select(c => new HealthDay { Day = c.Day })], counters, options, book).Single(o => o.Rule == AlertRules.ComplaintsHigh);

        var book = AlertBook.Apply(new AlertBookState(), [Observe([.. sixDays, today], new AlertBookState())], Midnight.AddHours(23), 10);
        // Tomorrow, hour by hour, with a quiet morning of 3,000 logins: today is complete and judged.
        for (var hour = 0; hour < 12; hour++)
        {
            List<DayCounters> counters = [.. sixDays, today, C(Today.AddDays(1), MetricNames.Complaints, 0, MetricNames.Dau, 3000 * (hour + 1) / 12)];
            book = AlertBook.Apply(book, [Observe(counters, book)], Midnight.AddDays(1).AddHours(hour), 10);
        }

        Assert.Equal(["complaints.high:east:1:open"], book.Outbox.Select(r => r.MessageId));
        Assert.Equal(Midnight.AddDays(1), book.Outbox[0].RaisedAt);
        Assert.Equal(0.0306, book.Outbox[0].Value);
    }
}
