using Engagement.Azure.Hosting;
using Engagement.Azure.Programme;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Engagement.Grains.Ports;
using Engagement.Grains.Programme;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Storage;

namespace Engagement.Azure.Tests.Programme;

/// <summary>
/// A silo with the engine's Azure storage and programme metrics on tables and queues of its own, against Azurite;
/// it can be stopped and started again on the same storage (a crash as far as grain memory goes), with a pinned
/// engine clock (<see cref="Clock"/>).
/// </summary>
public sealed class ProgrammeSilo : IAsyncDisposable
{
    /// <summary>Tuesday 2026-11-24 10:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private readonly string _suffix = Azurite.UniqueName("p");
    private IHost? _host;

    public FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>Fails the next N publishes before passing them to the queue (a crash between the state write and the send).</summary>
    public int FailPublishes { get; set; }

    /// <summary>
    /// Lets this many writes of the alert book reach the table, then fails the next <see cref="FailAlertBookWrites"/>
    /// (before they reach it, as a storage outage does); writes after those reach the table again.
    /// </summary>
    public int AlertBookWritesBeforeFault
    {
        get => Volatile.Read(ref _alertBookWritesBeforeFault);
        set => Volatile.Write(ref _alertBookWritesBeforeFault, value);
    }

    private int _alertBookWritesBeforeFault;

    /// <summary>Alert book writes to fail once <see cref="AlertBookWritesBeforeFault"/> have passed (0: none).</summary>
    public int FailAlertBookWrites
    {
        get => Volatile.Read(ref _failAlertBookWrites);
        set => Volatile.Write(ref _failAlertBookWrites, value);
    }

    private int _failAlertBookWrites;

    /// <summary>Alert book writes that reached the table since the silo was made.</summary>
    public int AlertBookWrites => Volatile.Read(ref _alertBookWrites);

    private int _alertBookWrites;

    /// <summary>Fails the next N applies of the metrics sink (members' emits fail; their contributions stay in the outbox).</summary>
    public int FailSinkApplies
    {
        get => Volatile.Read(ref _failSinkApplies);
        set => Volatile.Write(ref _failSinkApplies, value);
    }

    private int _failSinkApplies;

    /// <summary>Fails the next N aggregator row writes after storage wrote them (an answer lost on the way back: the rows are stored, the grain cannot know).</summary>
    public int LoseRowWriteAnswers
    {
        get => Volatile.Read(ref _loseRowWriteAnswers);
        set => Volatile.Write(ref _loseRowWriteAnswers, value);
    }

    private int _loseRowWriteAnswers;

    /// <summary>Range reads of aggregator sums (<see cref="IAggregatorRowStore.ReadSumsAsync"/>: a query each) since the silo was made.</summary>
    public long SumReads => Interlocked.Read(ref _sumReads);

    /// <summary>Aggregator keys (region × day × shard: a row each) those reads asked for.</summary>
    public long SumKeysRead => Interlocked.Read(ref _sumKeysRead);

    private long _sumReads;
    private long _sumKeysRead;

    /// <summary>The table of the aggregators' rows.</summary>
    public string MetricsTable => Table("met");

    public string AlertQueue => "alerts-" + _suffix;

    private string Table(string prefix) => prefix + _suffix;

    /// <summary>The silo's tables and touch queue (<see cref="MetricsTable"/> among them), deleted with <see cref="AlertQueue"/> when the silo is disposed.</summary>
    private SiloStorage Storage => new()
    {
        GrainStateTable = Table("gs"), ReminderTable = Table("rem"), LedgerTable = Table("ledger"), MetricsTable = MetricsTable, TouchQueue = "touches-" + _suffix,
    };

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("not started");

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public IProgrammeMetricsSink Sink => Services.GetRequiredService<IProgrammeMetricsSink>();

    public IProgrammeMetricsGrain Reader => Grains.GetGrain<IProgrammeMetricsGrain>(0);

    /// <summary>The silo's grain storage (the engine's table provider on Azurite, <see cref="AlertBookFaults"/> in front).</summary>
    public IGrainStorage GrainStorage => Services.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.State);

    /// <summary>Stores <paramref name="book"/> as the alerts grain's row (state <c>alerts</c>), as an earlier activation would have.</summary>
    public Task WriteAlertBookAsync(AlertBookState book) =>
        GrainStorage.WriteStateAsync("alerts", Grains.GetGrain<IAlertsGrain>(0).GetGrainId(), new GrainState<AlertBookState>(book));

    /// <summary>The alerts grain's row as the grain storage reads it back (its state; null when the read gave none).</summary>
    public async Task<AlertBookState?> ReadAlertBookAsync()
    {
        var stored = new GrainState<AlertBookState>();
        await GrainStorage.ReadStateAsync("alerts", Grains.GetGrain<IAlertsGrain>(0).GetGrainId(), stored);
        return stored.State;
    }

    /// <summary>
    /// When set, wraps the silo's grain storage (in front of <see cref="AlertBookFaults"/>), e.g. to fail a member's state
    /// write after storage made it (<see cref="Engagement.Azure.Tests.Members.AmbiguousMemberWrites"/>). The wrapper forwards the provider's
    /// lifecycle (its table created) when it is an <see cref="ILifecycleParticipant{TLifecycleObservable}"/>.
    /// </summary>
    public Func<IGrainStorage, IGrainStorage>? WrapGrainStorage { get; init; }

    /// <summary>When set, every log line of the silo at Information or above, over every start.</summary>
    public LogCapture? Logs { get; init; }

    /// <summary>When set, wraps the silo's health reader (<see cref="ProgrammeDaysReader"/>), e.g. to hold its reads.</summary>
    public Func<IProgrammeDaysReader, IProgrammeDaysReader>? DaysReader { get; init; }

    /// <summary>When set, the silo also hosts the offers (coupons issued with this secret, their code directory in memory).</summary>
    public string? CouponSecret { get; init; }

    /// <summary>
    /// When set, how long a grain call made in the silo waits for its answer (<c>SiloMessagingOptions.ResponseTimeout</c>,
    /// Orleans' default 30 s) where the method names no timeout of its own (<see cref="ResponseTimeoutAttribute"/> still
    /// wins, e.g. <see cref="IAlertsGrain.EvaluateAsync"/>'s 3 minutes). A test whose fault is injected after the alert
    /// evaluation's range reads sets it, so that a read slowed by a loaded machine cannot time out before the fault.
    /// </summary>
    public TimeSpan? ResponseTimeout { get; init; }

    public async Task StartAsync(IDictionary<string, string?>? settings = null)
    {
        var config = Storage.Settings();
        config["Engagement:Alerts:QueueName"] = AlertQueue;
        config["Engagement:Metrics:Shards"] = "4";
        if (CouponSecret is not null)
        {
            config["Engagement:Offers:CouponSecret"] = CouponSecret;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        _host = AzuriteSilo.Build(config, "svc-" + _suffix, Configure, Clock, builder =>
        {
            if (Logs is not null)
            {
                builder.Logging.AddProvider(Logs);
            }
        });
        await _host.StartAsync();
    }

    /// <summary>The silo's registrations: grains, Azure storage, programme metrics and alerts, with this silo's faults in front.</summary>
    private void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddEngagementGrains(configuration);
        if (ResponseTimeout is { } timeout)
        {
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = timeout);
        }

        if (CouponSecret is not null)
        {
            silo.AddEngagementOffers(configuration);
        }

        silo.AddEngagementAzureStorage(configuration);
        AlertBookFaults.Decorate(silo.Services, this);
        silo.AddEngagementInMemoryPorts(); // the poison queue (members need one; the ingestion host is not here)
        silo.AddEngagementProgramme(configuration, startAlerts: false);
        silo.AddEngagementProgrammeStorage();
        if (DaysReader is { } wrap)
        {
            silo.Services.RemoveAll<IProgrammeDaysReader>();
            silo.Services.AddSingleton(sp => wrap(new ProgrammeDaysReader(sp.GetRequiredService<IGrainFactory>())));
        }

        silo.Services.RemoveAll<IProgrammeMetricsSink>();
        silo.Services.AddSingleton<IProgrammeMetricsSink>(sp => new FlakySink(this, new GrainProgrammeMetricsSink(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>())));
        silo.Services.RemoveAll<IAggregatorRowStore>();
        silo.Services.AddSingleton<IAggregatorRowStore>(sp => new LossyRowStore(this, sp.GetRequiredService<AzureTableAggregatorRowStore>()));
        silo.Services.RemoveAll<IAlertPublisher>();
        silo.Services.AddSingleton<IAlertPublisher>(sp => new FlakyPublisher(this, new AzureQueueAlertPublisher(sp.GetRequiredService<EngagementStorageClients>().Queues, AlertQueue)));
    }

    public async Task StopAsync()
    {
        await AzuriteSilo.StopAsync(_host);
        _host = null;
    }

    /// <summary>The alert messages on the queue, oldest first (peeked, so they stay).</summary>
    public async Task<IReadOnlyList<AlertView>> AlertMessagesAsync()
    {
        var queue = StorageClients.Queues().GetQueueClient(AlertQueue);
        if (!(await queue.ExistsAsync()).Value)
        {
            return [];
        }

        var peeked = await queue.PeekMessagesAsync(32);
        return peeked.Value.Select(m => AzureQueueAlertPublisher.Deserialize(m.Body.ToString())!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Storage.DeleteAsync(AlertQueue);
    }

    /// <summary>Passes to the aggregators unless the silo is told to fail the next applies.</summary>
    internal sealed class FlakySink(ProgrammeSilo silo, IProgrammeMetricsSink inner) : IProgrammeMetricsSink
    {
        public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
        {
            if (Interlocked.Decrement(ref silo._failSinkApplies) >= 0)
            {
                throw new IOException("simulated crash before the contributions reached the aggregators");
            }

            Interlocked.Increment(ref silo._failSinkApplies);
            return inner.ApplyAsync(contributions);
        }
    }

    /// <summary>Writes through to the table, then reports a failure while the silo is told to lose answers.</summary>
    internal sealed class LossyRowStore(ProgrammeSilo silo, IAggregatorRowStore inner) : IAggregatorRowStore
    {
        public Task<IReadOnlyList<AggregatorRow>> ReadAsync(string aggregatorKey, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(aggregatorKey, cancellationToken);

        public bool SharedByTheCluster => inner.SharedByTheCluster;

        public Task<IReadOnlyDictionary<string, DayCounters>> ReadSumsAsync(IReadOnlyCollection<string> aggregatorKeys, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref silo._sumReads);
            Interlocked.Add(ref silo._sumKeysRead, aggregatorKeys.Count);
            return inner.ReadSumsAsync(aggregatorKeys, cancellationToken);
        }

        public async Task<IReadOnlyDictionary<int, string>> WriteAsync(string aggregatorKey, IReadOnlyList<AggregatorRow> rows, DayCounters? total = null, CancellationToken cancellationToken = default)
        {
            var etags = await inner.WriteAsync(aggregatorKey, rows, total, cancellationToken);
            if (Interlocked.Decrement(ref silo._loseRowWriteAnswers) >= 0)
            {
                throw new TimeoutException("simulated: the rows were stored but the answer was lost");
            }

            Interlocked.Increment(ref silo._loseRowWriteAnswers);
            return etags;
        }
    }

    /// <summary>Passes to the queue publisher unless the silo is told to fail the next publishes.</summary>
    internal sealed class FlakyPublisher(ProgrammeSilo silo, IAlertPublisher inner) : IAlertPublisher
    {
        public Task PublishAsync(IReadOnlyList<AlertView> alerts, CancellationToken cancellationToken = default)
        {
            if (silo.FailPublishes > 0)
            {
                silo.FailPublishes--;
                throw new IOException("simulated crash before the alert reached the queue");
            }

            return inner.PublishAsync(alerts, cancellationToken);
        }
    }

    /// <summary>
    /// The grain storage of the alert book (state <c>alerts</c>) in front of the Azure table provider: the writes the silo
    /// is told to fail (<see cref="AlertBookWritesBeforeFault"/>, <see cref="FailAlertBookWrites"/>) throw a 503 as the
    /// table would, before anything is written; every other call reaches the table (the pattern of GrainStateSizeGuard).
    /// </summary>
    internal sealed class AlertBookFaults(ProgrammeSilo silo, IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public static void Decorate(IServiceCollection services, ProgrammeSilo silo)
        {
            var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, GrainStorageNames.State));
            var factory = original.KeyedImplementationFactory!;
            services.Remove(original);
            services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.State, (sp, key) =>
            {
                var faults = new AlertBookFaults(silo, (IGrainStorage)factory(sp, key));
                return silo.WrapGrainStorage?.Invoke(faults) ?? faults;
            });
        }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (stateName == "alerts")
            {
                if (Interlocked.Decrement(ref silo._alertBookWritesBeforeFault) < 0)
                {
                    Interlocked.Increment(ref silo._alertBookWritesBeforeFault);
                    if (Interlocked.Decrement(ref silo._failAlertBookWrites) >= 0)
                    {
                        throw new global::Azure.RequestFailedException(503, "simulated: the table refused the alert book's write (server busy)");
                    }

                    Interlocked.Increment(ref silo._failAlertBookWrites);
                }

                await inner.WriteStateAsync(stateName, grainId, grainState);
                Interlocked.Increment(ref silo._alertBookWrites);
                return;
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        /// <summary>The provider's own start (its table created), as the storage it stands in front of has it.</summary>
        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
    }
}
