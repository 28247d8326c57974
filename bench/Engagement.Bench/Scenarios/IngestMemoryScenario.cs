using System.Globalization;
using Engagement.Bench.Infrastructure;
using Engagement.Bench.Reporting;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
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

    /// <summary>
    /// The scenario as the bench runs it: a warm-up pass on a silo of its own (<c>--memory-warmup</c> events of a tenth of
    /// the members; not counted), so the measured run is the sustained rate and JIT compilation is not in its CPU figure.
    /// </summary>
    public static async Task RunWithWarmUpAsync(BenchOptions options, ScenarioResult result)
    {
        var warmUpEvents = options.EffectiveMemoryWarmUpEvents;
        result.Details["warmup_events"] = warmUpEvents;
        if (warmUpEvents > 0)
        {
            var members = Math.Max(20, (int)((long)options.EffectiveMemoryMembers * warmUpEvents / options.EffectiveMemoryEvents));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up (not counted): {warmUpEvents:N0} events of {members:N0} members"));
            await RunAsync(options.WithMemorySize(warmUpEvents, members), new ScenarioResult { Name = "warm-up" }, profile: false);
        }

        await RunAsync(options, result);
    }

    /// <summary>Runs the scenario; <paramref name="configure"/> adds to the silo (e.g. programme metrics), <paramref name="profile"/> adds the stage profile. Returns the sustained events/s.</summary>
    public static async Task<double> RunAsync(BenchOptions options, ScenarioResult result, Action<ISiloBuilder>? configure = null, bool profile = true)
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
        var direct = options.MemoryPath == "direct";

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
            configure?.Invoke(s);
            CountingGrainStorage.Decorate(s.Services, GrainStorageNames.State, storage);
        });

        var events = new EventFactory(options.RunId + "m", members, seed: 3);
        var provider = silo.Client.GetStreamProvider(StreamNames.Provider);
        var acceptedBase = IngestionMetrics.AcceptedTotal;
        long Accepted() => IngestionMetrics.AcceptedTotal - acceptedBase;
        var window = MaxBacklogPerQueue * options.Queues / 2;
        long published = 0;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {total:N0} events for {members:N0} members through memory streams ({options.Queues} queues)"));
        GC.Collect();
        using var allocations = new AllocationSampler();
        allocations.Start();
        var before = CpuSample.Take();
        var sampler = RateSampler.Start(Accepted);
        await using (Progress.Start("ingest", total, Accepted))
        {
            var now = time.GetUtcNow();
            var source = Enumerable.Range(0, total).Select(_ => events.Next(now));
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

                var stream = provider.GetStream<EngagementEvent>(StreamId.Create(StreamNames.MemberEvents, evt.MemberId));
                await stream.OnNextAsync(evt);
            });
            await RateSampler.WaitForAsync(Accepted, total, TimeSpan.FromSeconds(60), "ingest-memory");
        }

        var delta = CpuSample.Take() - before;
        allocations.Stop();
        foreach (var (type, bytes) in allocations.Top(15))
        {
            result.Details["alloc_sampled." + (type.Length > 80 ? type[..80] : type)] = (double)bytes / total;
        }

        await sampler.DisposeAsync();
        var sustained = sampler.SustainedRate(total);
        var overall = total / delta.Wall.TotalSeconds;
        delta.AddTo(result, "run", total);
        result.Details["grain_state_writes"] = storage.Writes;
        result.Details["grain_state_reads"] = storage.Reads;
        result.Details["ledger_rows"] = ledger.Rows;
        result.Details["touches"] = outbox.Touches;
        result.Details["dead_letters"] = deadLetters.Letters;
        result.Details["overall_events_per_s"] = overall;

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
            $"{total:N0} events ({members:N0} members, 70% purchases) published on the member streams by up to 128 concurrent producers inside the silo process while the silo drains them; CPU per event = process CPU time (publishing, streaming, grains, storage copies, GC) / events; {delta.Gen0} gen0, {delta.Gen1} gen1, {delta.Gen2} gen2 GCs; alloc_sampled.* = bytes per event by type from the runtime's allocation sampling (AllocationTick, ~100 KB per sample)."));
        return sustained;
    }
}
