using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// The alerts grain's filtered query (what the console's alert history asks): only the rule and region asked for, newest
/// first, at most the limit, and the unfiltered GetAsync as before. On Azurite, through the real alert evaluation.
/// </summary>
public sealed class AlertHistoryQueryTests
{
    [Fact]
    public async Task FindAsyncAnswersOnlyTheRuleAndRegionAskedForWithinItsLimit()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(new Dictionary<string, string?> { ["Engagement:Alerts:ComplaintMinActive"] = "10" });
        var yesterday = Today.AddDays(-1);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"hq-m{i}"), "login", yesterday));
        await silo.Sink.ApplyAsync(Events(["hq-angry"], "complaint", yesterday));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        await alerts.EvaluateAsync();
        foreach (var source in new[] { "backup", "restore", "backup-2" })
        {
            await alerts.RaiseAnomalyAsync(source, "fault on " + source);
            silo.Clock.Advance(TimeSpan.FromMinutes(5));
            await alerts.ResolveAnomalyAsync(source);
        }

        // complaints.high is open in east and programme-wide: the rule and region pick one.
        var east = await alerts.FindAsync(AlertStates.Open, AlertRules.ComplaintsHigh, "east", 10);
        Assert.Equal(["complaints.high:east:1"], east.Select(a => a.AlertId));
        Assert.Equal(["complaints.high:all:1"], (await alerts.FindAsync(null, AlertRules.ComplaintsHigh, AlertRules.AllRegions, 10)).Select(a => a.AlertId));
        Assert.Empty(await alerts.FindAsync(AlertStates.Resolved, AlertRules.ComplaintsHigh, null, 10));

        // The resolved anomalies by rule, newest resolved first, within the limit; by source (an anomaly's region id).
        Assert.Equal(["data.anomaly:backup-2:1", "data.anomaly:restore:1"], (await alerts.FindAsync(AlertStates.Resolved, AlertRules.DataAnomaly, null, 2)).Select(a => a.AlertId));
        Assert.Equal(["data.anomaly:restore:1"], (await alerts.FindAsync(AlertStates.Resolved, null, "restore", 10)).Select(a => a.AlertId));
        Assert.Empty(await alerts.FindAsync(AlertStates.Resolved, AlertRules.ComplaintsHigh, "restore", 10));

        // No filter is GetAsync.
        Assert.Equal((await alerts.GetAsync(null, 10)).Select(a => a.AlertId), (await alerts.FindAsync(null, null, null, 10)).Select(a => a.AlertId));
    }
}
