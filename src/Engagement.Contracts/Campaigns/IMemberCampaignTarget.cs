namespace Engagement.Contracts.Campaigns;

/// <summary>
/// The campaign side of a member grain (<see cref="Members.IMemberGrain"/> inherits it): campaign
/// delivery, control-group tracking and conversion attribution.
/// </summary>
public interface IMemberCampaignTarget
{
}
