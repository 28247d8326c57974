namespace Engagement.Domain.Campaigns;

/// <summary>Stable assignment of members to the global control, a campaign's control, or one of its arms.</summary>
public static class CampaignAssignment
{
    /// <summary>Largest configurable global control, percent.</summary>
    public const int MaxGlobalControlPercent = 15;

    /// <summary>
    /// The programme-wide hold-out: <c>fnv1a32("global:" + memberId) % 100 &lt; percent</c>. A member's bucket never
    /// changes, so the same members are held out of every campaign, which is what lets the programme's uplift be measured.
    /// </summary>
    public static bool IsGlobalControl(string memberId, int percent) =>
        percent > 0 && StableHash.Fnv1a32("global:" + memberId) % 100 < (uint)percent;

    /// <summary>
    /// −1 for the campaign's control, else the index of the arm. <c>u = Unit(campaignId + ":" + memberId)</c>;
    /// <c>u &lt; controlShare</c> is control, the rest of [0, 1) is split among the arms in proportion to their weights.
    /// Stable per (campaign, member) and independent across campaigns.
    /// </summary>
    public static int Assign(string campaignId, string memberId, double controlShare, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0)
        {
            throw new ArgumentException("at least one arm", nameof(weights));
        }

        var u = StableHash.Unit(campaignId + ":" + memberId);
        if (u < controlShare)
        {
            return -1;
        }

        var scaled = controlShare >= 1 ? 0 : (u - controlShare) / (1 - controlShare);
        var total = weights.Sum();
        var cumulative = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            cumulative += weights[i] / total;
            if (scaled < cumulative)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }
}
