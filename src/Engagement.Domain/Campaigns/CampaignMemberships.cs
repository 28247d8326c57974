namespace Engagement.Domain.Campaigns;

/// <summary>Rules over a member's <see cref="CampaignMemberState"/>: find, record, attribute purchases, prune.</summary>
public static class CampaignMemberships
{
    /// <summary>Groups that count in results (assigned members); <c>none</c> does not.</summary>
    public static bool IsAssigned(CampaignMembership membership) =>
        membership.Group is "arm" or "control" or "global_control";

    public static CampaignMembership? Find(CampaignMemberState state, string campaignId) =>
        state.Memberships.Find(m => string.Equals(m.CampaignId, campaignId, StringComparison.Ordinal));

    /// <summary>
    /// A purchase at <paramref name="occurredAt"/>: for every assigned membership whose attribution window holds it,
    /// queues a report (the first one is the conversion). Returns the memberships that now have something to report.
    /// </summary>
    public static IReadOnlyList<CampaignMembership> AttributePurchase(CampaignMemberState state, string eventId, decimal amount, DateTimeOffset occurredAt)
    {
        var touched = new List<CampaignMembership>();
        foreach (var m in state.Memberships)
        {
            if (!IsAssigned(m) || occurredAt < m.AssignedAt || occurredAt >= m.AttributionEndsAt)
            {
                continue;
            }

            var conversion = !m.Converted;
            m.Converted = true;
            m.Revenue += amount;
            m.PendingPurchases.Add(new PendingPurchaseReport(eventId, amount, conversion));
            touched.Add(m);
        }

        return touched;
    }

    /// <summary>
    /// Forgets memberships no delivery or purchase can concern any more (campaign ended and attribution closed,
    /// nothing left to report), then the oldest settled ones beyond <paramref name="max"/>.
    /// </summary>
    public static void Prune(CampaignMemberState state, DateTimeOffset now, int max)
    {
        bool Settled(CampaignMembership m) => m.PendingPurchases.Count == 0 && m.Outcome == m.ReportedOutcome
            && m.ReportedOutcome != "deferred";

        state.Memberships.RemoveAll(m => Settled(m) && now >= m.ValidUntil && now >= m.AttributionEndsAt);
        for (var i = 0; i < state.Memberships.Count && state.Memberships.Count > max;)
        {
            if (Settled(state.Memberships[i]) && now >= state.Memberships[i].ValidUntil)
            {
                state.Memberships.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }
    }
}
