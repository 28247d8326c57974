using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>Alerts on Azurite: raised once per episode, resolved on recovery, one queue message per state change, also across a crash.</summary>
public sealed class ProgrammeAlertTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Engagement:Alerts:ComplaintMinActive"] = "10" };

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ComplaintsAboveThreePercentRaiseOnceAcrossReevaluationAndRestartAndResolveOnRecovery()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"al-m{i}"), "login", Yesterday));
        await silo.Sink.ApplyAsync(Events(["al-angry"], "complaint", Yesterday));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);

        var open = await alerts.EvaluateAsync();
        await alerts.EvaluateAsync();
        await silo.StopAsync();
        await silo.StartAsync(Settings);
        alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        silo.Clock.Advance(TimeSpan.FromHours(1));
        await alerts.EvaluateAsync();

        Assert.Equal(["complaints.high:all:1", "complaints.high:east:1"], open.Select(a => a.AlertId).Order(StringComparer.Ordinal));
        var east = open.Single(a => a.RegionId == "east");
        Assert.Equal(0.05, east.Value);
        Assert.Equal(0.03, east.Threshold);
        Assert.Equal(ProgrammeSilo.Start, east.RaisedAt);
        var messages = await silo.AlertMessagesAsync();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(AlertStates.Open, m.State));

        await silo.Sink.ApplyAsync(Events(Enumerable.Range(20, 20).Select(i => $"al-m{i}"), "login", Yesterday));
        var after = await alerts.EvaluateAsync();
        await alerts.EvaluateAsync();

        Assert.Empty(after);
        messages = await silo.AlertMessagesAsync();
        Assert.Equal(4, messages.Count);
        Assert.Equal(4, messages.Select(m => m.MessageId).Distinct().Count());
        var resolved = messages.Single(m => m.RegionId == "east" && m.State == AlertStates.Resolved);
        Assert.Equal(0.025, resolved.Value);
        Assert.Equal(ProgrammeSilo.Start.AddHours(1), resolved.ResolvedAt);
        var history = await alerts.GetAsync(AlertStates.Resolved, 10);
        Assert.Equal(2, history.Count);
    }

    [Fact]
    public async Task AChangeWrittenButNotPublishedBeforeACrashIsPublishedOnceOnRecovery()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 10).Select(i => $"cr-m{i}"), "login", Yesterday, "north"));
        await silo.Sink.ApplyAsync(Events(["cr-angry"], "complaint", Yesterday, "north"));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);

        silo.FailPublishes = 1;
        await Assert.ThrowsAnyAsync<Exception>(() => alerts.EvaluateAsync());
        Assert.Empty(await silo.AlertMessagesAsync());

        // The next activation publishes the persisted outbox; re-evaluation finds the episodes open.
        await alerts.GetAsync(null, 10);
        await Streaming.Eventually.TrueAsync(async () => (await silo.AlertMessagesAsync()).Count >= 2, Deadline, "the outbox is published");
        await alerts.EvaluateAsync();

        var messages = await silo.AlertMessagesAsync();
        Assert.Equal(["complaints.high:all:1:open", "complaints.high:north:1:open"], messages.Select(m => m.MessageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ADataAnomalyIsRaisedOnceByWhoeverSeesItAndResolvedWhenItIsGone()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        var reporter = silo.Services.GetRequiredService<IDataAnomalyReporter>();

        await reporter.RaiseAsync("backup", "backup of table members failed: 503");
        await reporter.RaiseAsync("backup", "backup of table members failed again");
        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Open, 10);
        await reporter.ResolveAsync("backup");

        var only = Assert.Single(open);
        Assert.Equal(AlertRules.DataAnomaly, only.Rule);
        Assert.Equal("backup", only.RegionId);
        Assert.Equal("backup of table members failed: 503", only.Message);
        var messages = await silo.AlertMessagesAsync();
        Assert.Equal(["data.anomaly:backup:1:open", "data.anomaly:backup:1:resolved"], messages.Select(m => m.MessageId));
    }

    /// <summary>
    /// The judged window is stored with the alert in the alert book on Azurite: after a restart with the complaint
    /// window changed from 7 to 14 days, the open alert still names the 7 days it was raised on (the console used to
    /// work them out from the options in force, and said 14), also once the rules have run again on 14 days, while an
    /// alert raised by that new judgement names its 14 days.
    /// </summary>
    [Fact]
    public async Task AnAlertKeepsTheWindowItWasRaisedOnAcrossARestartWithTheWindowChanged()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"wn-m{i}"), "login", Yesterday, "west"));
        await silo.Sink.ApplyAsync(Events(["wn-angry"], "complaint", Yesterday, "west"));
        await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();
        await silo.StopAsync();

        await silo.StartAsync(new Dictionary<string, string?>(Settings) { ["Engagement:Alerts:ComplaintWindowDays"] = "14" });

        // The rules run again on the 14-day window: west is still breached (1 complaint in 20 active member-days) and
        // north breaches for the first time (1 in 10).
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 10).Select(i => $"wn-n{i}"), "login", Yesterday, "north"));
        await silo.Sink.ApplyAsync(Events(["wn-north-angry"], "complaint", Yesterday, "north"));
        await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();
        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Open, 10);

        var west = open.Single(a => a.AlertId == "complaints.high:west:1");
        Assert.Equal(new AlertWindowView { From = Yesterday.AddDays(-6), To = Yesterday, Days = 7, Threshold = 0.03 }, west.Window);
        var north = open.Single(a => a.AlertId == "complaints.high:north:1");
        Assert.Equal(new AlertWindowView { From = Yesterday.AddDays(-13), To = Yesterday, Days = 14, Threshold = 0.03 }, north.Window);
        var messages = await silo.AlertMessagesAsync();
        Assert.Equal(west.Window, messages.Single(m => m.AlertId == "complaints.high:west:1").Window);
        Assert.Equal(north.Window, messages.Single(m => m.AlertId == "complaints.high:north:1").Window);
    }
}
