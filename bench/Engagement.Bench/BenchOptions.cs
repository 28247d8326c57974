using System.Globalization;
using Engagement.Domain.Metrics;

namespace Engagement.Bench;

/// <summary>Command line of the benchmark; see bench/README.md.</summary>
internal sealed class BenchOptions
{
    public const string IngestDurable = "ingest-durable";
    public const string IngestMemory = "ingest-memory";
    public const string Footprint = "footprint";
    public const string Lifecycle = "lifecycle";
    public const string Campaign = "campaign";
    public const string CampaignCoupons = "campaign-coupons";
    public const string ConsoleSearch = "console-search";
    public const string Backlog = "backlog";
    public const string TwoSilo = "two-silo";
    public const string MetricsRatio = "metrics-ratio";

    /// <summary>The rules alone on one thread (<see cref="Scenarios.RulesScenario"/>); only when named.</summary>
    public const string Rules = "rules";

    public static readonly IReadOnlyList<string> AllScenarios = [IngestDurable, IngestMemory, Footprint, Lifecycle, Campaign, CampaignCoupons, TwoSilo, Backlog, ConsoleSearch, MetricsRatio];

    public List<string> Scenarios { get; } = [];

    public bool Smoke { get; private set; }

    /// <summary>Members of ingest-durable (N).</summary>
    public int Members { get; private set; } = 2_000;

    /// <summary>Events of ingest-durable (M).</summary>
    public int Events { get; private set; } = 20_000;

    /// <summary>Members of ingest-memory; default 10 × N.</summary>
    public int? MemoryMembers { get; private set; }

    /// <summary>Events of ingest-memory; default 10 × M.</summary>
    public int? MemoryEvents { get; private set; }

    /// <summary>Events of ingest-memory's warm-up pass (not counted: JIT, pools, Orleans' caches); default a tenth of the run, 0 = none.</summary>
    public int? MemoryWarmUpEvents { get; private set; }

    /// <summary>How many allocated types ingest-memory reports (<c>alloc_sampled.*</c>, most bytes first); default 15.</summary>
    public int AllocTypes { get; private set; } = 15;

    /// <summary>Resident members of the footprint scenario.</summary>
    public int Resident { get; private set; } = 100_000;

    /// <summary>
    /// Footprint: members also measured as loaded from storage (activated, deactivated, activated again by a read), as
    /// after a silo restart; 0 (default) skips that phase.
    /// </summary>
    public int FootprintReload { get; private set; }

    /// <summary>Members ticked by the lifecycle sweep.</summary>
    public int SweepMembers { get; private set; } = 100_000;

    /// <summary>Campaign audience size.</summary>
    public int Audience { get; private set; } = 100_000;

    /// <summary>Event queues (the engine's read concurrency); the production default is 4.</summary>
    public int Queues { get; private set; } = 4;

    /// <summary>Events pre-queued in the backlog scenario (default 20,000).</summary>
    public int BacklogEvents { get; private set; } = 20_000;

    /// <summary>Members of the backlog scenario (default 2,000).</summary>
    public int BacklogMembers { get; private set; } = 2_000;

    /// <summary>Events per message in the backlog scenario's batch drain, 1–100 (default 50).</summary>
    public int BacklogBatch { get; private set; } = 50;

    /// <summary>
    /// Events per message in ingest-durable's preloaded drain, 1–100 (default 1). With more, the drain is quick even
    /// for many events per member (batch messages cost Azurite one queue operation for all their events), so the
    /// latency phase meets members with a long history; the engine/ceiling ratio then compares unlike loads.
    /// </summary>
    public int DrainBatch { get; private set; } = 1;

    /// <summary>
    /// ingest-durable's visits phase: known members that get one event each in an activation of their own and are
    /// deactivated after it (default 200; 20 with <c>--smoke</c>; 0 skips it; at most the members).
    /// </summary>
    public int Visits { get; private set; } = 200;

    /// <summary>Seconds ingest-durable's silo runs without events at its end, counting its queue receives (default 30; 2 with <c>--smoke</c>).</summary>
    public int IdleSeconds { get; private set; } = 30;

    /// <summary>The engine's <c>Engagement:Ingestion:IdlePollMaxInterval</c> in ms for the queue scenarios (default: the engine's, 2,000).</summary>
    public int? IdlePollMaxMs { get; private set; }

    /// <summary>
    /// ingest-durable: regions the members are spread over (1–200, default 1): each region has its own day and gauge
    /// aggregators per shard, so more regions means fewer outcomes per aggregator commit, as in a programme of many
    /// regions at an ordinary hour.
    /// </summary>
    public int Regions { get; private set; } = 1;

    /// <summary>The engine's <c>Engagement:Member:Outbox:LedgerBatch</c> for the queue scenarios, 1–100 (default: the engine's, 32).</summary>
    public int? LedgerBatch { get; private set; }

    /// <summary>The silo's <c>Engagement:Metrics:SendLingerMilliseconds</c> (<c>silo/Engagement.Silo/appsettings.json</c>).</summary>
    public const int SiloMetricsLingerMs = 1_000;

    /// <summary>The engine's <c>Engagement:Metrics:SendLingerMilliseconds</c> in ingest-memory and the queue scenarios, 0–5,000 (default: the silo's, <see cref="SiloMetricsLingerMs"/>).</summary>
    public int MetricsLingerMs { get; private set; } = SiloMetricsLingerMs;

    /// <summary>The engine's <c>Engagement:Metrics:Shards</c> in the queue scenarios, 1–64 (default: the engine's, 8).</summary>
    public int? MetricsShards { get; private set; }

    /// <summary>Messages per storage-ceiling pass; default min(M, 10,000).</summary>
    public int? CeilingEvents { get; private set; }

    /// <summary>Concurrent calls the bench keeps in flight when it drives grains directly.</summary>
    public int CallConcurrency { get; private set; } = 256;

    /// <summary>
    /// The instant the engine's clock shows when each scenario starts (it then runs at real speed): 2026-06-01 12:00
    /// Asia/Shanghai (Monday, outside the members' quiet hours 21:00–09:00) unless <c>--start</c> says otherwise, so a
    /// run's outcome never depends on the time of day it happens at (the queue receivers check events on this clock too).
    /// </summary>
    public DateTimeOffset Start { get; private set; } = DefaultStart;

    public static readonly DateTimeOffset DefaultStart = new(2026, 6, 1, 4, 0, 0, TimeSpan.Zero);

    public string OutDirectory { get; private set; } = Path.Combine("bench", "results");

    public string? ConnectionString { get; private set; } = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");

    /// <summary>Short id in every name a run creates (queues, tables, member ids), so runs never collide.</summary>
    public string RunId { get; } = "b" + Guid.NewGuid().ToString("N")[..7];

    public int EffectiveMemoryMembers => MemoryMembers ?? Members * 10;

    public int EffectiveMemoryEvents => MemoryEvents ?? Events * 10;

    /// <summary>ingest-memory's grain storage: <c>grain</c> (Orleans' memory storage, a storage grain per call) or <c>local</c> (<see cref="Infrastructure.LocalGrainStorage"/>).</summary>
    public string MemoryStorage { get; private set; } = "grain";

    /// <summary>How ingest-memory hands events to members: <c>stream</c> (memory streams, pulling agents; default), <c>direct</c> (a grain call per event, no stream) or <c>floor</c> (the same streams and storage into <see cref="Infrastructure.FloorGrain"/>, which keeps the event and writes its state, with none of the engine's rules).</summary>
    public string MemoryPath { get; private set; } = "stream";

    /// <summary>ingest-memory: whether the silo has offers and programme metrics, as the engine's silo does (<c>--memory-programme on|off</c>, default on).</summary>
    public bool MemoryProgramme { get; private set; } = true;

    /// <summary>
    /// rules: whether the member rules run with the programme-metric rules, as the engine's silo runs them
    /// (<c>--rules-metrics on|off</c>, default on: <c>MetricsOptions</c> at its defaults, the silo's own, whose one
    /// override in <c>appsettings.json</c>, <c>SendLingerMilliseconds</c>, is the aggregators' and not the rules').
    /// </summary>
    public bool RulesMetrics { get; private set; } = true;

    /// <summary>
    /// The silo's ConsumerFailureFilter (the poison reason's consumer detail; every grain call then goes through
    /// Orleans' filter invoker): null as each scenario's silo is composed (on in the queue scenarios, as in
    /// <c>silo/Engagement.Silo</c>; off in ingest-memory, which has no queue streams); <c>--failure-filter off</c>
    /// takes it out of ingest-durable's and backlog's silos, <c>on</c> adds it to ingest-memory's.
    /// </summary>
    public bool? FailureFilter { get; private set; }

    public int EffectiveMemoryWarmUpEvents => MemoryWarmUpEvents ?? Math.Max(200, EffectiveMemoryEvents / 10);

    /// <summary>A copy with the in-memory ingest sized to <paramref name="events"/> events of <paramref name="members"/> members (e.g. a warm-up run).</summary>
    public BenchOptions WithMemorySize(int events, int members)
    {
        var copy = (BenchOptions)MemberwiseClone();
        copy.MemoryEvents = events;
        copy.MemoryMembers = members;
        return copy;
    }

    public int EffectiveCeilingEvents => CeilingEvents ?? Math.Min(Events, 10_000);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var sized = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--smoke":
                    options.Smoke = true;
                    break;
                case "--members": options.Members = Int(args, ref i, sized); break;
                case "--events": options.Events = Int(args, ref i, sized); break;
                case "--memory-members": options.MemoryMembers = Int(args, ref i, sized); break;
                case "--memory-events": options.MemoryEvents = Int(args, ref i, sized); break;
                case "--memory-storage":
                    options.MemoryStorage = Value(args, ref i) is var storage && storage is "grain" or "local"
                        ? storage
                        : throw new UsageException("--memory-storage is grain or local");
                    break;
                case "--memory-path":
                    options.MemoryPath = Value(args, ref i) is var path && path is "stream" or "direct" or "floor"
                        ? path
                        : throw new UsageException("--memory-path is stream, direct or floor");
                    break;
                case "--memory-programme":
                    options.MemoryProgramme = Value(args, ref i) switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new UsageException("--memory-programme is on or off"),
                    };
                    break;
                case "--failure-filter":
                    options.FailureFilter = Value(args, ref i) switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new UsageException("--failure-filter is on or off"),
                    };
                    break;
                case "--rules-metrics":
                    options.RulesMetrics = Value(args, ref i) switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new UsageException("--rules-metrics is on or off"),
                    };
                    break;
                case "--memory-warmup": options.MemoryWarmUpEvents = Int(args, ref i, sized, min: 0); break;
                case "--alloc-types": options.AllocTypes = Int(args, ref i, sized); break;
                case "--resident": options.Resident = Int(args, ref i, sized); break;
                case "--footprint-reload": options.FootprintReload = Int(args, ref i, sized, min: 0); break;
                case "--sweep-members": options.SweepMembers = Int(args, ref i, sized); break;
                case "--audience": options.Audience = Int(args, ref i, sized); break;
                case "--queues": options.Queues = Int(args, ref i, sized); break;
                case "--ceiling-events": options.CeilingEvents = Int(args, ref i, sized); break;
                case "--backlog-events": options.BacklogEvents = Int(args, ref i, sized); break;
                case "--backlog-members": options.BacklogMembers = Int(args, ref i, sized); break;
                case "--backlog-batch": options.BacklogBatch = Int(args, ref i, sized) is var b and <= 100 ? b : throw new UsageException("--backlog-batch is 1 to 100 events a message"); break;
                case "--drain-batch": options.DrainBatch = Int(args, ref i, sized) is var d and <= 100 ? d : throw new UsageException("--drain-batch is 1 to 100 events a message"); break;
                case "--visits": options.Visits = Int(args, ref i, sized, min: 0); break;
                case "--idle-seconds": options.IdleSeconds = Int(args, ref i, sized); break;
                case "--idle-poll-max-ms": options.IdlePollMaxMs = Int(args, ref i, sized) is var ms and >= 100 and <= 60_000 ? ms : throw new UsageException("--idle-poll-max-ms is 100 to 60000"); break;
                case "--metrics-shards": options.MetricsShards = Int(args, ref i, sized) is var sh and <= 64 ? sh : throw new UsageException("--metrics-shards is 1 to 64"); break;
                case "--metrics-linger-ms": options.MetricsLingerMs = Int(args, ref i, sized, min: 0) is var ml and <= MetricsOptions.MaxSendLingerMilliseconds ? ml : throw new UsageException("--metrics-linger-ms is 0 to 5000"); break;
                case "--regions": options.Regions = Int(args, ref i, sized) is var rg and <= 200 ? rg : throw new UsageException("--regions is 1 to 200"); break;
                case "--ledger-batch": options.LedgerBatch = Int(args, ref i, sized) is var lb and <= 100 ? lb : throw new UsageException("--ledger-batch is 1 to 100 entries a transaction"); break;
                case "--concurrency": options.CallConcurrency = Int(args, ref i, sized); break;
                case "--start": options.Start = Instant(args, ref i); break;
                case "--out": options.OutDirectory = Value(args, ref i); break;
                case "--connection-string": options.ConnectionString = Value(args, ref i); break;
                case "-h" or "--help":
                    throw new UsageException(null);
                default:
                    if (arg.StartsWith('-') || !(AllScenarios.Contains(arg, StringComparer.Ordinal) || arg == Rules))
                    {
                        throw new UsageException($"unknown argument '{arg}'");
                    }

                    if (!options.Scenarios.Contains(arg, StringComparer.Ordinal))
                    {
                        options.Scenarios.Add(arg);
                    }

                    break;
            }
        }

        if (options.Scenarios.Count == 0)
        {
            options.Scenarios.AddRange(AllScenarios);
        }

        // Only these compose their silo with the switch: any other scenario would run as composed and report nothing amiss.
        if (options.FailureFilter is { } filter
            && options.Scenarios.Except([IngestDurable, Backlog, IngestMemory], StringComparer.Ordinal).ToList() is { Count: > 0 } ignoring)
        {
            throw new UsageException(
                $"--failure-filter {(filter ? "on" : "off")} is honoured by {IngestDurable}, {Backlog} and {IngestMemory} only, not by {string.Join(", ", ignoring)}: name those scenarios");
        }

        if (options.Smoke)
        {
            // Tiny sizes unless given explicitly: the whole run stays well under a minute.
            options.Members = sized.Contains("--members") ? options.Members : 100;
            options.Events = sized.Contains("--events") ? options.Events : 400;
            options.IdleSeconds = sized.Contains("--idle-seconds") ? options.IdleSeconds : 2;
            options.Visits = sized.Contains("--visits") ? options.Visits : 20;
            options.MemoryMembers ??= 200;
            options.MemoryEvents ??= 2_000;
            options.Resident = sized.Contains("--resident") ? options.Resident : 2_000;
            options.SweepMembers = sized.Contains("--sweep-members") ? options.SweepMembers : 1_000;
            options.Audience = sized.Contains("--audience") ? options.Audience : 1_000;
            options.CeilingEvents ??= 200;
            options.BacklogEvents = sized.Contains("--backlog-events") ? options.BacklogEvents : 400;
            options.BacklogMembers = sized.Contains("--backlog-members") ? options.BacklogMembers : 40;
        }

        return options;
    }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Engagement.Bench -- [scenario...] [options]

        scenarios (default: all): ingest-durable ingest-memory footprint lifecycle campaign campaign-coupons two-silo backlog console-search metrics-ratio
                               (and, only when named: rules — the member rules alone, one thread, per event type)
          --members N          ingest-durable members (default 2000; two-silo: per pass)
          --events M           ingest-durable events (default 20000; two-silo: per pass)
          --memory-members N   ingest-memory members (default 10 x --members)
          --memory-events M    ingest-memory events (default 10 x --events); metrics-ratio runs it twice
          --memory-storage S   ingest-memory grain storage: grain (Orleans' memory storage, default) or local (in
                               process, no storage grain: the state is serialized and kept, nothing else)
          --memory-path P      ingest-memory: stream (memory streams and pulling agents, default), direct (the
                               bench calls each member grain: what the member costs without the stream) or floor
                               (the same streams and storage into a grain that only keeps the event in its state
                               and writes it once: the platform's floor, none of the engine's rules)
          --memory-programme X ingest-memory: on (default; offers and programme metrics with their aggregators, as the
                               engine's silo) or off (the member with campaigns only, as before 2026-12-03)
          --rules-metrics X    rules: on (default; the programme-metric rules run with the member's, as in the
                               engine's silo) or off (the member rules alone, as before 2026-12-05)
          --memory-warmup W    ingest-memory warm-up events per pass, not counted, on the measured silo; passes
                               repeat until the JIT settles, at most 40 (default a tenth of M; 0 = none)
          --alloc-types N      ingest-memory: report the N types with the most bytes allocated (alloc_sampled.*,
                               default 15; more shows a small type, e.g. one object a member makes per event)
          --resident N         footprint resident members (default 100000; 1000000 needs ~12 GB free); also
                               the members console-search seeds into the search and member indexes
          --footprint-reload N footprint: also N members loaded from storage, as after a silo restart (activated
                               by a purchase, deactivated, read again; state kept in process; default 0 = off)
          --sweep-members N    lifecycle sweep members (default 100000)
          --audience N         campaign audience (default 100000)
          --queues Q           event queues (default 4, as in production)
          --ceiling-events C   messages per storage-ceiling pass (default min(M, 10000))
          --backlog-events B   backlog: events pre-queued before the engine starts (default 20000)
          --backlog-members N  backlog: members (default 2000)
          --backlog-batch K    backlog: events per message in its batch drain, 1-100 (default 50)
          --drain-batch K      ingest-durable: events per message in the preloaded drain, 1-100 (default 1); more
                               gives the latency phase members with a long history (e.g. --events 25000 --members 500
                               --drain-batch 50: 50 events each)
          --visits V           ingest-durable: V known members get one event each in an activation of their own
                               and are deactivated after it, as a live programme's members come and go; reports
                               the table writes of such an event, its deactivation included (default 200; 20
                               with --smoke; 0 skips the phase)
          --idle-seconds N     ingest-durable: seconds without events at the end, counting idle queue receives
                               (default 30; 2 with --smoke)
          --idle-poll-max-ms N the engine's longest pause between polls of a quiet queue, 100-60000 (default 2000;
                               100 polls at a fixed rate, as before the idle back-off)
          --metrics-linger-ms N the engine's Engagement:Metrics:SendLingerMilliseconds in ingest-memory and the queue
                               scenarios, 0-5000 (default 1000, as the silo's appsettings.json; the library's own
                               default is 50): how long a silo collects contributions per aggregator before one commit
          --metrics-shards N   the engine's Engagement:Metrics:Shards in the queue scenarios, 1-64 (default 8):
                               aggregators per region and day, and per region for gauges
          --regions R          ingest-durable: members spread over R regions, 1-200 (default 1): each region has
                               its own metric aggregators, so each commit carries fewer outcomes, as at an
                               ordinary hour of a programme of many regions
          --ledger-batch K     the engine's ledger entries per archive transaction, 1-100 (default 32): more means
                               fewer ledger writes per event and a larger member state (the entries wait in it)
          --failure-filter on|off the silo's ConsumerFailureFilter (the poison reason's consumer detail): off takes it
                               out of ingest-durable's and backlog's silos, on adds it to ingest-memory's (default:
                               as the silo is composed, on with queue streams, absent in ingest-memory); refused
                               with any other scenario, which would ignore it
          --concurrency K      grain calls in flight when the bench drives grains (default 256)
          --start INSTANT      engine clock at the start of each scenario, ISO-8601 UTC (default 2026-06-01T04:00:00Z,
                               noon in Shanghai, outside quiet hours; then it runs at real speed)
          --out DIR            where latest.json and latest.md go (default bench/results)
          --connection-string  Azurite/Azure storage (default $AZURE_STORAGE_CONNECTION_STRING)
          --smoke              tiny sizes for every scenario (< ~60 s on a quiet machine), used by the test suite
        """;

    private static int Int(string[] args, ref int i, HashSet<string> sized, int min = 1)
    {
        var name = args[i];
        var text = Value(args, ref i);
        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new UsageException(min == 1 ? $"{name} needs a positive whole number, not '{text}'" : $"{name} needs a whole number of at least {min}, not '{text}'");
        }

        sized.Add(name);
        return value;
    }

    private static DateTimeOffset Instant(string[] args, ref int i)
    {
        var name = args[i];
        var text = Value(args, ref i);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new UsageException($"{name} needs an ISO-8601 instant such as 2026-06-01T04:00:00Z, not '{text}'");
        }

        return value;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new UsageException($"{args[i]} needs a value");
        }

        return args[++i];
    }
}

/// <summary>A command line the bench cannot run; the message says why.</summary>
internal sealed class UsageException(string? message) : Exception(message ?? "usage");
