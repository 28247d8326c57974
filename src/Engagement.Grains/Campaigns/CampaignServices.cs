using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// What the member grain's campaign side needs, resolved as one optional service: a silo without campaigns
/// (<see cref="CampaignHostingExtensions.AddEngagementCampaigns"/> not called) runs members with the campaign hooks off.
/// </summary>
public sealed class CampaignServices(IMemberIndex index, ActiveCampaignCache active, IOptions<CampaignOptions> options)
{
    public IMemberIndex Index { get; } = index;

    public ActiveCampaignCache Active { get; } = active;

    public CampaignOptions Options { get; } = options.Value;
}
