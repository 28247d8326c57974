using Orleans.Concurrency;

namespace Engagement.Contracts.Campaigns;

/// <summary>
/// The list of every campaign id, newest first (a singleton, key 0), behind <c>GET /campaigns</c>. Small: ids only,
/// bounded to <see cref="MaxKept"/>; each campaign's status is read from its own grain.
/// </summary>
public interface ICampaignCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Campaign ids kept; the oldest is forgotten first.</summary>
    const int MaxKept = 10_000;

    /// <summary>Records a campaign id (idempotent).</summary>
    Task AddAsync(string campaignId);

    /// <summary>Ids newest first, skipping <paramref name="skip"/>, at most <paramref name="take"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> ListAsync(int skip, int take);
}
