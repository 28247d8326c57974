using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Engagement.Azure.Hosting;

/// <summary>
/// Shares the event queues out between the silos of a cluster with Orleans' <see cref="Orleans.Streams.LeaseBasedQueueBalancer"/>
/// on Azure blob leases (<see cref="Orleans.LeaseProviders.AzureBlobLeaseProvider"/>), both official. Each silo takes
/// <c>queues / silos</c> queues (the first <c>queues mod silos</c> silos, by address, one more), so the spread is even
/// whatever the queue count, unlike the consistent ring, whose randomly placed ranges can give one silo all of a few
/// queues. A silo reads a queue only while it holds that queue's lease (blob <c>queues-{queue}.json</c> in
/// <see cref="LeaseContainer"/>): a lease has one holder at a time, so two silos never read one queue together,
/// not even two clusters started by mistake on one account. When a silo joins, the others release their oldest
/// leases down to their new share and it takes them; when a silo stops gracefully it releases its leases at once; when
/// one dies, its leases run out after <see cref="LeaseBasedQueueBalancerOptions.LeaseLength"/> and the survivors,
/// whose share grew when membership declared it dead, take them at their next acquisition round.
/// </summary>
/// <remarks>
/// Settings: <c>Engagement:Ingestion:QueueBalancer:LeaseLength</c> (default 30 s here; Azure allows 15–60 s),
/// <c>LeaseRenewPeriod</c> (8 s: three renewals fit in a lease, so a storage call that takes seconds does not lose
/// it) and <c>LeaseAcquisitionPeriod</c> (5 s: how soon a silo short of its share tries again). The defaults of
/// Orleans (60 s, 29 s, 30 s) would leave a killed silo's queues unread for up to 90 s. A lease is only as good as
/// storage is fast: when a renewal takes longer than the lease (an overloaded emulator), the silo loses the queue
/// and takes it again later — still one reader at a time, but the queue pauses.
/// </remarks>
public static class QueueBalancingHostingExtensions
{
    /// <summary>Configuration section of <see cref="LeaseBasedQueueBalancerOptions"/>.</summary>
    public const string SectionName = "Engagement:Ingestion:QueueBalancer";

    /// <summary>Blob container of the queue leases.</summary>
    public const string LeaseContainer = "engagement-queue-leases";

    /// <summary>Lease category: the first part of each lease blob's name.</summary>
    public const string LeaseCategory = "queues";

    /// <summary>
    /// Uses the lease-based balancer for the persistent stream provider being configured, with blob leases on the
    /// account of <c>ConnectionStrings:AzureStorage</c> (<see cref="EngagementStorageOptions.DevelopmentConnectionString"/> when unset).
    /// </summary>
    public static void UseEngagementQueueBalancer(this ISiloPersistentStreamConfigurator streams, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(configuration);
        streams.UseAzureBlobLeaseProvider(lease => lease.Configure(o =>
        {
            o.BlobContainerName = LeaseContainer;
            o.BlobServiceClient = new BlobServiceClient(
                configuration.GetConnectionString(EngagementStorageOptions.ConnectionStringName) is { Length: > 0 } cs ? cs : EngagementStorageOptions.DevelopmentConnectionString);
        }));
        streams.UseLeaseBasedQueueBalancer(balancer => balancer
            .Configure(o =>
            {
                o.LeaseLength = TimeSpan.FromSeconds(30);
                o.LeaseRenewPeriod = TimeSpan.FromSeconds(8);
                o.LeaseAcquisitionPeriod = TimeSpan.FromSeconds(5);
            })
            .Bind(configuration.GetSection(SectionName))
            .PostConfigure(o => o.LeaseCategory = LeaseCategory)
            .Validate(
                o => o.LeaseLength >= TimeSpan.FromSeconds(15) && o.LeaseLength <= TimeSpan.FromSeconds(60)
                    && o.LeaseRenewPeriod > TimeSpan.Zero && o.LeaseRenewPeriod * 2 < o.LeaseLength
                    && o.LeaseAcquisitionPeriod > TimeSpan.Zero,
                $"{SectionName}: LeaseLength must be 15–60 s (Azure blob leases), LeaseRenewPeriod under half of it, LeaseAcquisitionPeriod above zero."));
    }
}
