using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>
/// One in-process silo with memory storage and in-memory reminders (both behind <see cref="StorageFaults"/>) and memory streams, in-memory ports
/// (ledger archive, touch outbox, poison queue) and the engine's clock on a <see cref="FakeTimeProvider"/>.
/// Tests use their own member ids so they share the cluster without seeing each other.
/// </summary>
public sealed class MemberClusterFixture : IAsyncLifetime
{
    /// <summary>Monday 2026-11-23 10:00 in Shanghai: outside quiet hours.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private InProcessTestCluster? _cluster;

    public FakeTimeProvider Time { get; } = new(Start);

    public InMemoryLedgerArchive Archive { get; } = new();

    public InMemoryTouchOutbox Outbox { get; } = new();

    /// <summary>What the silo archives ledger entries through: <see cref="Archive"/>, failing on demand.</summary>
    public FlakyLedgerArchive Ledger { get; }

    /// <summary>What the silo sends touches through: <see cref="Outbox"/>, failing on demand.</summary>
    public FlakyTouchOutbox Touches { get; }

    public InMemoryLifecycleJournal Journal { get; } = new();

    public InMemoryDeadLetterSink DeadLetters { get; } = new();

    /// <summary>Injected storage and reminder outages per grain; off unless a test turns them on for its own member.</summary>
    public StorageFaults Faults { get; } = new();

    public MemberClusterFixture()
    {
        Touches = new FlakyTouchOutbox(Outbox);
        Ledger = new FlakyLedgerArchive(Archive);
    }

    public IClusterClient Client => _cluster?.Client ?? throw new InvalidOperationException("cluster not started");

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorageNames.PubSub);
            silo.UseInMemoryReminderService();
            silo.AddFaultyEngagementStorage(Faults);
            silo.AddMemoryStreams(StreamNames.Provider);
            // Outbox retries in milliseconds, not seconds: OutboxRetryTests waits for them in real time.
            silo.AddEngagementGrains(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Engagement:Member:Outbox:RetryDelays:0"] = "00:00:00.050",
                ["Engagement:Member:Outbox:RetryDelays:1"] = "00:00:00.100",
                ["Engagement:Member:Outbox:RetryDelays:2"] = "00:00:01",
            }).Build());
            silo.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, Time);
            silo.Services.AddSingleton<ILedgerArchive>(Ledger);
            silo.Services.AddSingleton<ITouchOutbox>(Touches);
            silo.Services.AddSingleton<ILifecycleJournal>(Journal);
            silo.Services.AddSingleton<IDeadLetterSink>(DeadLetters);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(StreamNames.Provider));
        builder.ConfigureClient(client => client.Services.AddEngagementDomainSerialization());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A member id no other test uses.</summary>
    public static string NewMemberId(string prefix = "M") => prefix + Guid.NewGuid().ToString("N")[..12];
}

// Alone, not beside other collections: some tests read process-wide counters (reminder registrations).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemberClusterCollection : ICollectionFixture<MemberClusterFixture>
{
    public const string Name = "member cluster";
}
