using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// The one conversion of the reader's day records into the domain's counters (<see cref="ProgrammeDaysReader"/>), which
/// the alert rules and the API's and console's health views all read through (<see cref="HealthRange"/>).
/// </summary>
public class ProgrammeDaysReaderTests
{
    [Fact]
    public void TheReadersDayRecordsBecomeTheDomainsCountersDayForDayWithTheirNetRevenue()
    {
        var d1 = new DateOnly(2026, 11, 23);
        var records = new[]
        {
            new CounterDay { Day = d1, Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.NewMembers] = 3, [MetricNames.Dau] = 7 }, Revenue = 268.50m },
            new CounterDay { Day = d1.AddDays(1), Counters = new Dictionary<string, long>(StringComparer.Ordinal) { [MetricNames.MovedIn] = 1 }, Revenue = -12.30m },
        };

        var counters = ProgrammeDaysReader.Counters(records);

        Assert.Equal([d1, d1.AddDays(1)], counters.Select(c => c.Day));
        Assert.Equal(3, counters[0][MetricNames.NewMembers]);
        Assert.Equal(7, counters[0][MetricNames.Dau]);
        Assert.Equal(268.50m, counters[0].Revenue);
        Assert.Equal(1, counters[1][MetricNames.MovedIn]);
        Assert.Equal(-12.30m, counters[1].Revenue);
        Assert.Equal(1, HealthMetrics.MembersAdded(counters[1], "east"));
    }

    [Fact]
    public void TheReaderTakesTheLongestReadHealthAsksFor()
    {
        // A range, and the points view's range with its 90-day rate window (from the earlier of the two), span at most
        // HealthMetrics.MaxReadDays; the reader grain's MaxDays is that with headroom, a rule of its own.
        Assert.True(ProgrammeMetricsGrain.MaxDays >= HealthMetrics.MaxReadDays);
    }
}
