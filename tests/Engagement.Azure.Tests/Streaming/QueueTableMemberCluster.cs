using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Contracts.Events;
using Engagement.Grains.Campaigns;
using Orleans.TestingHost;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// One silo of the real member grains behind the project's queue provider (<see cref="MemberQueueCluster.BuildCluster"/>),
/// its grain state, reminders and ledger in Azurite tables of its own and one event queue, all named after a unique
/// suffix and removed when the fixture is disposed. What a fixture changes (a state bound, ingestion timings) it sets in
/// <see cref="Configure"/>.
/// </summary>
/// <param name="prefix">The queue prefix's letters, before the unique suffix (lowercase).</param>
/// <param name="couponSecret">The silo's coupon secret (at least 32 characters).</param>
public abstract class QueueTableMemberCluster(string prefix, string couponSecret) : IAsyncLifetime
{
    private static QueueServiceClient Queues { get; } = new(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    private readonly string _suffix = Azurite.UniqueName(prefix[..1]);
    private InProcessTestCluster? _cluster;

    /// <summary>The grain-state, reminder and ledger tables, in that order.</summary>
    protected string[] Tables => ["gs" + _suffix, "rem" + _suffix, "ledger" + _suffix];

    private string Prefix => prefix + _suffix;

    private string TouchQueue => "touches-" + _suffix;

    /// <summary>What the silo logged.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The cluster's client; throws before <see cref="InitializeAsync"/>.</summary>
    public IClusterClient Client => _cluster?.Client ?? throw new InvalidOperationException("Not started.");

    /// <summary>The one event queue.</summary>
    public QueueClient Queue => Queues.GetQueueClient(QueuePartitioner.QueueName(Prefix, 0));

    /// <summary>The poison queue of the event queue.</summary>
    public QueueClient Poison => Queues.GetQueueClient(QueuePartitioner.PoisonQueueNameFor(Prefix));

    /// <summary>Sets what this fixture's silo runs with beyond the tables and queues (nothing by default).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var settings = MemberQueueCluster.Settings(Prefix, couponSecret);
        settings["Engagement:Storage:GrainStateTableName"] = Tables[0];
        settings["Engagement:Storage:ReminderTableName"] = Tables[1];
        settings["Engagement:Storage:LedgerTableName"] = Tables[2];
        settings["Engagement:Storage:TouchQueueName"] = TouchQueue;
        Configure(settings);
        _cluster = MemberQueueCluster.BuildCluster(settings, Logs, (silo, configuration) =>
        {
            silo.AddEngagementAzureStorage(configuration);
            silo.AddEngagementCampaigns(configuration); // binds Engagement:Campaigns, as the silo's AddEngagementCampaignStorage does
        });
        await Queue.CreateIfNotExistsAsync();
        await Poison.CreateIfNotExistsAsync();
        await _cluster.DeployAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await Queue.DeleteIfExistsAsync();
        await Poison.DeleteIfExistsAsync();
        await Queues.GetQueueClient(TouchQueue).DeleteIfExistsAsync();
        foreach (var table in Tables)
        {
            await StorageClients.DeleteTableQuietlyAsync(table);
        }
    }
}
