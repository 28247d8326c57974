using System.Text.Json;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// The direction recorded on an alert (<see cref="AlertView.Direction"/>) and the raised sentence of a resolved one
/// (<see cref="AlertView.RaisedMessage"/>) are kept in the alert book on Azurite and shown by the grain (so
/// <c>GET /alerts</c> and the console), while the queue message keeps CONTRACT.md §5's shape: neither field is added to it.
/// </summary>
public sealed class AlertDirectionWireTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Engagement:Alerts:ComplaintMinActive"] = "10" };

    [Fact]
    public async Task TheDirectionIsStoredAndShownButNotPublished()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"dw-m{i}"), "login", Today.AddDays(-1), "south"));
        await silo.Sink.ApplyAsync(Events(["dw-angry"], "complaint", Today.AddDays(-1), "south"));
        await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();
        await silo.StopAsync();
        await silo.StartAsync(Settings);

        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Open, 10);
        var peeked = await StorageClients.Queues().GetQueueClient(silo.AlertQueue).PeekMessagesAsync(32);

        Assert.Equal(AlertDirections.Above, open.Single(a => a.AlertId == "complaints.high:south:1").Direction);
        var body = peeked.Value.Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement).Single(e => e.GetProperty("alertId").GetString() == "complaints.high:south:1");
        Assert.Equal(
            ["alertId", "message", "messageId", "raisedAt", "regionId", "resolvedAt", "rule", "state", "threshold", "value", "window"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A resolved alert's queue message says what resolved it, in the contract's fields only; the grain shows the raised
    /// sentence beside it (it used to publish and show the raised sentence as the resolved message).
    /// </summary>
    [Fact]
    public async Task AResolvedAlertPublishesItsResolutionAndKeepsTheRaisedSentence()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"rs-m{i}"), "login", Today.AddDays(-1), "south"));
        await silo.Sink.ApplyAsync(Events(["rs-angry"], "complaint", Today.AddDays(-1), "south"));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);
        var raised = (await alerts.EvaluateAsync()).Single(a => a.AlertId == "complaints.high:south:1").Message;
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(20, 20).Select(i => $"rs-m{i}"), "login", Today.AddDays(-1), "south"));
        await alerts.EvaluateAsync();

        var resolved = (await alerts.GetAsync(AlertStates.Resolved, 10)).Single(a => a.AlertId == "complaints.high:south:1");
        var peeked = await StorageClients.Queues().GetQueueClient(silo.AlertQueue).PeekMessagesAsync(32);
        var body = peeked.Value.Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement).Single(e => e.GetProperty("messageId").GetString() == "complaints.high:south:1:resolved");

        Assert.StartsWith("complaint rate 5%", raised, StringComparison.Ordinal);
        Assert.StartsWith("resolved: complaint rate 2.5% over the 7 local days", resolved.Message, StringComparison.Ordinal);
        Assert.Equal(raised, resolved.RaisedMessage);
        Assert.Equal(resolved.Message, body.GetProperty("message").GetString());
        Assert.Equal(
            ["alertId", "message", "messageId", "raisedAt", "regionId", "resolvedAt", "rule", "state", "threshold", "value", "window"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// An alert resolved by turning its rule off records <see cref="AlertView.ResolvedWithValue"/> false: the field survives
    /// the write to Azurite and a restart (it is read back from the stored book, not from the grain's memory), while its
    /// queue message still carries only CONTRACT.md §5's fields.
    /// </summary>
    [Fact]
    public async Task AnAlertResolvedByTurningItsRuleOffKeepsThatNoValueResolvedItAcrossARestart()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"off-m{i}"), "login", Today.AddDays(-1), "south"));
        await silo.Sink.ApplyAsync(Events(["off-angry"], "complaint", Today.AddDays(-1), "south"));
        Assert.Contains(await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync(), a => a.AlertId == "complaints.high:south:1");
        await silo.StopAsync();
        var turnedOff = new Dictionary<string, string?>(Settings) { ["Engagement:Alerts:Disabled:0"] = AlertRules.ComplaintsHigh };
        await silo.StartAsync(turnedOff);
        await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();
        await silo.StopAsync();
        await silo.StartAsync(turnedOff);

        var resolved = (await silo.Grains.GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Resolved, 10)).Single(a => a.AlertId == "complaints.high:south:1");
        var peeked = await StorageClients.Queues().GetQueueClient(silo.AlertQueue).PeekMessagesAsync(32);
        var body = peeked.Value.Select(m => JsonDocument.Parse(m.Body.ToString()).RootElement).Single(e => e.GetProperty("messageId").GetString() == "complaints.high:south:1:resolved");

        Assert.False(resolved.ResolvedWithValue);
        Assert.Contains("turned off", resolved.Message, StringComparison.Ordinal);
        Assert.Equal(
            ["alertId", "message", "messageId", "raisedAt", "regionId", "resolvedAt", "rule", "state", "threshold", "value", "window"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
