namespace Engagement.Domain.Campaigns;

/// <summary>A member's campaign memberships (arm or control) and conversions, bounded.</summary>
public sealed class CampaignMemberState
{
}
