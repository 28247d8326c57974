using Engagement.Azure.Hosting;
using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Engagement.Azure.Programme;

/// <summary>Puts programme alerts and metric aggregator rows on the engine's storage account.</summary>
public static class ProgrammeStorageHostingExtensions
{
    /// <summary>
    /// Publishes alerts to the queue <see cref="AlertOptions.QueueName"/> (<c>Engagement:Alerts:QueueName</c>, default
    /// <c>engagement-alerts</c>) on the account of <see cref="EngagementStorageClients"/>, and keeps the metric
    /// aggregators' rows in table <see cref="EngagementStorageOptions.MetricsTableName"/>
    /// (<see cref="AzureTableAggregatorRowStore"/>, partitioned by the cluster's service id); call with
    /// <c>AddEngagementAzureStorage</c> and <c>AddEngagementProgramme</c>, in either order.
    /// </summary>
    public static ISiloBuilder AddEngagementProgrammeStorage(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<EngagementStorageClients>();
        builder.Services.RemoveAll<IAlertPublisher>();
        builder.Services.AddSingleton<IAlertPublisher>(sp => new AzureQueueAlertPublisher(
            sp.GetRequiredService<EngagementStorageClients>().Queues,
            sp.GetRequiredService<IOptions<AlertOptions>>().Value.QueueName));
        builder.Services.TryAddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<EngagementStorageClients>();
            return new AzureTableAggregatorRowStore(clients.Tables, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, clients.Options.MetricsTableName);
        });
        builder.Services.RemoveAll<IAggregatorRowStore>();
        builder.Services.AddSingleton<IAggregatorRowStore>(sp => sp.GetRequiredService<AzureTableAggregatorRowStore>());
        return builder;
    }
}
