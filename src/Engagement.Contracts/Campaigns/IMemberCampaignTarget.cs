using Orleans.Concurrency;

namespace Engagement.Contracts.Campaigns;

/// <summary>
/// The campaign side of a member grain (<see cref="Members.IMemberGrain"/> inherits it): campaign
/// delivery, control-group tracking and conversion attribution.
/// </summary>
public interface IMemberCampaignTarget
{
    /// <summary>
    /// Applies a campaign to this member once: re-checks the audience on the live state, records the assignment,
    /// and for an arm asks the touch governor (caps, quiet hours, opt-out). Idempotent by campaign id: a repeat
    /// returns the outcome recorded the first time and touches nothing.
    /// </summary>
    Task<CampaignDeliveryResult> DeliverCampaignAsync(CampaignDelivery delivery);

    /// <summary>This member's record of a campaign; null if it never had it (or forgot it after it ended).</summary>
    [ReadOnly]
    Task<CampaignMembershipView?> GetCampaignMembershipAsync(string campaignId);

    /// <summary>
    /// Every campaign record this member keeps (arm, campaign control, global control or no group), in assignment order:
    /// one call. A membership is kept until its campaign has ended and its outcome and attribution are settled
    /// (<c>CampaignMemberships.Prune</c>), so an ended, settled campaign may be missing. Empty for a member never seen.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<CampaignMembershipView>> GetCampaignMembershipsAsync();

    /// <summary>Writes this member's row in the member index now (index rebuild). False for a member never seen.</summary>
    Task<bool> ReindexAsync();
}
