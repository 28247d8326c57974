using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>Registers the campaign engine's services on a silo.</summary>
public static class CampaignHostingExtensions
{
    /// <summary>
    /// Binds <see cref="CampaignOptions"/> from <c>Engagement:Campaigns</c> (validated at start), adds the silo-local
    /// cache of active triggered campaigns, and an in-memory <see cref="IMemberIndex"/> unless one is registered
    /// (the Azure table index replaces it: <c>AddEngagementCampaignStorage</c>).
    /// </summary>
    public static ISiloBuilder AddEngagementCampaigns(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        services.AddOptions<CampaignOptions>()
            .Bind(configuration.GetSection(CampaignOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CampaignOptions>, CampaignOptionsValidator>());
        services.TryAddSingleton<ActiveCampaignCache>();
        services.TryAddSingleton<IMemberIndex, InMemoryMemberIndex>();
        services.TryAddSingleton<CampaignServices>();
        return builder;
    }
}
