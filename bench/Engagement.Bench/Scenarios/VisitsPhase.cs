using System.Diagnostics;
using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Members;
using Engagement.Grains.Members;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// ingest-durable's visits phase: what one event costs a member who comes, buys once and goes, as nearly every member
/// of a live programme does (5% active, a visit a week). The resident members are deactivated first; then
/// <see cref="BenchOptions.Visits"/> known members each get one event (each activates, reads its state, applies the
/// event and writes once), and are deactivated again, as Orleans' idle collection would do some minutes later. The
/// count covers both: what the event wrote, and what the member's deactivation wrote (its outbox's waiting ledger
/// entries archived in one transaction, and the state written again to clear what was emitted), plus the programme
/// metric aggregators' commits and the member-index rows. The other phases never see the deactivation, because their
/// members get several events in one activation.
/// </summary>
internal static class VisitsPhase
{
    public static async Task MeasureAsync(BenchSilo silo, Publisher publisher, EventFactory events, AppliedTracker tracker, DateTimeOffset now, double pace, int visits, ScenarioResult result, string run)
    {
        visits = Math.Min(visits, events.Members);
        if (visits <= 0)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  visits: {visits:N0} known members, one event each at {pace:N0}/s, each deactivated after it"));
        await DeactivateMembersAsync(silo, "before the visits");
        var latenciesBefore = tracker.LatencyCount;
        var appliedBefore = tracker.Applied;
        using var census = StorageOperations.Start();
        var cpu = CpuSample.Take();
        var index = 0;
        await publisher.SendPacedAsync(
            () => events.Next(now, member: index++), // one event for each of the first members in turn
            visits,
            pace,
            concurrency: 16,
            tracker.Publishing);
        await RateSampler.WaitForAsync(() => tracker.Applied - appliedBefore, visits, TimeSpan.FromSeconds(60), "ingest-durable visits");
        var afterEvents = census.TableWrites;
        await DeactivateMembersAsync(silo, "after the visits");
        (CpuSample.Take() - cpu).AddTo(result, "visits", visits);

        var latencies = tracker.SortedLatencies(skip: latenciesBefore);
        result.Details["visits.members"] = visits;
        result.Details["visits.latency_p50_ms"] = Stats.Percentile(latencies, 50);
        result.Details["visits.latency_p99_ms"] = Stats.Percentile(latencies, 99);
        result.Details["visits.table_write_requests_per_event_before_deactivation"] = (double)afterEvents / visits;
        census.AddTo(result, "visits", visits, run);
        result.Add(new Metric
        {
            Name = "table write requests per event, one event per activation (visits phase: the event, the member's deactivation, aggregators, index)",
            Value = Math.Round((double)census.TableWrites / visits, 2),
            Unit = "",
        });
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Visits: {visits:N0} known members, deactivated first, each sent one event at {pace:N0}/s and deactivated again once it was applied (management grain, as Orleans' idle collection would some minutes later); table write requests counted from the first send until the silo had no member activation and its writes had settled. Publish→applied of a visit (the member's activation and state read included): p50 {Stats.Percentile(latencies, 50):F0} ms, p99 {Stats.Percentile(latencies, 99):F0} ms."));
    }

    /// <summary>
    /// After the visits: each visited member is woken once without an event, as its daily lifecycle reminder would
    /// (an activation that reads the state and recovers its stored outbox: <c>GetViewAsync</c>, which changes nothing),
    /// and deactivated again; then each gets a second visit (one event, deactivation). Counts the table write
    /// requests of the wake-ups (<c>wakeups.*</c>: what a deactivation's skipped clearing write left listed in storage
    /// costs at the next activation) and of the second visits (<c>visits2.*</c>: a visit after a wake-up).
    /// </summary>
    public static async Task MeasureWakeUpsAsync(BenchSilo silo, Publisher publisher, EventFactory events, AppliedTracker tracker, DateTimeOffset now, double pace, int visits, ScenarioResult result, string run)
    {
        visits = Math.Min(visits, events.Members);
        if (visits <= 0)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wake-ups: the {visits:N0} visited members woken once without an event, deactivated, then visited again"));
        using (var census = StorageOperations.Start())
        {
            for (var i = 0; i < visits; i += 16)
            {
                await Task.WhenAll(Enumerable.Range(i, Math.Min(16, visits - i))
                    .Select(m => silo.Client.GetGrain<IMemberGrain>(events.MemberId(m)).GetViewAsync()));
            }

            await DeactivateMembersAsync(silo, "after the wake-ups");
            census.AddTo(result, "wakeups", visits, run);
            result.Details["wakeups.members"] = visits;
            result.Add(new Metric
            {
                Name = "table write requests per wake-up (an activation without an event after a visit, and its deactivation)",
                Value = Math.Round((double)census.TableWrites / visits, 2),
                Unit = "",

                // 0 is the expected figure (the member changed nothing), not a scenario that measured nothing.
                Positive = false,
            });
        }

        var appliedBefore = tracker.Applied;
        using (var census = StorageOperations.Start())
        {
            var index = 0;
            await publisher.SendPacedAsync(() => events.Next(now, member: index++), visits, pace, concurrency: 16, tracker.Publishing);
            await RateSampler.WaitForAsync(() => tracker.Applied - appliedBefore, visits, TimeSpan.FromSeconds(60), "ingest-durable second visits");
            result.Details["visits2.table_write_requests_per_event_before_deactivation"] = (double)census.TableWrites / visits;
            await DeactivateMembersAsync(silo, "after the second visits");
            census.AddTo(result, "visits2", visits, run);
            result.Add(new Metric
            {
                Name = "table write requests per event, a visit after a wake-up (visits2: the event, the member's deactivation, aggregators, index)",
                Value = Math.Round((double)census.TableWrites / visits, 2),
                Unit = "",
            });
        }
    }

    /// <summary>Deactivates every member grain and waits until none is active and the table writes of their deactivation have settled.</summary>
    private static async Task DeactivateMembersAsync(BenchSilo silo, string when)
    {
        var management = silo.Client.GetGrain<IManagementGrain>(0);
        async Task<int> MembersAsync() => (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(MemberGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);

        // Members are resident here (the latency phase's, or the visits'): none found means the count is blind.
        if (await MembersAsync() == 0)
        {
            throw new InvalidOperationException($"visits: no {nameof(MemberGrain)} activation found {when}; the grain statistics name the type otherwise");
        }

        using var writes = StorageOperations.Start();
        await management.ForceActivationCollection(TimeSpan.Zero);
        var deadline = Stopwatch.StartNew();
        var collectedAt = Stopwatch.StartNew();
        var (lastWrites, stableSince) = (-1L, Stopwatch.StartNew());
        while (true)
        {
            var members = await MembersAsync();

            // A forced collection passes over an activation that is busy at that instant (a turn or a write still
            // running), and the bench's 6 h collection age would keep it: ask again while any member is left.
            if (members > 0 && collectedAt.Elapsed > TimeSpan.FromSeconds(5))
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                collectedAt.Restart();
            }

            if (writes.TableWrites != lastWrites)
            {
                (lastWrites, stableSince) = (writes.TableWrites, Stopwatch.StartNew());
            }

            // Settled: no member left, and no table write for 3 s (the aggregators' last commits included).
            if (members == 0 && stableSince.Elapsed > TimeSpan.FromSeconds(3))
            {
                return;
            }

            // A hang guard, not a timing: a loaded machine (or a shared Azurite) settles far slower than a quiet one.
            if (deadline.Elapsed > TimeSpan.FromSeconds(180))
            {
                throw new TimeoutException($"visits: {members:N0} members still active, or table writes still going, 180 s after the collection {when}");
            }

            await Task.Delay(250);
        }
    }
}
