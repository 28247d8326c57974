using Engagement.Azure.Campaigns;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Hosting;

/// <summary>Registers the campaign engine with its member index on Azure Table storage.</summary>
public static class CampaignStorageHostingExtensions
{
    /// <summary>
    /// Adds the campaign services (<c>Engagement:Campaigns</c>, see <see cref="CampaignOptions"/>) and the member index
    /// in the table <see cref="CampaignOptions.MemberIndexTableName"/> of the account registered by
    /// <c>AddEngagementAzureStorage</c> (call that too). The table is created when the silo starts.
    /// </summary>
    public static ISiloBuilder AddEngagementCampaignStorage(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp =>
        {
            var clients = sp.GetRequiredService<EngagementStorageClients>();
            var options = sp.GetRequiredService<IOptions<CampaignOptions>>().Value;
            return new AzureTableMemberIndex(clients.Tables, options.MemberIndexTableName, options.IndexShardCount);
        });
        services.RemoveAll<IMemberIndex>();
        services.AddSingleton<IMemberIndex>(sp => sp.GetRequiredService<AzureTableMemberIndex>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, MemberIndexInitializer>());
        builder.AddEngagementCampaigns(configuration);
        return builder;
    }
}

/// <summary>Creates the member index table when the silo starts, so a bad account fails fast.</summary>
internal sealed class MemberIndexInitializer(AzureTableMemberIndex index) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MemberIndexInitializer), ServiceLifecycleStage.ApplicationServices, index.InitializeAsync);
}
