using Engagement.Contracts.Campaigns;
using Engagement.Grains.Hosting;

namespace Engagement.Grains.Campaigns;

/// <summary>The list of active triggered campaigns (key 0). Small: one definition per active triggered campaign.</summary>
public sealed class CampaignRegistryGrain(
    [PersistentState("campaign-registry", GrainStorageNames.State)] IPersistentState<CampaignRegistryState> state)
    : Grain, ICampaignRegistryGrain
{
    public async Task SetActiveAsync(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        state.State.Active[definition.Id] = definition;
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string campaignId)
    {
        if (state.State.Active.Remove(campaignId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<CampaignDefinition>> ListActiveAsync()
    {
        IReadOnlyList<CampaignDefinition> list = [.. state.State.Active.Values
            .OrderByDescending(d => d.Priority)
            .ThenBy(d => d.Id, StringComparer.Ordinal)];
        return Task.FromResult(list);
    }
}

/// <summary>Persisted by <see cref="CampaignRegistryGrain"/>.</summary>
public sealed class CampaignRegistryState
{
    public Dictionary<string, CampaignDefinition> Active { get; set; } = new(StringComparer.Ordinal);
}
