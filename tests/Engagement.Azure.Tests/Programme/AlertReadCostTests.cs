using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>What an alert evaluation reads on Azurite: each region's days once, with their look-ahead (HealthRange).</summary>
public sealed class AlertReadCostTests
{
    [Fact]
    public async Task AnEvaluationReadsEachRegionsDaysAndLookAheadInOneQueryWithoutASecondWindow()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(new Dictionary<string, string?> { ["Engagement:Alerts:ComplaintMinActive"] = "10" });
        var yesterday = Today.AddDays(-1);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"rc-m{i}"), "login", yesterday));
        await silo.Sink.ApplyAsync(Events(["rc-angry"], "complaint", yesterday));
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 10).Select(i => $"rc-n{i}"), "login", yesterday, "north"));
        var lookback = silo.Services.GetRequiredService<IOptions<AlertOptions>>().Value.LookbackDays;
        var shards = silo.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Shards;
        var (reads, keys) = (silo.SumReads, silo.SumKeysRead);

        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();

        // east, north, and the programme over both: 4 region ranges. Each is the lookback's days ending today (10:00 in
        // Shanghai, the one zone), tomorrow (the clock-skew look-ahead) and the 29 window days the reader adds before
        // the first: before, the look-ahead was a read of its own and cost those 29 days (and a query) again.
        Assert.Equal(4, silo.SumReads - reads);
        Assert.Equal(4L * (lookback + 1 + (MetricWindows.MaxWidth - 1)) * shards, silo.SumKeysRead - keys);
        var east = open.Single(a => a.RegionId == "east");
        Assert.Equal("complaints.high", east.Rule);
        Assert.Equal(0.05, east.Value);
        Assert.Equal(["complaints.high:all:1", "complaints.high:east:1"], open.Select(a => a.AlertId).Order(StringComparer.Ordinal));
    }
}
