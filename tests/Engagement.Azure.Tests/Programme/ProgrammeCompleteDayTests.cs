using Engagement.Contracts.Programme;
using static Engagement.Azure.Tests.Programme.ProgrammeAggregationTests;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// The programme's complete days (CONTRACT.md §5: what the alert rules judge, when the cohort figures stop being null)
/// are complete in every configured region's zone: at 2026-11-24 10:00 in Shanghai, a region in America/Los_Angeles
/// is still on 2026-11-23 (18:00), so the programme judges days up to 2026-11-22 until Los Angeles's midnight. Until
/// 2026-12-04 the programme took its days in the default zone alone.
/// </summary>
public sealed class ProgrammeCompleteDayTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Engagement:Alerts:ComplaintMinActive"] = "10",
        ["Engagement:Metrics:RegionTimeZones:West"] = "America/Los_Angeles",
    };

    [Fact]
    public async Task TheProgrammeJudgesADayOnlyOnceItIsOverInEveryConfiguredZone()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(Settings);
        var yesterday = Today.AddDays(-1); // complete in Shanghai, not yet in Los Angeles
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 20).Select(i => $"cd-m{i}"), "login", yesterday));
        await silo.Sink.ApplyAsync(Events(["cd-angry"], "complaint", yesterday));
        var alerts = silo.Grains.GetGrain<IAlertsGrain>(0);

        // East's day is over: east is judged on it; the programme's is not over in the west yet.
        var open = await alerts.EvaluateAsync();
        Assert.Equal(["complaints.high:east:1"], open.Select(a => a.AlertId));

        // Midnight in Los Angeles: the programme's 2026-11-23 is complete too.
        silo.Clock.Advance(TimeSpan.FromHours(8));
        open = await alerts.EvaluateAsync();
        Assert.Equal(["complaints.high:all:1", "complaints.high:east:1"], open.Select(a => a.AlertId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheProgrammesActiveShareLeavesOutMembersWhoJoinedAfterItsDayInAZoneAhead()
    {
        await using var silo = new ProgrammeSilo();
        await silo.StartAsync(new Dictionary<string, string?>(Settings)
        {
            ["Engagement:Alerts:ActivityBaseline"] = "0.5",
            ["Engagement:Alerts:ActivityDays"] = "1",
        });

        // 10 members join and log in on 2026-11-22; 30 more join in the east today (Shanghai's 2026-11-24), a day the
        // programme (still on Los Angeles's 2026-11-23) has not reached. Its judged day, 2026-11-22, had 10 members,
        // all active: activeShare 1.0. Counting today's 30 (the live gauge, 40) made it 0.25, below the baseline.
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 10).Select(i => $"as-m{i}"), "login", Today.AddDays(-2)));
        await silo.Sink.ApplyAsync(Events(Enumerable.Range(0, 30).Select(i => $"as-n{i}"), "login", Today));

        var open = await silo.Grains.GetGrain<IAlertsGrain>(0).EvaluateAsync();

        Assert.Empty(open);
    }
}
