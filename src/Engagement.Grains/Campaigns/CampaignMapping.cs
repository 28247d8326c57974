using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Campaigns;

namespace Engagement.Grains.Campaigns;

/// <summary>Maps campaign contracts to the domain's audience rules; matches trigger conditions.</summary>
internal static class CampaignMapping
{
    public static AudienceCriteria ToCriteria(CampaignAudience? audience) => audience is null ? new AudienceCriteria() : new AudienceCriteria
    {
        Tiers = audience.Tiers ?? [],
        Segments = audience.Segments ?? [],
        ValueClasses = audience.ValueClasses ?? [],
        Stages = audience.Stages ?? [],
        Regions = audience.Regions ?? [],
        Tags = audience.Tags ?? [],
    };

    /// <summary>The event matches the campaign's trigger: type, an item of the category (if set), amount at least the threshold (if set).</summary>
    public static bool TriggerMatches(CampaignTrigger trigger, EngagementEvent evt)
    {
        if (!string.Equals(trigger.EventType, evt.Type, StringComparison.Ordinal))
        {
            return false;
        }

        if (trigger.ItemCategory is { } category
            && !evt.Items.Any(i => string.Equals(i.Category, category, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        return trigger.MinAmount is not { } min || (evt.Amount is { } amount && amount >= min);
    }
}
