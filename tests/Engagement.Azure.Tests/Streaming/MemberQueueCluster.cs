using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Engagement.Grains.Offers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// The real member grains behind the project's queue provider on real Azurite queues, one silo; grain state in
/// memory behind a switch that fails one member's writes (so its stream deliveries fail); every log line kept.
/// Messages come back fast: a failed delivery is given up after 300 ms and the message is visible again after 2 s.
/// </summary>
public sealed class MemberQueueCluster : IAsyncLifetime
{
    private const string InnerStorage = GrainStorageNames.State + "-inner";

    private InProcessTestCluster? _cluster;

    public string Prefix { get; } = Azurite.UniqueName("mem");

    public LogCapture Logs { get; } = new();

    /// <summary>Member ids whose grain-state writes fail while they are in here.</summary>
    public ConcurrentDictionary<string, bool> FailingWrites { get; } = new(StringComparer.Ordinal);

    public IClusterClient Client => _cluster?.Client ?? throw new InvalidOperationException("Not started.");

    public QueueServiceClient Queues { get; } = new(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    /// <summary>The poison queue of <see cref="Prefix"/>.</summary>
    public QueueClient Poison => Queues.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(Prefix));

    public QueueClient QueueOf(string memberId) => Queues.GetQueueClient(QueuePartitioner.QueueName(Prefix, QueuePartitioner.QueueIndex(memberId, 1)));

    public async Task InitializeAsync()
    {
        _cluster = BuildCluster(Settings(Prefix, "member-queue-cluster-coupon-secret-0123"), Logs, (silo, _) =>
        {
            silo.UseInMemoryReminderService();
            silo.AddMemoryGrainStorage(InnerStorage);
            silo.Services.AddKeyedSingleton<IGrainStorage>(
                GrainStorageNames.State,
                (sp, _) => new SwitchedStorage(sp.GetRequiredKeyedService<IGrainStorage>(InnerStorage), FailingWrites));
        });
        await QueueOf("any").CreateIfNotExistsAsync();
        await Poison.CreateIfNotExistsAsync();
        await _cluster.DeployAsync();
    }

    /// <summary>
    /// The settings every member-grains-on-the-queues cluster shares: Azurite, one queue named by <paramref name="prefix"/>,
    /// a failed delivery given up after 300 ms and visible again after 2 s, and a coupon secret.
    /// </summary>
    internal static Dictionary<string, string?> Settings(string prefix, string couponSecret) => new()
    {
        ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
        ["Engagement:Ingestion:QueueNamePrefix"] = prefix,
        ["Engagement:Ingestion:QueueCount"] = "1",
        ["Engagement:Ingestion:VisibilityTimeout"] = "00:00:02",
        ["Engagement:Ingestion:DeliveryRetryWindow"] = "00:00:00.300",
        ["Engagement:Offers:CouponSecret"] = couponSecret,
    };

    /// <summary>
    /// One silo of the real member grains behind the project's queue provider, configured by <paramref name="settings"/>,
    /// logging into <paramref name="logs"/>, its grain state and reminders registered by <paramref name="storage"/> (before
    /// the grains and the in-memory ports, which only fill gaps), the engine clock pinned at <see cref="Wire.Now"/>; not
    /// yet deployed.
    /// </summary>
    internal static InProcessTestCluster BuildCluster(Dictionary<string, string?> settings, LogCapture logs, Action<ISiloBuilder, IConfiguration> storage)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddLogging(logging => logging.AddProvider(logs));
            storage(silo, configuration);
            silo.AddEngagementGrains(configuration);
            silo.AddEngagementOffers(configuration);
            silo.AddEngagementQueueStreams(configuration); // its poison-queue sink first: the in-memory ports only fill gaps
            silo.AddEngagementInMemoryPorts();
            silo.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, new FakeTimeProvider(Wire.Now));
            silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.Remove(typeof(TestConsumerGrain)));
        });
        builder.ConfigureClient(client => client.Services.AddEngagementDomainSerialization());
        return builder.Build();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await QueueOf("any").DeleteIfExistsAsync();
        await Poison.DeleteIfExistsAsync();
    }

    private sealed class SwitchedStorage(IGrainStorage inner, ConcurrentDictionary<string, bool> failing) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            failing.ContainsKey(grainId.Key.ToString()!)
                ? throw new IOException($"injected: writing the state of {grainId} failed")
                : inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}

[CollectionDefinition(Name)]
public sealed class MemberQueueCollection : ICollectionFixture<MemberQueueCluster>
{
    public const string Name = "member grains on the queues";
}
