using Engagement.Bench.Reporting;
using Engagement.Domain.Metrics;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The member rules alone, no Orleans and no storage (<see cref="StageProfile"/>): one thread applies the ingest-memory
/// load (<c>--memory-members</c>, <c>--memory-events</c>) through <c>MemberDecider.Apply</c> twice — a warm-up pass on
/// its own members, then the measured pass — and reports CPU and bytes allocated per event, per event type, beside the
/// state's JSON round trip, and how often an event changes the member's audience attributes (<see cref="IndexChurn"/>). A quick, quiet-machine-independent view of the hot path; run it explicitly
/// (<c>-- rules</c>), it is not part of the default set. The rules run as the engine's silo runs them: with the
/// programme-metric rules (<see cref="MetricsOptions"/> at the defaults the silo uses); <c>--rules-metrics off</c> leaves
/// those out (the member rules alone, as this scenario measured before 2026-12-05). Detail <c>rules.metrics</c> says
/// which (1 on, 0 off).
/// </summary>
internal static class RulesScenario
{
    public static Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        var members = options.EffectiveMemoryMembers;
        var events = options.EffectiveMemoryEvents;
        var now = options.Start;
        var metrics = options.RulesMetrics ? new MetricsOptions() : null;
        result.Details["rules.metrics"] = metrics is null ? 0 : 1;
        result.Notes.Add(metrics is null
            ? "Member rules without the programme-metric rules (--rules-metrics off): not what the engine's silo runs."
            : "Member rules with the programme-metric rules, as the engine's silo runs them (MetricsOptions at the silo's defaults; --rules-metrics off leaves them out).");
        StageProfile.Measure(new ScenarioResult { Name = "warm-up" }, options.RunId + "w", members, events, now, metrics);
        StageProfile.Measure(result, options.RunId, members, events, now, metrics);
        result.Add("rules CPU per event", result.Details["stage.domain_apply_us_per_event"], "µs", positive: false);
        result.Add("rules allocated per event", result.Details["stage.domain_apply_allocated_bytes_per_event"], "bytes", positive: false);
        result.Add("state JSON write per event", result.Details["stage.state_json_serialize_us_per_event"], "µs", positive: false);
        IndexChurn.Measure(result, options.RunId, members, events, now, metrics);
        return Task.CompletedTask;
    }
}
