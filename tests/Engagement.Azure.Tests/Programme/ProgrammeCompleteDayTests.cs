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
}
