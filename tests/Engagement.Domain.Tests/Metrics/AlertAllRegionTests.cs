using Engagement.Domain.Metrics;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// A producer region "ALL" normalised to "all", the region id of programme-wide alerts, so both wrote the episode
/// <c>complaints.high|all</c> in one evaluation (CONTRACT.md §5: raised once per episode).
/// </summary>
public class AlertAllRegionTests
{
    private static readonly DateOnly Today = new(2026, 11, 30);
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    private static List<DayCounters> Complaints(long active, long complaints) =>
    [
        new() { Day = Today.AddDays(-1), Counters = new Dictionary<string, long> { [MetricNames.Dau] = active, [MetricNames.Complaints] = complaints } },
        new() { Day = Today, Counters = new Dictionary<string, long>() },
    ];

    [Theory]
    [InlineData("ALL")]
    [InlineData(" all ")]
    [InlineData("All")]
    public void ARegionNamedAllCountsUnderTheDefaultRegion(string producerRegion) =>
        Assert.Equal(MetricsOptions.DefaultRegion, MetricsOptions.RegionOf(producerRegion));

    [Fact]
    public void ATimeZoneConfiguredForARegionNamedAllIsRefusedAtStartUp()
    {
        // Otherwise "ALL" → default region through RegionOf, and its zone silently became the default region's.
        var errors = new MetricsOptions { RegionTimeZones = new() { ["ALL"] = "America/Los_Angeles", ["west"] = "America/Los_Angeles" } }.Validate();
        Assert.Equal(["RegionTimeZones:ALL: 'all' is the whole programme, not a region (a region named so counts under 'default')."], errors);
    }

    [Fact]
    public void AProgrammeAboveTheCeilingAndARegionNamedAllBelowItRaiseOneEpisodeOverTwoEvaluations()
    {
        var options = new AlertOptions();
        // Programme 3.4% complaints; the producer's region "ALL" at 1%. "all" is also listed as a region, as aggregators
        // that counted it before the name was reserved still list it.
        var producerRegion = MetricsOptions.RegionOf("ALL");
        var figures = new Dictionary<string, List<DayCounters>>
        {
            [producerRegion] = Complaints(1000, 10),
            [AlertRules.AllRegions] = Complaints(1000, 10),
            ["east"] = Complaints(4000, 160),
        };
        var programme = Complaints(5000, 170);
        IEnumerable<AlertObservation> Evaluate(AlertBookState book) =>
            AlertPolicy.Observe(AlertRules.AllRegions, [new HealthDay(), new HealthDay()], programme, options, book)
                .Concat(AlertPolicy.JudgedRegions(figures.Keys).SelectMany(r => AlertPolicy.Observe(r, [new HealthDay(), new HealthDay()], figures[r], options, book)))
                .Where(o => o.Rule == AlertRules.ComplaintsHigh);

        var first = AlertBook.Apply(new AlertBookState(), Evaluate(new AlertBookState()), Now, 10);
        var second = AlertBook.Apply(first, Evaluate(first), Now.AddHours(1), 10);

        Assert.Equal(["complaints.high:all:1:open", "complaints.high:east:1:open"], second.Outbox.Select(r => r.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(0.034, AlertBook.OpenOf(second, AlertRules.ComplaintsHigh, AlertRules.AllRegions)!.Value);
        Assert.Empty(second.History);
    }
}
