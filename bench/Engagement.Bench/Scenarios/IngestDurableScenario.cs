using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Ledger;
using Engagement.Azure.Programme;
using Engagement.Azure.Reminders;
using Engagement.Azure.Touches;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Touches;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The production pipeline on Azurite: events on the storage queues, one in-process silo composed like the real
/// host (table grain storage, table reminders, ledger archive, touch outbox, queue streams). Phases:
/// (1) preload M events, start the silo and time the drain (sustained events/s);
/// (2) with the members resident, publish at half that rate and measure publish→durably-applied latency per event;
/// and, first of all, (0) the storage ceiling on the same, still fresh Azurite.
/// </summary>
internal static class IngestDurableScenario
{
    public static async Task RunAsync(BenchOptions options, ScenarioResult result)
    {
        if (!HasStorage(options, result, out var connectionString))
        {
            return;
        }

        var run = options.RunId;
        var prefix = $"bench-{run}";
        var names = StorageNames(connectionString, run, prefix);
        // The engine's clock (which the queue receivers check events on too) and the events' times start at --start,
        // whose time of day is the run's, not the wall clock's.
        var time = new ShiftableTime(options.Start);
        var queueService = new QueueServiceClient(connectionString);
        var tableService = new TableServiceClient(connectionString);
        var publisher = new Publisher(queueService, prefix, options.Queues);
        var events = new EventFactory(run + "d", options.Members, seed: 1, options.Regions);
        var m = options.Events;
        result.Details["members"] = options.Members;
        result.Details["events"] = m;
        result.Details["queues"] = options.Queues;
        result.Details["failure_filter"] = options.FailureFilter == false ? 0 : 1;
        result.Details["regions"] = options.Regions;
        result.Details["ledger_batch"] = options.LedgerBatch ?? new MemberOutboxOptions().LedgerBatch;
        result.Details["metrics_linger_ms"] = options.MetricsLingerMs;
        result.Details["metrics_shards"] = options.MetricsShards ?? new Engagement.Domain.Metrics.MetricsOptions().Shards;

        try
        {
            await publisher.CreateQueuesAsync();

            // Phase 0: the storage ceiling first, on a fresh Azurite (Azurite slows down as the engine's rows pile up).
            // Rows the size of the members' final state, simulated with the same load through the pure rules.
            // With the programme-metric rules at the silo's defaults, as the silo runs them (state.simulated_with_metrics 1).
            var stateChars = StageProfile.AverageFinalStateChars(run + "d", options.Members, m, time.GetUtcNow(), new Engagement.Domain.Metrics.MetricsOptions());
            result.Details["state.simulated_json_chars"] = stateChars;
            result.Details["state.simulated_with_metrics"] = 1;
            var ceilingCount = Math.Min(options.EffectiveCeilingEvents, m);
            var ceiling = new StorageCeiling(queueService, tableService, $"{prefix}-c", $"B{run}Ceiling", options.Queues, time);
            var ceilingEvents = new EventFactory(run + "c", options.Members, seed: 2);
            var serialCpu = CpuSample.Take();
            var serial = await ceiling.MeasureAsync("serial", ceilingEvents, ceilingCount, stateChars, parallelBatch: false);
            (CpuSample.Take() - serialCpu).AddTo(result, "ceiling_serial", ceilingCount);
            var parallelCpu = CpuSample.Take();
            var parallel = await ceiling.MeasureAsync("batch-parallel", ceilingEvents, ceilingCount, stateChars, parallelBatch: true);
            (CpuSample.Take() - parallelCpu).AddTo(result, "ceiling_parallel", ceilingCount);
            var ceilingRate = Math.Max(serial, parallel);

            // Phase 1a: preload, so the silo meets a full backlog and its drain rate is its capacity.
            Console.WriteLine($"  preloading {m:N0} events for {options.Members:N0} members on {options.Queues} queues");
            var publishStart = CpuSample.Take();
            var purchases = 0L;
            await using (Progress.Start("publish", m, () => publisher.Sent))
            {
                var now = time.GetUtcNow();
                var load = Enumerable.Range(0, m).Select(_ =>
                {
                    var evt = events.Next(now);
                    purchases += evt.Type == EventTypes.Purchase ? 1 : 0;
                    return evt;
                });
                await (options.DrainBatch > 1 ? publisher.SendBatchesAsync(load, options.DrainBatch, concurrency: 64) : publisher.SendAllAsync(load, concurrency: 64));
            }

            result.Details["drain.events_per_message"] = options.DrainBatch;

            var publishDelta = CpuSample.Take() - publishStart;
            result.Details["publish.events_per_s"] = m / publishDelta.Wall.TotalSeconds;
            result.Details["purchases"] = purchases;

            // Phase 1b: the silo drains the backlog.
            var storage = new StorageStats();
            var tracker = new AppliedTracker();
            var counters = new OperationCounters();
            var indexChanges = new IndexChangeCounter();
            var configuration = EngineConfiguration(connectionString, prefix, options.Queues, run, options);

            var acceptedBase = IngestionMetrics.AcceptedTotal;
            var duplicateBase = IngestionMetrics.DuplicateTotal;
            var poisonedBase = IngestionMetrics.PoisonedTotal;
            var reminderBase = ReminderTableStats.Shared.Upserts;
            var registrationBase = MemberMetrics.ReminderRegistrationCount;
            long Accepted() => IngestionMetrics.AcceptedTotal - acceptedBase;

            string? stalled = null;
            var drainStart = CpuSample.Take();
            // Every table request, whoever makes it (state, reminders, ledger, member index, lifecycle journal, membership).
            using var census = StorageOperations.Start();
            var sampler = RateSampler.Start(Accepted);
            BenchSilo? silo = await StartEngineAsync(prefix, time, names, configuration, s =>
            {
                CountingGrainStorage.Decorate(s.Services, GrainStorageNames.State, storage, tracker.OnWritten);
                counters.Decorate(s.Services);
                indexChanges.Decorate(s.Services);
            });
            var siloStarted = sampler.Elapsed;
            var reminders = silo.Services.GetRequiredService<ReminderTableStats>();
            reminderBase = reminders == ReminderTableStats.Shared ? reminderBase : 0;
            try
            {
                await using (Progress.Start("ingest", m, Accepted))
                {
                    try
                    {
                        // Longer than the 5-minute visibility timeout, so undeleted messages get their redelivery.
                        await RateSampler.WaitForAsync(Accepted, m, TimeSpan.FromSeconds(400), "ingest-durable drain", TimeSpan.FromSeconds(Math.Max(420, m / 20.0)));
                    }
                    catch (TimeoutException ex)
                    {
                        stalled = ex.Message;
                    }
                }

                var drainDelta = CpuSample.Take() - drainStart;
                await sampler.DisposeAsync();
                var applied = Accepted();
                var sustained = stalled is null ? sampler.SustainedRate(m) : sampler.SustainedRate(applied);
                result.Details["drain.applied"] = applied;
                result.Details["drain.silo_start_s"] = siloStarted;
                result.Details["drain.first_applied_after_s"] = sampler.FirstAt();
                result.Details["drain.overall_events_per_s"] = sampler.OverallRate(m);
                var idle = sampler.LongestIdle(m);
                result.Details["drain.longest_idle_s"] = idle;
                if (idle >= 10)
                {
                    result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                        $"The drain stood still for up to {idle:F0} s at a time with messages still on the queues (the silo idle): see bench/README.md, \"Known stall\"."));
                }

                drainDelta.AddTo(result, "drain", m);
                result.Details["drain.grain_state_reads"] = storage.Reads;
                result.Details["drain.grain_state_writes"] = storage.Writes;
                result.Details["drain.ledger_appends"] = counters.LedgerAppends;
                result.Details["drain.touch_messages"] = counters.Touches;
                result.Details["drain.dead_letters"] = IngestionMetrics.PoisonedTotal - poisonedBase;
                result.Details["drain.duplicates"] = IngestionMetrics.DuplicateTotal - duplicateBase;
                var reminderWrites = reminders.Upserts - reminderBase;
                var registrations = MemberMetrics.ReminderRegistrationCount - registrationBase;
                result.Details["drain.reminder_table_upserts"] = reminderWrites;
                result.Details["drain.reminder_registrations"] = registrations;
                var tableWrites = storage.Writes + counters.LedgerAppends + reminderWrites;
                result.Details["drain.state_ledger_reminder_writes_per_event"] = (double)tableWrites / m;
                var drainTableWrites = census.TableWrites;
                census.AddTo(result, "drain", m, run);
                census.Dispose();

                // Phase 2: latency at half the measured capacity, members already resident (skipped after a stall).
                // Half the engine's rate on one-event messages (the latency phase sends those): the ceiling's when the drain was batched.
                var singleRate = options.DrainBatch > 1 ? Math.Min(sustained, ceilingRate) : sustained;
                var latencyEvents = stalled is not null ? 0 : options.Smoke ? Math.Min(100, m) : Math.Min(m / 2, Math.Max(1_000, (int)(singleRate * 0.5 * 30)));
                var pace = Math.Max(singleRate * 0.5, 1);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency: {latencyEvents:N0} events at {pace:N0}/s (half the sustained rate)"));
                var latencyBase = Accepted();
                var latencyPurchasesBase = purchases;
                var (stateBase2, ledgerBase2, reminderBase2) = (storage.Writes, counters.LedgerAppends, reminders.Upserts);
                using var latencyCensus = StorageOperations.Start();
                var indexBefore = indexChanges.Snapshot();
                var now2 = time.GetUtcNow();
                await using (Progress.Start("latency", latencyEvents, () => tracker.Applied))
                {
                    if (latencyEvents > 0)
                    {
                    await publisher.SendPacedAsync(
                        () =>
                        {
                            var evt = events.Next(now2);
                            Interlocked.Add(ref purchases, evt.Type == EventTypes.Purchase ? 1 : 0);
                            return evt;
                        },
                        latencyEvents,
                        pace,
                        concurrency: 64,
                        tracker.Publishing);
                    await RateSampler.WaitForAsync(() => tracker.Applied, latencyEvents, TimeSpan.FromSeconds(60), "ingest-durable latency");
                    }
                }

                var latencies = tracker.SortedLatencies();
                result.Details["latency.events"] = latencies.Count;
                result.Details["latency.publish_rate_per_s"] = pace;
                result.Details["latency.max_ms"] = latencies.Count > 0 ? latencies[^1] : 0;
                result.Details["latency.mean_ms"] = latencies.Count > 0 ? latencies.Average() : 0;

                // Reminder writes over the whole ingest (both phases), against purchases.
                if (stalled is null)
                {
                    await RateSampler.WaitForAsync(Accepted, latencyBase + latencyEvents, TimeSpan.FromSeconds(30), "ingest-durable latency (accepted)");
                }

                // Members already known (every one has its reminder): the steady state of a programme whose members
                // are enrolled long before they buy. The drain's figure above has a first contact in every 8 events.
                var knownWrites = storage.Writes - stateBase2 + (counters.LedgerAppends - ledgerBase2) + (reminders.Upserts - reminderBase2);
                result.Details["latency.state_ledger_reminder_writes_per_event"] = latencyEvents > 0 ? (double)knownWrites / latencyEvents : 0;
                var knownPerEvent = latencyEvents > 0 ? (double)latencyCensus.TableWrites / latencyEvents : 0;
                latencyCensus.AddTo(result, "latency", latencyEvents, run);
                foreach (var (change, rows) in indexChanges.Snapshot())
                {
                    var delta = rows - indexBefore.GetValueOrDefault(change);
                    if (delta > 0 && latencyEvents > 0)
                    {
                        result.Details["latency.index_rows_per_event." + change] = (double)delta / latencyEvents;
                    }
                }

                result.Details["latency.reminder_table_upserts"] = reminders.Upserts - reminderBase2;
                var totalReminderWrites = reminders.Upserts - reminderBase;
                var distinctMembers = Math.Min(options.Members, m);
                result.Details["reminder.table_upserts_total"] = totalReminderWrites;
                result.Details["reminder.distinct_members"] = distinctMembers;
                result.Details["reminder.purchases_total"] = purchases;

                if (stalled is null)
                {
                    await VisitsPhase.MeasureAsync(silo, publisher, events, tracker, now2, Math.Min(pace, 50), options.Visits, result, run);
                    await VisitsPhase.MeasureWakeUpsAsync(silo, publisher, events, tracker, now2, Math.Min(pace, 50), options.Visits, result, run);
                    await IdlePollingPhase.MeasureAsync(options, result);
                }

                // The engine's real state size, to compare with the simulated one the ceiling rows used.
                result.Details["state.average_json_chars"] = await AverageStateCharsAsync(tableService.GetTableClient(names.GrainStateTableName));

                var (stateBeforeStop, ledgerBeforeStop) = (storage.Writes, counters.LedgerAppends);
                await silo.DisposeAsync();
                silo = null;

                // Deactivation archives what still waits in each member's outbox (fewer than LedgerBatch entries).
                result.Details["deactivation.ledger_transactions"] = counters.LedgerAppends - ledgerBeforeStop;
                result.Details["deactivation.grain_state_writes"] = storage.Writes - stateBeforeStop;

                var ratio = sustained / ceilingRate;

                result.Add("sustained throughput", sustained, "events/s");
                result.Add("latency p50", Stats.Percentile(latencies, 50), "ms");
                result.Add("latency p95", Stats.Percentile(latencies, 95), "ms");
                result.Add("latency p99", Stats.Percentile(latencies, 99), "ms");
                result.Add("storage ceiling, serial (Q in flight)", serial, "events/s");
                result.Add("storage ceiling, batch-parallel (≤32·Q in flight)", parallel, "events/s");
                result.Add(new Metric
                {
                    Name = options.DrainBatch > 1 ? $"engine / storage ceiling (drain sent as batches of {options.DrainBatch}: not comparable)" : "engine / storage ceiling",
                    Value = Math.Round(ratio * 100, 1),
                    Unit = "%",
                    Target = options.DrainBatch > 1 ? null : "≥ 60%",
                    Met = options.DrainBatch > 1 ? null : ratio >= 0.6,
                });
                var perPurchase = purchases > 0 ? (double)totalReminderWrites / purchases : 0;
                var beyondFirst = purchases > 0 ? Math.Max(0, totalReminderWrites - distinctMembers) / (double)purchases : 0;
                result.Add(new Metric { Name = "reminder-table writes per purchase", Value = Math.Round(perPurchase, 4), Unit = "", Positive = false });
                result.Add(new Metric
                {
                    Name = "reminder-table writes per purchase beyond each member's first registration",
                    Value = Math.Round(beyondFirst, 4),
                    Unit = "",
                    Target = "≈ 0",
                    Met = beyondFirst < 0.001,
                    Positive = false,
                });
                result.Add(new Metric { Name = "table write requests per event (every table), drain of new members", Value = Math.Round((double)drainTableWrites / m, 2), Unit = "", Positive = true });
                result.Add(new Metric { Name = "table write requests per event (every table), members already known (latency phase)", Value = Math.Round(knownPerEvent, 3), Unit = "", Target = "≤ 1.05", Met = knownPerEvent is > 0 and <= 1.05 });
                if (stalled is not null)
                {
                    result.Status = ScenarioResult.Failed;
                    result.Message = "the drain stalled: " + stalled + " (throughput is over the events applied before the stall; no latency phase)";
                    result.Notes.Add(result.Message);
                }

                result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Throughput: {m:N0} events preloaded on {options.Queues} queues, then one silo started (composed like silo/Engagement.Silo: table grain storage, table reminders, ledger archive, touch outbox, campaign member index, queue streams); sustained = events applied between 10% and 90% of the drain / that time."));
                result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Latency: {latencies.Count:N0} further events published at {pace:N0}/s (half the sustained rate) to resident members; per event, from just before the queue send to the completion of the first grain-state write that contains it (a counting wrapper around the table grain storage sees the write return; the event is found in the written state by orderId or eventId). The 100 ms empty-queue poll interval is part of it, and so is the idle back-off for the first event after a quiet spell (at most a tenth of the quiet time)."));
                result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Ceiling: a bare loop per queue (receive 32; per message upsert a {stateChars:N0}-char row like the member's state, delete the message), {ceilingCount:N0} messages per shape, on the same Azurite before the engine's phases (Azurite gets slower as rows pile up, so measuring it after the engine would understate it); the ratio uses the higher of the two shapes. The engine also archives ledger entries (one transaction per Engagement:Member:Outbox:LedgerBatch entries, default 32) and registers a reminder once per member, and writes a member-index row when an audience attribute changes, so it does more table work per event than the ceiling loop (see the table write requests per event, for new and for known members, and the requests by table in the details)."));
            }
            finally
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }
        }
        finally
        {
            await CleanUpAsync(queueService, tableService, publisher, names, prefix, run);
        }
    }

    /// <summary>Whether the run has storage (Azurite); if not, the scenario is marked skipped, saying how to start it.</summary>
    internal static bool HasStorage(BenchOptions options, ScenarioResult result, out string connectionString)
    {
        connectionString = options.ConnectionString ?? "";
        if (connectionString.Length > 0)
        {
            return true;
        }

        result.Status = ScenarioResult.Skipped;
        result.Message = "needs Azurite: eval \"$(scripts/azurite start /tmp/bench-azurite)\" sets AZURE_STORAGE_CONNECTION_STRING (and AZURITE_PID, for its CPU)";
        return false;
    }

    /// <summary>The tables and touch queue of one engine run.</summary>
    internal static EngagementStorageOptions StorageNames(string connectionString, string run, string prefix) => new()
    {
        ConnectionString = connectionString,
        GrainStateTableName = $"B{run}State",
        ReminderTableName = $"B{run}Reminders",
        LedgerTableName = $"B{run}Ledger",
        MetricsTableName = $"B{run}Metrics",
        TouchQueueName = $"{prefix}-touches",
    };

    /// <summary>
    /// One silo composed like silo/Engagement.Silo (table grain storage, table reminders, ledger archive, touch
    /// outbox, offers, campaign member index, queue streams, programme metrics with their aggregator rows in a table;
    /// alerts not started) over <paramref name="names"/>; <paramref name="extra"/> decorates. Before 2026-12-03 it had
    /// neither offers nor programme metrics.
    /// </summary>
    internal static Task<BenchSilo> StartEngineAsync(string serviceId, ShiftableTime time, EngagementStorageOptions names, IConfiguration configuration, Action<ISiloBuilder>? extra = null) =>
        BenchSilo.StartAsync(serviceId, time, s =>
        {
            s.AddEngagementGrains(configuration);
            s.AddEngagementOffers(configuration);
            s.AddEngagementAzureStorage(o =>
            {
                o.ConnectionString = names.ConnectionString;
                o.GrainStateTableName = names.GrainStateTableName;
                o.ReminderTableName = names.ReminderTableName;
                o.LedgerTableName = names.LedgerTableName;
                o.MetricsTableName = names.MetricsTableName;
                o.TouchQueueName = names.TouchQueueName;
            });
            s.AddEngagementCampaignStorage(configuration);
            s.AddEngagementQueueStreams(configuration);
            if (configuration[FailureFilterKey] == "off")
            {
                ConsumerFailureFilterSwitch.Remove(s.Services);
            }

            s.AddEngagementProgramme(configuration, startAlerts: false);
            s.AddEngagementProgrammeStorage();
            extra?.Invoke(s);
        });

    /// <summary>The bench's own key in <see cref="EngineConfiguration"/>: "off" takes the ConsumerFailureFilter out (<c>--failure-filter off</c>).</summary>
    internal const string FailureFilterKey = "Bench:FailureFilter";

    /// <summary>The engine's configuration for a run: its queues and member-index table.</summary>
    internal static IConfiguration EngineConfiguration(string connectionString, string prefix, int queues, string run, BenchOptions? options = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = connectionString,
            ["Engagement:Ingestion:QueueNamePrefix"] = prefix,
            ["Engagement:Ingestion:QueueCount"] = queues.ToString(CultureInfo.InvariantCulture),
            ["Engagement:Campaigns:MemberIndexTableName"] = IndexTable(run),
        };
        if (options?.FailureFilter == false)
        {
            settings[FailureFilterKey] = "off";
        }

        if (options?.IdlePollMaxMs is { } ms)
        {
            settings["Engagement:Ingestion:IdlePollMaxInterval"] = TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture);
        }

        settings["Engagement:Metrics:SendLingerMilliseconds"] = (options?.MetricsLingerMs ?? BenchOptions.SiloMetricsLingerMs).ToString(CultureInfo.InvariantCulture);
        if (options?.MetricsShards is { } shards)
        {
            settings["Engagement:Metrics:Shards"] = shards.ToString(CultureInfo.InvariantCulture);
        }

        if (options?.LedgerBatch is { } batch)
        {
            settings["Engagement:Member:Outbox:LedgerBatch"] = batch.ToString(CultureInfo.InvariantCulture);
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    internal static string IndexTable(string run) => $"B{run}Index";

    private static async Task<int> AverageStateCharsAsync(TableClient table)
    {
        long chars = 0;
        var rows = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(maxPerPage: 200))
        {
            foreach (var (key, value) in entity)
            {
                // The official table provider keeps a string-format state in StringData (split into more columns past 32K chars).
                if ((key.StartsWith("StringData", StringComparison.Ordinal) || key.StartsWith("Data", StringComparison.Ordinal)) && value is string text)
                {
                    chars += text.Length;
                }
            }

            if (++rows >= 200)
            {
                break;
            }
        }

        return rows == 0 ? 1_000 : (int)(chars / rows);
    }

    private static async Task CleanUpAsync(QueueServiceClient queues, TableServiceClient tables, Publisher publisher, EngagementStorageOptions names, string prefix, string run)
    {
        try
        {
            await publisher.DeleteQueuesAsync();
            await queues.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(prefix)).DeleteIfExistsAsync();
            await queues.GetQueueClient(names.TouchQueueName).DeleteIfExistsAsync();
            foreach (var table in new[] { names.GrainStateTableName, names.ReminderTableName, names.LedgerTableName, IndexTable(run), $"B{run}Ceiling" })
            {
                await tables.DeleteTableAsync(table);
            }
        }
        catch (global::Azure.RequestFailedException ex)
        {
            Console.WriteLine($"  (clean-up of {prefix} incomplete: {ex.Message})");
        }
    }

    /// <summary>Counts what the silo sends to the ledger archive and the touch outbox, passing everything on.</summary>
    private sealed class OperationCounters
    {
        private long _ledgerAppends;
        private long _touches;

        public long LedgerAppends => Interlocked.Read(ref _ledgerAppends);

        public long Touches => Interlocked.Read(ref _touches);

        public void Decorate(IServiceCollection services)
        {
            services.RemoveAll<ILedgerArchive>();
            services.AddSingleton<ILedgerArchive>(sp => new CountingArchive(sp.GetRequiredService<AzureTableLedgerArchive>(), this));
            services.RemoveAll<ITouchOutbox>();
            services.AddSingleton<ITouchOutbox>(sp => new CountingOutbox(sp.GetRequiredService<AzureQueueTouchOutbox>(), this));
        }

        private sealed class CountingArchive(ILedgerArchive inner, OperationCounters counters) : ILedgerArchive
        {
            public async Task AppendAsync(string memberId, IReadOnlyList<LedgerEntryView> entries, CancellationToken cancellationToken = default)
            {
                await inner.AppendAsync(memberId, entries, cancellationToken);
                Interlocked.Add(ref counters._ledgerAppends, (entries.Count + 99) / 100);
            }

            public Task<IReadOnlyList<LedgerEntryView>> ReadAsync(string memberId, string? kind, long? before, int limit, CancellationToken cancellationToken = default) =>
                inner.ReadAsync(memberId, kind, before, limit, cancellationToken);
        }

        private sealed class CountingOutbox(ITouchOutbox inner, OperationCounters counters) : ITouchOutbox
        {
            public async Task SendAsync(IReadOnlyList<TouchMessage> touches, CancellationToken cancellationToken = default)
            {
                await inner.SendAsync(touches, cancellationToken);
                Interlocked.Add(ref counters._touches, touches.Count);
            }
        }
    }
}
