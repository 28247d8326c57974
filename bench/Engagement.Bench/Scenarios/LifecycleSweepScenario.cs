using System.Diagnostics;
using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Members;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// Lifecycle ticks for N members, delivered the way the reminder service delivers them: a call to
/// <c>IRemindable.ReceiveReminder</c> named <c>lifecycle</c> on each member's grain reference.
/// Members buy once; the engine's clock then moves 31 days on, so the first sweep has real work (active →
/// at-risk, win-back level 1 touches); a second sweep at the same instant shows what a quiet tick costs.
/// Grain-storage writes are counted by a wrapper on memory storage; reminder writes by the member metric.
/// </summary>
internal static class LifecycleSweepScenario
{
    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        var n = options.SweepMembers;
        var storage = new StorageStats();
        var outbox = new CountingTouchOutbox();
        var ledger = new CountingLedgerArchive();
        var time = new ShiftableTime(options.Start);
        await using var silo = await BenchSilo.StartAsync(options.RunId + "-lc", time, s =>
        {
            s.AddMemoryGrainStorage(GrainStorageNames.State, o => o.GrainStorageSerializer = new TextJsonGrainStorageSerializer());
            s.UseInMemoryReminderService();
            s.AddEngagementGrains(new ConfigurationBuilder().Build());
            s.AddEngagementCampaigns(new ConfigurationBuilder().Build()); // campaign hooks on, member index in memory
            s.Services.AddSingleton<ILedgerArchive>(ledger);
            s.Services.AddSingleton<ITouchOutbox>(outbox);
            s.Services.AddSingleton<IDeadLetterSink>(new CountingDeadLetterSink());
            s.AddEngagementInMemoryPorts(); // any other port (e.g. the lifecycle journal): the project's in-memory one
            CountingGrainStorage.Decorate(s.Services, GrainStorageNames.State, storage);
        });

        var events = new EventFactory(options.RunId + "l", n, seed: 6);
        var registrationsBefore = MemberMetrics.ReminderRegistrationCount;
        await MemberDriver.ActivateAsync(silo.Client, time, events, "seed members", n, options.CallConcurrency);
        result.Details["seed.reminder_registrations"] = MemberMetrics.ReminderRegistrationCount - registrationsBefore;
        result.Details["seed.grain_state_writes"] = storage.Writes;

        time.Advance(TimeSpan.FromDays(31));
        result.Details["clock_advanced_days"] = 31;
        var first = await SweepAsync(silo.Client, time, events, n, options, storage, outbox, ledger, "sweep 1 (31 days on)");
        var second = await SweepAsync(silo.Client, time, events, n, options, storage, outbox, ledger, "sweep 2 (quiet)");
        first.Report(result, "sweep1", n);
        second.Report(result, "sweep2", n);

        result.Add("sweep after 31 days: ticks/s", n / first.Seconds, "ticks/s");
        result.Add("sweep after 31 days: time", first.Seconds, "s");
        // 31 days after one purchase every member changes on its tick (stage, win-back level 1), so each writes once.
        result.Add(new Metric { Name = "sweep after 31 days: grain-state writes per tick", Value = (double)first.Writes / n, Unit = "", Target = "1 (every tick changes its member)", Met = first.Writes == n });
        result.Add("sweep after 31 days: touches per tick", (double)first.Touches / n, "");
        result.Add("quiet sweep: ticks/s", n / second.Seconds, "ticks/s");
        result.Add(new Metric { Name = "quiet sweep: grain-state writes per tick", Value = (double)second.Writes / n, Unit = "", Target = "≈ 0", Met = second.Writes <= n / 1000, Positive = false });
        result.Add(new Metric { Name = "reminder-table writes per tick", Value = (double)(first.ReminderWrites + second.ReminderWrites) / (2.0 * n), Unit = "", Target = "0", Met = first.ReminderWrites + second.ReminderWrites == 0, Positive = false });
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{n:N0} members, one purchase each; engine clock from {options.Start:yyyy-MM-ddTHH:mm:ssZ} (--start), then +31 days; each member ticked twice through IRemindable.ReceiveReminder(\"lifecycle\") on its grain reference, {options.CallConcurrency} calls in flight; memory grain storage with a counting wrapper; reminder writes = member reminder registrations (MemberMetrics)."));
    }

    private static async Task<Sweep> SweepAsync(IClusterClient client, TimeProvider time, EventFactory events, int n, BenchOptions options, StorageStats storage, CountingTouchOutbox outbox, CountingLedgerArchive ledger, string label)
    {
        var writes = storage.Writes;
        var touches = outbox.Touches;
        var rows = ledger.Rows;
        var registrations = MemberMetrics.ReminderRegistrationCount;
        var cpu = CpuSample.Take();
        var clock = Stopwatch.StartNew();
        var now = time.GetUtcNow().UtcDateTime;
        var status = new TickStatus(now.AddDays(-31), TimeSpan.FromDays(1), now);
        await MemberDriver.ForEachMemberAsync(label, n, options.CallConcurrency, i =>
            client.GetGrain<IMemberGrain>(events.MemberId(i)).AsReference<IRemindable>().ReceiveReminder(MemberGrain.LifecycleReminder, status));
        return new Sweep(
            clock.Elapsed.TotalSeconds,
            storage.Writes - writes,
            outbox.Touches - touches,
            ledger.Rows - rows,
            MemberMetrics.ReminderRegistrationCount - registrations,
            CpuSample.Take() - cpu);
    }

    private sealed record Sweep(double Seconds, long Writes, long Touches, long LedgerRows, long ReminderWrites, CpuDelta Cpu)
    {
        public void Report(ScenarioResult result, string prefix, int ticks)
        {
            result.Details[prefix + ".seconds"] = Seconds;
            result.Details[prefix + ".grain_state_writes"] = Writes;
            result.Details[prefix + ".touches"] = Touches;
            result.Details[prefix + ".ledger_rows"] = LedgerRows;
            result.Details[prefix + ".reminder_writes"] = ReminderWrites;
            Cpu.AddTo(result, prefix, ticks);
        }
    }
}
