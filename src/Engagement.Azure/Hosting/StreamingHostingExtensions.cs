using Azure.Storage.Queues;
using Engagement.Azure.Streaming;
using Engagement.Contracts.Events;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Engagement.Azure.Hosting;

/// <summary>
/// Registers the queue ingestion (<see cref="StreamNames.Provider"/>) on a silo or client.
/// </summary>
/// <remarks>
/// <para><b>Why a message is deleted only after its member applied it.</b> The pulling agent (Orleans 10.4)
/// calls <c>MessagesDeliveredAsync</c> only with items <c>IQueueCache.TryPurgeFromCache</c> returned, and it
/// purges at the start of each read from the queue. The cache (<see cref="EngagementQueueCache"/>) releases an
/// item only when every cursor of its own stream has moved past it. A consumer's cursor rests on the item being
/// delivered for the whole of <c>DeliverBatch</c>, which awaits the grain's <c>OnNextAsync</c> (where the member
/// persists its state), and moves on only when it returns. A new stream's first item is pinned by the agent's own
/// cursor until the implicit consumer's handshake created its cursor. An item whose delivery finally failed is
/// flagged and left out of the purged list, so it is not deleted and the queue redelivers it after the visibility
/// timeout. This holds for <c>BatchContainerBatchSize = 1</c>, which is pinned below. Unlike Orleans'
/// <c>SimpleQueueCache</c>, which purges whole buckets oldest first, one slow member holds only its own
/// items: the rest of the queue is deleted and read on behind it.</para>
/// <para><b>Queue balancing.</b> Orleans' lease-based balancer on blob leases (see
/// <see cref="QueueBalancingHostingExtensions"/>): an even share per silo, one lease holder per queue. Between a
/// silo releasing a lease and its pulling agent stopping, a new holder may already read that queue; with storage
/// queues that is safe — a received message is invisible to other readers, and events are deduped by eventId — at
/// worst one member's events interleave out of order for that moment, which the member's rules tolerate.</para>
/// <para><b>Pub-sub.</b> Implicit subscriptions only: no PubSubStore grain storage is needed, and no
/// rendezvous grain is activated per member.</para>
/// </remarks>
public static class StreamingHostingExtensions
{
    /// <summary>
    /// Adds the queue stream provider, its options, the poison-queue sink and the <see cref="QueueHandBacks"/> the
    /// silo's stop line waits on (on the real clock; a test may register its own) to a silo, with the filter that keeps
    /// why a consumer failed for the poison reason (<see cref="ConsumerFailures"/>).
    /// </summary>
    public static ISiloBuilder AddEngagementQueueStreams(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEngagementIngestion(configuration);
        builder.Services.TryAddSingleton<QueueHandBacks>(_ => new QueueHandBacks(TimeProvider.System));

        // Why a consumer kept failing, for the poison reason: the agent's failure handler is given only the item's token.
        builder.Services.TryAddSingleton<ConsumerFailures>();
        builder.AddOutgoingGrainCallFilter<ConsumerFailureFilter>();
        builder.AddPersistentStreams(StreamNames.Provider, EngagementQueueAdapterFactory.Create, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.UseEngagementQueueBalancer(configuration);
            streams.ConfigurePullingAgent(agent => agent.Configure<IOptions<IngestionOptions>>((pulling, ingestion) =>
            {
                pulling.GetQueueMsgsTimerPeriod = ingestion.Value.PollInterval;
                pulling.MaxEventDeliveryTime = ingestion.Value.DeliveryRetryWindow;

                // Larger batches move the cursor past items before they are delivered; see remarks.
                pulling.BatchContainerBatchSize = 1;
            }));
        });
        return builder;
    }

    /// <summary>Adds the provider to an Orleans client, so it can publish member events through the queues.</summary>
    public static IClientBuilder AddEngagementQueueStreams(this IClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddEngagementIngestion(configuration);
        builder.AddPersistentStreams(
            StreamNames.Provider,
            EngagementQueueAdapterFactory.Create,
            streams => streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly));
        return builder;
    }

    private static void AddEngagementIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestionOptions>()
            .Bind(configuration.GetSection(IngestionOptions.SectionName))
            .Configure(o => o.ConnectionString ??= configuration.GetConnectionString("AzureStorage"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        services.TryAddSingleton<IDeadLetterSink>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IngestionOptions>>().Value;
            var queue = new QueueServiceClient(options.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None })
                .GetQueueClient(options.PoisonQueueName);
            return new AzureQueueDeadLetterSink(queue, sp.GetRequiredService<ILogger<AzureQueueDeadLetterSink>>());
        });
    }
}
