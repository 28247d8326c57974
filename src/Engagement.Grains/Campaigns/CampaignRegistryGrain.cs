using Engagement.Contracts.Campaigns;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// The list of active triggered campaigns (key 0): one definition per campaign, in one grain state that every silo
/// reads (<see cref="ActiveCampaignCache"/>). A campaign whose window has ended (<c>validUntil</c> at or before now, the
/// engine clock) is not listed, and is dropped from the state at the next change, so campaigns that simply ran out their
/// window do not fill it (nothing else unlists them: pause and an exhausted budget do).
/// </summary>
public sealed class CampaignRegistryGrain(
    [PersistentState("campaign-registry", GrainStorageNames.State)] IPersistentState<CampaignRegistryState> state,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time)
    : Grain, ICampaignRegistryGrain
{
    public async Task SetActiveAsync(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var active = state.State.Active;
        var before = new Dictionary<string, CampaignDefinition>(active, StringComparer.Ordinal);
        DropEnded(active);
        active[definition.Id] = definition;
        await WriteOrRestoreAsync(before);
    }

    public async Task RemoveAsync(string campaignId)
    {
        var active = state.State.Active;
        var before = new Dictionary<string, CampaignDefinition>(active, StringComparer.Ordinal);
        if (active.Remove(campaignId) | DropEnded(active))
        {
            await WriteOrRestoreAsync(before);
        }
    }

    public Task<IReadOnlyList<CampaignDefinition>> ListActiveAsync()
    {
        var now = time.GetUtcNow();
        IReadOnlyList<CampaignDefinition> list = [.. state.State.Active.Values
            .Where(d => d.ValidUntil > now)
            .OrderByDescending(d => d.Priority)
            .ThenBy(d => d.Id, StringComparer.Ordinal)];
        return Task.FromResult(list);
    }

    /// <summary>Drops the campaigns whose window has ended; whether any was.</summary>
    private bool DropEnded(Dictionary<string, CampaignDefinition> active)
    {
        var now = time.GetUtcNow();
        var ended = active.Where(p => p.Value.ValidUntil <= now).Select(p => p.Key).ToList();
        ended.ForEach(id => active.Remove(id));
        return ended.Count > 0;
    }

    /// <summary>Writes the state; on a failure puts <paramref name="before"/> back, so memory is never ahead of storage, and rethrows.</summary>
    private async Task WriteOrRestoreAsync(Dictionary<string, CampaignDefinition> before)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Active = before;
            throw;
        }
    }
}

/// <summary>Persisted by <see cref="CampaignRegistryGrain"/>.</summary>
public sealed class CampaignRegistryState
{
    /// <summary>Definitions by campaign id.</summary>
    public Dictionary<string, CampaignDefinition> Active { get; set; } = new(StringComparer.Ordinal);
}
