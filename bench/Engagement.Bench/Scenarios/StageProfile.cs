using System.Diagnostics;
using System.Text.Json;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Where an event's CPU goes without Orleans: the same load run single-threaded through the pure rules
/// (<see cref="MemberDecider.Apply"/>), through the state's JSON round trip that every durable write pays, and through the
/// engine's outbox emitter after the write (<see cref="EmitStage"/>: every effect confirmed at once, the outbox emptied).
/// What the pipeline costs beyond these is streaming, messaging, scheduling and storage plumbing.
/// </summary>
internal static class StageProfile
{
    /// <summary>The engine's own state JSON options (<see cref="JsonGrainStateSerializer.Options"/>).</summary>
    private static JsonSerializerOptions Json => JsonGrainStateSerializer.Options;

    /// <summary>
    /// The average JSON length (characters) of the members' states after the load a scenario will send (pure rules, no
    /// I/O), at the engine instant <paramref name="now"/>. <paramref name="metrics"/>: the programme-metric rules'
    /// options, as the silo passes them (<c>MemberRules.Metrics</c>), so the state carries what those rules keep in it;
    /// null leaves them out (the state of a host without programme metrics, and of these rows before 2026-12-05).
    /// </summary>
    public static int AverageFinalStateChars(string runId, int members, int events, DateTimeOffset now, MetricsOptions? metrics)
    {
        var options = new ProgramOptions();
        var factory = new EventFactory(runId, members, seed: 1);
        var states = new Dictionary<string, MemberGrainState>(StringComparer.Ordinal);
        for (var i = 0; i < events; i++)
        {
            var e = factory.Next(now);
            if (!states.TryGetValue(e.MemberId, out var state))
            {
                state = new MemberGrainState { Member = new MemberState { MemberId = e.MemberId } };
                states[e.MemberId] = state;
            }

            MemberDecider.Apply(state.Member, ToDomain(e), options, now, metrics);
            state.Member.Outbox.Pending.Clear();
        }

        return states.Count == 0 ? 1 : (int)states.Values.Average(s => JsonSerializer.Serialize(s, Json).Length);
    }

    /// <summary>
    /// Runs <paramref name="events"/> events of <paramref name="members"/> members through the rules and the state's JSON
    /// round trip at the engine instant <paramref name="now"/>, and adds the <c>stage.*</c> details (µs and bytes
    /// allocated per event, per event type) and a note to <paramref name="result"/>. <paramref name="metrics"/>: the
    /// programme-metric rules' options, as a silo with programme metrics passes them (<c>MemberRules.Metrics</c>); null
    /// leaves those rules out, as a host without programme metrics does. Detail <c>stage.metric_contributions</c>: the
    /// programme-metric contributions the rules queued in the members' outboxes (<see cref="RecordMetrics"/>), 0 without
    /// <paramref name="metrics"/>: the sign that those rules ran. Detail <c>stage.emit_allocated_bytes_per_event</c>: what the
    /// emitter allocates per event emptying the outbox after the write (<see cref="EmitStage"/>; since 2026-12-07, before
    /// it the profile cleared the outbox by hand).
    /// </summary>
    public static void Measure(ScenarioResult result, string runId, int members, int events, DateTimeOffset now, MetricsOptions? metrics = null)
    {
        var options = new ProgramOptions();
        var factory = new EventFactory(runId + "p", members, seed: 7);
        var states = new Dictionary<string, MemberGrainState>(StringComparer.Ordinal);
        var load = Enumerable.Range(0, events).Select(_ => factory.Next(now)).Select(e => (e.MemberId, Event: ToDomain(e))).ToList();

        long applyTicks = 0, writeTicks = 0, readTicks = 0, bytes = 0, applyAllocated = 0, writeAllocated = 0, readAllocated = 0, emitAllocated = 0, contributions = 0;
        var emit = new EmitStage();
        var byType = new SortedDictionary<string, (long Count, long Ticks, long Allocated)>(StringComparer.Ordinal);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        foreach (var (memberId, evt) in load)
        {
            if (!states.TryGetValue(memberId, out var state))
            {
                state = new MemberGrainState { Member = new MemberState { MemberId = memberId } };
                states[memberId] = state;
            }

            var allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            MemberDecider.Apply(state.Member, evt, options, now, metrics);
            var applied = Stopwatch.GetTimestamp();
            var ruleBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
            applyAllocated += ruleBytes;
            var typeSoFar = byType.GetValueOrDefault(evt.Type);
            byType[evt.Type] = (typeSoFar.Count + 1, typeSoFar.Ticks + (applied - start), typeSoFar.Allocated + ruleBytes);
            var writeAllocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
            var json = JsonSerializer.SerializeToUtf8Bytes(state, Json);
            var written = Stopwatch.GetTimestamp();
            writeAllocated += GC.GetAllocatedBytesForCurrentThread() - writeAllocatedAtStart;
            foreach (var effect in state.Member.Outbox.Pending)
            {
                contributions += effect is RecordMetrics record ? record.Contributions.Count : 0;
            }

            var emitAllocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
            emit.Emit(memberId, state.Member.Outbox); // the emitter confirms them after the write
            emitAllocated += GC.GetAllocatedBytesForCurrentThread() - emitAllocatedAtStart;
            var readAllocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
            _ = JsonSerializer.Deserialize<MemberGrainState>(json, Json);
            var read = Stopwatch.GetTimestamp();
            readAllocated += GC.GetAllocatedBytesForCurrentThread() - readAllocatedAtStart;
            applyTicks += applied - start;
            writeTicks += written - applied;
            readTicks += read - written;
            bytes += json.Length;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        // What the stored state is made of: average JSON characters per top-level property of the member.
        var parts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var state in states.Values)
        {
            using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(state.Member, Json));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                parts[property.Name] = parts.GetValueOrDefault(property.Name) + property.Value.GetRawText().Length + property.Name.Length + 4;
            }
        }

        foreach (var (name, chars) in parts)
        {
            if (chars / Math.Max(1, states.Count) >= 50)
            {
                result.Details["stage.member_json_chars." + name] = (double)chars / states.Count;
            }
        }

        double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency / events;
        result.Details["stage.events"] = events;
        result.Details["stage.domain_apply_us_per_event"] = Us(applyTicks);
        result.Details["stage.state_json_serialize_us_per_event"] = Us(writeTicks);
        result.Details["stage.state_json_deserialize_us_per_event"] = Us(readTicks);
        result.Details["stage.state_json_bytes_avg"] = (double)bytes / events;
        result.Details["stage.state_json_serialize_allocated_bytes_per_event"] = (double)writeAllocated / events;
        result.Details["stage.state_json_deserialize_allocated_bytes_per_event"] = (double)readAllocated / events;
        result.Details["stage.allocated_bytes_per_event"] = (double)allocated / events;
        result.Details["stage.domain_apply_allocated_bytes_per_event"] = (double)applyAllocated / events;
        result.Details["stage.emit_allocated_bytes_per_event"] = (double)emitAllocated / events;
        result.Details["stage.metric_contributions"] = contributions;
        foreach (var (type, (count, ticks, typeBytes)) in byType)
        {
            result.Details[$"stage.domain_apply.{type}.events"] = count;
            result.Details[$"stage.domain_apply.{type}.us_per_event"] = ticks * 1_000_000.0 / Stopwatch.Frequency / count;
            result.Details[$"stage.domain_apply.{type}.allocated_bytes_per_event"] = (double)typeBytes / count;
        }

        result.Notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Stage profile (one thread, no Orleans, same load): rules {Us(applyTicks):F1} µs and {(double)applyAllocated / events:N0} bytes allocated, state JSON write {Us(writeTicks):F1} µs and read {Us(readTicks):F1} µs per event (state {(double)bytes / events:N0} bytes on average)."));
    }

    internal static MemberEvent ToDomain(Engagement.Contracts.Events.EngagementEvent e) => new(e.EventId, e.Type, e.OccurredAt)
    {
        OrderId = e.OrderId,
        Amount = e.Amount,
        RegionId = e.RegionId,
        StoreId = e.StoreId,
        Channel = e.Channel,
        Items = e.Items.Select(i => new MemberEventItem(i.Sku, i.Category, i.Quantity, i.UnitPrice)).ToList(),
        Properties = e.Properties,
    };
}
