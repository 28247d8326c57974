using Engagement.Domain.Campaigns;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Metrics;

/// <summary>Campaign conversions for the programme metrics (CONTRACT.md §5 campaignResponse = converted / reached).</summary>
public static class CampaignMetrics
{
    /// <summary>
    /// How many of <paramref name="attributed"/> (the memberships a purchase was just attributed to,
    /// <see cref="CampaignMemberships.AttributePurchase"/>) converted with purchase <paramref name="eventId"/>: arm
    /// memberships whose touch was sent (those counted in <see cref="MetricNames.CampaignReached"/>) and for which this
    /// purchase is the first attributed one. Control groups convert too, but are not "reached".
    /// </summary>
    public static int Converted(IEnumerable<CampaignMembership> attributed, string eventId)
    {
        ArgumentNullException.ThrowIfNull(attributed);
        return attributed.Count(m => m.Group == "arm"
            && m.Outcome == TouchDecisions.Sent
            && m.PendingPurchases.Exists(p => p.Conversion && string.Equals(p.EventId, eventId, StringComparison.Ordinal)));
    }
}
