using Engagement.Azure.Audit;
using Engagement.Azure.Campaigns;
using Engagement.Azure.Search;
using Engagement.Contracts.Audit;
using Engagement.Contracts.Search;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Azure.Hosting;

/// <summary>Registers what support and the console read beside the members: the search index and the audit trail.</summary>
public static class SupportStorageHostingExtensions
{
    /// <summary>
    /// Adds <see cref="IMemberSearch"/> (table <see cref="AzureTableMemberSearch.DefaultTableName"/>), kept current by
    /// wrapping the campaign member index, and <see cref="IAuditLog"/> (table <see cref="AzureTableAuditLog.DefaultTableName"/>),
    /// on the account of <c>AddEngagementAzureStorage</c>, and <see cref="IAudienceIndex"/> (audience estimates read the
    /// campaign member index). Call after <c>AddEngagementCampaignStorage</c>.
    /// </summary>
    public static ISiloBuilder AddEngagementSupportStorage(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new AzureTableMemberSearch(sp.GetRequiredService<EngagementStorageClients>().Tables));
        services.TryAddSingleton<IMemberSearch>(sp => sp.GetRequiredService<AzureTableMemberSearch>());
        services.TryAddSingleton<IAuditLog>(sp => new AzureTableAuditLog(sp.GetRequiredService<EngagementStorageClients>().Tables));
        services.RemoveAll<IMemberIndex>();
        services.AddSingleton<IMemberIndex>(sp =>
            new SearchIndexingMemberIndex(sp.GetRequiredService<AzureTableMemberIndex>(), sp.GetRequiredService<AzureTableMemberSearch>()));
        services.TryAddSingleton<IAudienceIndex, MemberIndexAudience>();
        return builder;
    }
}
