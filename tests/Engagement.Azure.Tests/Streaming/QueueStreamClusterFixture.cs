using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Engagement.Azure.Hosting;
using Engagement.Azure.Streaming;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A real one-silo Orleans cluster reading real Azurite queues through the project's provider. Each fixture
/// uses its own queue-name prefix, so its queues and poison queue are its own.
/// </summary>
public abstract class QueueStreamClusterFixture : IAsyncLifetime
{
    public const int QueueCount = 2;

    private InProcessTestCluster? _cluster;

    public string Prefix { get; } = Azurite.UniqueName("evt");

    public QueueServiceClient Queues { get; } = new(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public QueueClient Queue(int index) => Queues.GetQueueClient(QueuePartitioner.QueueName(Prefix, index));

    public QueueClient QueueOf(string memberId) => Queue(QueuePartitioner.QueueIndex(memberId, QueueCount));

    public QueueClient Poison => Queues.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(Prefix));

    protected abstract IDictionary<string, string?> Settings { get; }

    public async Task InitializeAsync()
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = Azurite.ConnectionString,
            ["Engagement:Ingestion:QueueNamePrefix"] = Prefix,
            ["Engagement:Ingestion:QueueCount"] = QueueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in Settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddEngagementQueueStreams(configuration);
            silo.Services.AddEngagementDomainSerialization();
            silo.Services.AddKeyedSingleton<TimeProvider>(EngagementTime.Key, new FakeTimeProvider(Wire.Now)); // the receivers' "now"

            // Only the test consumer subscribes here; the real member grain has its own tests.
            silo.Services.PostConfigure<GrainTypeOptions>(o =>
                o.Classes.RemoveWhere(t => t.Assembly == typeof(IDeadLetterSink).Assembly));
        });
        builder.ConfigureClient(client => client.Services.AddEngagementDomainSerialization());
        _cluster = builder.Build();
        for (var i = 0; i < QueueCount; i++)
        {
            await Queue(i).CreateIfNotExistsAsync();
        }

        await Poison.CreateIfNotExistsAsync();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        for (var i = 0; i < QueueCount; i++)
        {
            await Queue(i).DeleteIfExistsAsync();
        }

        await Poison.DeleteIfExistsAsync();
    }

    /// <summary>Messages on a queue, invisible ones included.</summary>
    public static async Task<int> CountAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>The poison messages whose body contains <paramref name="marker"/>.</summary>
    public Task<IReadOnlyList<PoisonMessage>> PoisonWithAsync(string marker) => PoisonWithAsync(Poison, marker);

    /// <summary>The messages of <paramref name="poison"/> whose body contains <paramref name="marker"/>.</summary>
    public static async Task<IReadOnlyList<PoisonMessage>> PoisonWithAsync(QueueClient poison, string marker)
    {
        PeekedMessage[] peeked = await poison.PeekMessagesAsync(32);
        return peeked
            .Select(m => JsonSerializer.Deserialize<PoisonMessage>(m.Body.ToString(), EventJson.Options)!)
            .Where(p => p.Body.Contains(marker, StringComparison.Ordinal))
            .ToList();
    }
}

public sealed record PoisonMessage(string Reason, string Queue, string Body);

/// <summary>Production defaults, except a small queue count.</summary>
public sealed class DefaultIngestionCluster : QueueStreamClusterFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>();
}

/// <summary>
/// Messages come back fast: a failed delivery is visible again after 2 s, dead-lettered on the third receive once
/// it is 4 s old (real time: the queue's InsertedOn against the silo's wall clock).
/// </summary>
public sealed class FastRedeliveryCluster : QueueStreamClusterFixture
{
    public static readonly TimeSpan PoisonAfter = TimeSpan.FromSeconds(4);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Engagement:Ingestion:VisibilityTimeout"] = "00:00:02",
        ["Engagement:Ingestion:DeliveryRetryWindow"] = "00:00:00.300",
        ["Engagement:Ingestion:MaxDequeueCount"] = "2",
        ["Engagement:Ingestion:PoisonAfter"] = PoisonAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// As <see cref="FastRedeliveryCluster"/>, with the default <see cref="IngestionOptions.PoisonAfter"/> (24 h): a
/// message received far more than MaxDequeueCount times within a test is never dead-lettered for it.
/// </summary>
public sealed class OutageRedeliveryCluster : QueueStreamClusterFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Engagement:Ingestion:VisibilityTimeout"] = "00:00:02",
        ["Engagement:Ingestion:DeliveryRetryWindow"] = "00:00:00.300",
        ["Engagement:Ingestion:MaxDequeueCount"] = "2",
    };
}

[CollectionDefinition(Name)]
public sealed class DefaultIngestionCollection : ICollectionFixture<DefaultIngestionCluster>
{
    public const string Name = "queue ingestion, default options";
}

[CollectionDefinition(Name)]
public sealed class FastRedeliveryCollection : ICollectionFixture<FastRedeliveryCluster>
{
    public const string Name = "queue ingestion, fast redelivery";
}

[CollectionDefinition(Name)]
public sealed class OutageRedeliveryCollection : ICollectionFixture<OutageRedeliveryCluster>
{
    public const string Name = "queue ingestion, fast redelivery, default PoisonAfter";
}
