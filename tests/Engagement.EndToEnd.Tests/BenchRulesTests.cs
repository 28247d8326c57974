using System.Globalization;
using System.Text.Json;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests;

/// <summary>
/// The bench's <c>rules</c> scenario runs the member rules as the engine's silo does: with the programme-metric rules
/// (<c>MetricsOptions</c>). It used to call <c>MemberDecider.Apply</c> without them, so its figures left out work every
/// shipped event pays. <c>--rules-metrics off</c> keeps the old measure. Bytes allocated are
/// counted on the rules' own thread alone, so the two runs of the same load differ by what the metric rules allocate, give or take
/// a few hundred bytes between machines and runs; no timing is asserted.
/// </summary>
public sealed class BenchRulesTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(10); // a hang guard, not a timing assertion

    [Fact]
    public async Task RulesRunsTheProgrammeMetricRulesUnlessToldOffAndTheyAllocateOnTopOfTheMemberRules()
    {
        var on = await RunRulesAsync();
        var off = await RunRulesAsync("--rules-metrics", "off");

        Assert.Equal(1, on.Metrics);
        Assert.Equal(0, off.Metrics);

        // The deterministic sign: the metric rules queued contributions in the outboxes with the options, none without.
        Assert.True(on.Contributions > 0, $"the rules queued {on.Contributions} metric contributions with --rules-metrics on: the metric rules did not run");
        Assert.Equal(0, off.Contributions);

        // And they cost: about 4,500 bytes an event at the full size; at the smoke size 1,046 on a quiet machine (2,978 against
        // 1,932, the same in three runs) and 872 in a CI run of 2026-12-07 (2,814 against 1,942): the count on the rules' thread moves by
        // a few hundred bytes between machines and runs. Over 500 keeps the sign with room for that.
        Assert.True(on.AllocatedPerEvent - off.AllocatedPerEvent > 500, string.Create(CultureInfo.InvariantCulture,
            $"rules allocated {on.AllocatedPerEvent:N0} bytes/event with metrics, {off.AllocatedPerEvent:N0} without: the metric rules should add over 500"));
    }

    private static async Task<(double Metrics, double Contributions, double AllocatedPerEvent)> RunRulesAsync(params string[] extra)
    {
        var output = Directory.CreateTempSubdirectory("bench-rules-");
        try
        {
            var (exitCode, log) = await DotnetCommand.RunAsync(
                BenchSmokeTests.LocateBenchDll(), ["rules", "--smoke", "--out", output.FullName, .. extra], new Dictionary<string, string>(), Guard);
            Assert.True(exitCode == 0, $"the bench exited with {exitCode}:\n{log}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "latest.json")));
            var rules = json.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "rules");
            Assert.True(rules.GetProperty("status").GetString() == "ok", rules.ToString());
            var details = rules.GetProperty("details");
            return (details.TryGetProperty("rules.metrics", out var m) ? m.GetDouble() : -1,
                details.TryGetProperty("stage.metric_contributions", out var c) ? c.GetDouble() : -1,
                details.GetProperty("stage.domain_apply_allocated_bytes_per_event").GetDouble());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
