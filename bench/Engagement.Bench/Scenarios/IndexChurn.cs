using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Program;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// How often an event changes a member's audience attributes (tier, RFM segment, value class, stage, region, tags:
/// what <c>MemberAttributesReader</c> reads and the member index stores), by how many events the member has had. Each
/// change is one member-index row write in the engine (and, with the support search on, a search-row read), so this
/// is the index's share of the table writes per event for members of a given age. Pure rules, one thread, no I/O.
/// </summary>
internal static class IndexChurn
{
    /// <summary>Upper bounds (inclusive) of the age buckets, in events the member has had including this one.</summary>
    private static readonly int[] Buckets = [10, 25, 50, 100, int.MaxValue];

    /// <summary>
    /// Adds the <c>index_churn.*</c> details: the share of events that change an audience attribute, per bucket of the
    /// member's own event count. <paramref name="metrics"/>: the programme-metric rules' options (null leaves them out).
    /// </summary>
    public static void Measure(ScenarioResult result, string runId, int members, int events, DateTimeOffset now, MetricsOptions? metrics = null)
    {
        var options = new ProgramOptions();
        var factory = new EventFactory(runId + "i", members, seed: 5);
        var states = new Dictionary<string, (MemberState State, int Events)>(StringComparer.Ordinal);
        var seen = new long[Buckets.Length];
        var changed = new long[Buckets.Length];
        for (var i = 0; i < events; i++)
        {
            var e = factory.Next(now);
            var (state, count) = states.TryGetValue(e.MemberId, out var known) ? known : (new MemberState { MemberId = e.MemberId }, 0);
            var before = MemberAttributesReader.Read(state, options, now);
            MemberDecider.Apply(state, StageProfile.ToDomain(e), options, now, metrics);
            state.Outbox.Pending.Clear();
            states[e.MemberId] = (state, ++count);
            var bucket = Array.FindIndex(Buckets, b => count <= b);
            seen[bucket]++;
            // A member's first event always writes its row (the grain has indexed nothing yet); later ones when an attribute moved.
            if (count == 1 || !before.SameAs(MemberAttributesReader.Read(state, options, now)))
            {
                changed[bucket]++;
            }
        }

        var low = 1;
        for (var b = 0; b < Buckets.Length; b++)
        {
            var name = Buckets[b] == int.MaxValue ? $"{low}+" : $"{low}-{Buckets[b]}";
            if (seen[b] > 0)
            {
                result.Details[string.Create(CultureInfo.InvariantCulture, $"index_churn.events_{name}.changes_per_event")] = (double)changed[b] / seen[b];
                result.Details[string.Create(CultureInfo.InvariantCulture, $"index_churn.events_{name}.events")] = seen[b];
            }

            low = Buckets[b] == int.MaxValue ? low : Buckets[b] + 1;
        }

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"index_churn.*: {events:N0} events of {members:N0} members through the rules alone; per bucket of the member's own event count (this event included), the share of events that change an audience attribute — each such change is one member-index row write in the engine."));
    }
}
