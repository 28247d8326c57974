using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.Streams;

namespace Engagement.Bench.Scenarios;

/// <summary>
/// The same pipeline with storage taken out of the picture: Orleans memory streams (queue grains, pulling agents,
/// implicit subscription into the member grain) and memory grain storage. The bench publishes on the member streams
/// from inside the silo while it drains them; events/s is end to end, CPU time per event covers publishing too.
/// </summary>
internal static class IngestMemoryScenario
{
    /// <summary>Memory stream queues hold at most 16,384 events each; the publisher stays well below that.</summary>
    private const int MaxBacklogPerQueue = 8_000;

    /// <summary>A warm-up pass has settled when the JIT took at most this share of its CPU time.</summary>
    private const double SettledJitShare = 0.02;

    /// <summary>Warm-up passes at most, settled or not (the report says which); one in a smoke run.</summary>
    private const int MaxWarmUpPasses = 40;

    /// <summary>
    /// The scenario as the bench runs it: on the silo of the measured run, warm-up passes (<c>--memory-warmup</c> events
    /// each, of a tenth as many other members; not counted) until the JIT has settled, then the measured run. Tiered
    /// compilation with dynamic PGO first runs hot methods as instrumented code and recompiles them in the background;
    /// on two busy cores that takes tens of seconds, and a production silo runs for days, so the figure is the steady
    /// state. The JIT has settled when it took at most 2% of the CPU time of two passes in a row; at most 40 passes. The measured run's
    /// own JIT work is in its notes and details (<c>run.jit_methods</c>, <c>run.jit_ms</c>). The silo has what the
    /// engine's silo (<c>silo/Engagement.Silo</c>) adds to the member: campaigns (member index in memory), offers and
    /// programme metrics with their aggregators (alerts not started; the silo's 1,000 ms send linger, <c>--metrics-linger-ms</c>); <c>--memory-programme off</c> leaves offers and
    /// programme metrics out, as this scenario ran before 2026-12-03.
    /// </summary>
    public static Task RunWithWarmUpAsync(BenchOptions options, ScenarioResult result)
    {
        result.Details["programme_" + (options.MemoryProgramme ? "on" : "off")] = 1;
        result.Details["metrics_linger_ms"] = options.MemoryProgramme ? options.MetricsLingerMs : 0;
        Action<ISiloBuilder>? programme = options.MemoryProgramme
            ? s =>
            {
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Engagement:Metrics:SendLingerMilliseconds"] = options.MetricsLingerMs.ToString(CultureInfo.InvariantCulture),
                }).Build();
                s.AddEngagementOffers(configuration);
                s.AddEngagementProgramme(configuration, startAlerts: false);
            }
            : null;
        return RunAsync(options, result, programme, warmUp: true);
    }

    /// <summary>
    /// Runs the scenario on a silo of its own; <paramref name="configure"/> adds to the silo (e.g. programme metrics),
    /// <paramref name="profile"/> adds the stage profile, <paramref name="warmUp"/> first runs warm-up passes on the same
    /// silo (see <see cref="RunWithWarmUpAsync"/>). Returns the sustained events/s of the measured run.
    /// </summary>
    public static async Task<double> RunAsync(BenchOptions options, ScenarioResult result, Action<ISiloBuilder>? configure = null, bool profile = true, bool warmUp = false)
    {
        var members = options.EffectiveMemoryMembers;
        var total = options.EffectiveMemoryEvents;
        var storage = new StorageStats();
        var ledger = new CountingLedgerArchive();
        var outbox = new CountingTouchOutbox();
        var deadLetters = new CountingDeadLetterSink();
        result.Details["members"] = members;
        result.Details["events"] = total;
        result.Details["queues"] = options.Queues;
        result.Details["storage_" + options.MemoryStorage] = 1;
        result.Details["path_" + options.MemoryPath] = 1;
        result.Details["failure_filter"] = options.FailureFilter == true ? 1 : 0;
        var direct = options.MemoryPath == "direct";
        var streamNamespace = options.MemoryPath == "floor" ? FloorGrain.Namespace : StreamNames.MemberEvents;

        var time = new ShiftableTime(options.Start);
        await using var silo = await BenchSilo.StartAsync(options.RunId + "-mem", time, s =>
        {
            if (options.MemoryStorage == "local")
            {
                s.Services.AddKeyedSingleton<IGrainStorage, LocalGrainStorage>(GrainStorageNames.State);
            }
            else
            {
                s.AddMemoryGrainStorage(GrainStorageNames.State, o => o.GrainStorageSerializer = new TextJsonGrainStorageSerializer());
            }

            s.AddMemoryGrainStorage(GrainStorageNames.PubSub);
            s.UseInMemoryReminderService();
            s.AddMemoryStreams(StreamNames.Provider, streams =>
            {
                streams.ConfigurePartitioning(options.Queues);
                streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                // As the production provider: one item per delivery, 100 ms polls of an empty queue.
                streams.ConfigurePullingAgent(agent => agent.Configure(o =>
                {
                    o.BatchContainerBatchSize = 1;
                    o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(100);
                }));
            });
            s.AddEngagementGrains(new ConfigurationBuilder().Build());
            s.AddEngagementCampaigns(new ConfigurationBuilder().Build()); // campaign hooks on, member index in memory
            s.Services.AddSingleton<ILedgerArchive>(ledger);
            s.Services.AddSingleton<ITouchOutbox>(outbox);
            s.Services.AddSingleton<IDeadLetterSink>(deadLetters);
            s.AddEngagementInMemoryPorts(); // any other port (e.g. the lifecycle journal): the project's in-memory one
            if (options.FailureFilter == true)
            {
                ConsumerFailureFilterSwitch.Add(s.Services);
            }

            configure?.Invoke(s);
            CountingGrainStorage.Decorate(s.Services, GrainStorageNames.State, storage);
        });

        var provider = silo.Client.GetStreamProvider(StreamNames.Provider);
        var window = MaxBacklogPerQueue * options.Queues / 2;

        // Publishes `count` events of `events`' members and waits until every one is applied; returns the sustained rate.
        async Task<double> IngestAsync(EventFactory events, int count, string label)
        {
            var acceptedBase = IngestionMetrics.AcceptedTotal;
            long Accepted() => IngestionMetrics.AcceptedTotal - acceptedBase;
            long published = 0;
            var sampler = RateSampler.Start(Accepted);
            await using (Progress.Start(label, count, Accepted))
            {
                var now = time.GetUtcNow();
                var source = Enumerable.Range(0, count).Select(_ => events.Next(now));
                await Parallel.ForEachAsync(source, new ParallelOptions { MaxDegreeOfParallelism = 128 }, async (evt, ct) =>
                {
                    // Closed loop with a generous window: the producer never gets more than `window` events ahead.
                    while (Interlocked.Read(ref published) - Accepted() > window)
                    {
                        await Task.Delay(1, ct);
                    }

                    Interlocked.Increment(ref published);
                    if (direct)
                    {
                        await silo.Client.GetGrain<IMemberGrain>(evt.MemberId).ApplyEventAsync(evt);
                        return;
                    }

                    var stream = provider.GetStream<EngagementEvent>(StreamId.Create(streamNamespace, evt.MemberId));
                    await stream.OnNextAsync(evt);
                });
                await RateSampler.WaitForAsync(Accepted, count, TimeSpan.FromSeconds(60), label);
            }

            await sampler.DisposeAsync();
            return sampler.SustainedRate(count);
        }

        if (warmUp)
        {
            await WarmUpAsync(options, result, IngestAsync);
        }

        var writesBase = storage.Writes;
        var readsBase = storage.Reads;
        var rowsBase = ledger.Rows;
        var touchesBase = outbox.Touches;
        var lettersBase = deadLetters.Letters;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {total:N0} events for {members:N0} members through memory streams ({options.Queues} queues)"));
        var jsonBytesBase = TextJsonGrainStorageSerializer.BytesSerialized;
        var jsonStatesBase = TextJsonGrainStorageSerializer.StatesSerialized;
        GC.Collect();
        using var allocations = new AllocationSampler();
        allocations.Start();
        var before = CpuSample.Take();
        var sustained = await IngestAsync(new EventFactory(options.RunId + "m", members, seed: 3), total, "ingest");
        var delta = CpuSample.Take() - before;
        allocations.Stop();
        foreach (var (type, bytes) in allocations.Top(options.AllocTypes))
        {
            result.Details["alloc_sampled." + (type.Length > 80 ? type[..80] : type)] = (double)bytes / total;
        }

        var overall = total / delta.Wall.TotalSeconds;
        delta.AddTo(result, "run", total);
        result.Details["grain_state_writes"] = storage.Writes - writesBase;
        result.Details["grain_state_reads"] = storage.Reads - readsBase;
        result.Details["ledger_rows"] = ledger.Rows - rowsBase;
        result.Details["touches"] = outbox.Touches - touchesBase;
        result.Details["dead_letters"] = deadLetters.Letters - lettersBase;
        result.Details["overall_events_per_s"] = overall;
        var statesWritten = TextJsonGrainStorageSerializer.StatesSerialized - jsonStatesBase;
        result.Details["grain_state_json_bytes_avg"] = statesWritten > 0 ? (double)(TextJsonGrainStorageSerializer.BytesSerialized - jsonBytesBase) / statesWritten : 0;

        result.Add(new Metric
        {
            Name = "sustained throughput",
            Value = sustained,
            Unit = "events/s",
            Target = "≥ 50,000",
            Met = sustained >= 50_000,
        });
        result.Add("throughput, whole run", overall, "events/s");
        result.Add("CPU time per event", delta.Process.TotalMicroseconds / total, "µs");
        result.Add("cores busy", delta.ProcessCores, "");
        result.Add("allocated per event", (double)delta.Allocated / total, "bytes");
        if (profile)
        {
            StageProfile.Measure(result, options.RunId, members, Math.Min(total, 50_000), time.GetUtcNow());
        }

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"JIT during the measured run: {delta.JitMethods:N0} methods compiled in {delta.JitTime.TotalMilliseconds:N0} ms, {delta.JitTime / delta.Process:P1} of its CPU time."));
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{total:N0} events ({members:N0} members, 70% purchases) published on the member streams by up to 128 concurrent producers inside the silo process while the silo drains them; CPU per event = process CPU time (publishing, streaming, grains, storage copies, GC) / events; {delta.Gen0} gen0, {delta.Gen1} gen1, {delta.Gen2} gen2 GCs; alloc_sampled.* = bytes per event by type from the runtime's allocation sampling (AllocationTick, ~100 KB per sample)."));
        return sustained;
    }

    /// <summary>Warm-up passes on the measured run's silo, each with members of its own, until the JIT has settled.</summary>
    private static async Task WarmUpAsync(BenchOptions options, ScenarioResult result, Func<EventFactory, int, string, Task<double>> ingest)
    {
        var warmUpEvents = options.EffectiveMemoryWarmUpEvents;
        result.Details["warmup_events"] = warmUpEvents;
        if (warmUpEvents == 0)
        {
            return;
        }

        var members = Math.Max(20, (int)((long)options.EffectiveMemoryMembers * warmUpEvents / options.EffectiveMemoryEvents));
        var passes = 0;
        var quietPasses = 0;
        var settled = false;
        while (!settled && passes < (options.Smoke ? 1 : MaxWarmUpPasses))
        {
            passes++;
            var before = CpuSample.Take();
            var rate = await ingest(new EventFactory(string.Create(CultureInfo.InvariantCulture, $"{options.RunId}w{passes}"), members, seed: passes), warmUpEvents, "warm-up");
            var pass = CpuSample.Take() - before;
            var jitShare = pass.JitTime / pass.Process;
            quietPasses = jitShare <= SettledJitShare ? quietPasses + 1 : 0;
            settled = quietPasses >= 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  warm-up pass {passes} (not counted): {warmUpEvents:N0} events of {members:N0} members, {rate:N0} events/s, {pass.Process.TotalMicroseconds / warmUpEvents:N0} µs per event, {pass.JitMethods:N0} methods JIT-compiled ({jitShare:P1} of its CPU)"));
        }

        result.Details["warmup_passes"] = passes;
        result.Details["warmup_settled"] = settled ? 1 : 0;
        if (!settled && !options.Smoke)
        {
            result.Notes.Add($"The JIT had not settled after {passes} warm-up passes: the figure includes tiered recompilation.");
        }
    }
}
