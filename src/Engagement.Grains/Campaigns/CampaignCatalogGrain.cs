using Engagement.Contracts.Campaigns;
using Engagement.Grains.Hosting;

namespace Engagement.Grains.Campaigns;

/// <summary>Every campaign id, oldest first in state (key 0); see <see cref="ICampaignCatalogGrain"/>.</summary>
public sealed class CampaignCatalogGrain(
    [PersistentState("campaign-catalog", GrainStorageNames.State)] IPersistentState<CampaignCatalogState> state)
    : Grain, ICampaignCatalogGrain
{
    public async Task AddAsync(string campaignId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(campaignId);
        if (state.State.Ids.Contains(campaignId, StringComparer.Ordinal))
        {
            return;
        }

        state.State.Ids.Add(campaignId);
        var excess = state.State.Ids.Count - ICampaignCatalogGrain.MaxKept;
        if (excess > 0)
        {
            state.State.Ids.RemoveRange(0, excess);
        }

        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListAsync(int skip, int take)
    {
        IReadOnlyList<string> page = [.. Enumerable.Reverse(state.State.Ids).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 0, 500))];
        return Task.FromResult(page);
    }
}

/// <summary>Persisted by <see cref="CampaignCatalogGrain"/>.</summary>
public sealed class CampaignCatalogState
{
    public List<string> Ids { get; set; } = [];
}
