using Engagement.Domain.Members;
using Engagement.Domain.Orders;

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
    /// A purchase at <paramref name="occurredAt"/> of <paramref name="amount"/> CNY: for every assigned membership whose
    /// attribution window holds it, queues a report (the first one is the conversion) and remembers
    /// <paramref name="orderId"/> (when given; kept as <see cref="OrderIds.Key"/> keeps it, so a long id takes at most
    /// 35 bytes) so a refund of it takes the revenue back. Returns the memberships that now have something to report.
    /// </summary>
    public static IReadOnlyList<CampaignMembership> AttributePurchase(CampaignMemberState state, string eventId, decimal amount, DateTimeOffset occurredAt, string? orderId = null)
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
            if (orderId is not null)
            {
                (m.Orders ??= []).Add(new AttributedOrder { OrderId = orderId, Amount = amount });
            }

            touched.Add(m);
        }

        return touched;
    }

    /// <summary>
    /// Order <paramref name="orderId"/> has now been refunded <paramref name="refundedTotal"/> CNY in all: every membership
    /// that counted it gives back the revenue refunded since it last heard, up to what it counted, as a negative purchase
    /// report (campaign revenue is net of refunds; the conversion stays). Cumulative, so a repeat changes nothing and
    /// refunds in parts give back exactly what one refund of their sum would. <paramref name="orderId"/> is the id as sent (or
    /// kept): it finds the attributed order by its key (<see cref="OrderIds.Key"/>), whether that order was stored
    /// keyed or, before attribution kept keys, in full (read back keyed). Returns the memberships with a report.
    /// </summary>
    public static IReadOnlyList<CampaignMembership> AttributeRefund(CampaignMemberState state, string eventId, string orderId, decimal refundedTotal)
    {
        var key = OrderIds.Key(orderId);
        var touched = new List<CampaignMembership>();
        foreach (var m in state.Memberships)
        {
            if (m.Orders?.Find(o => string.Equals(o.OrderId, key, StringComparison.Ordinal)) is not { } order)
            {
                continue;
            }

            var back = Math.Min(order.Amount, Math.Max(0m, refundedTotal)) - order.Refunded;
            if (back <= 0m)
            {
                continue;
            }

            order.Refunded += back;
            m.Revenue -= back;
            m.PendingPurchases.Add(new PendingPurchaseReport(eventId, -back, Conversion: false));
            touched.Add(m);
        }

        return touched;
    }

    /// <summary>The most <see cref="PruneOrders"/> may be asked to keep (a setting is validated against it): 2,000.</summary>
    public const int MaxAttributedOrdersLimit = 2000;

    /// <summary>
    /// Keeps the member's attributed orders (<see cref="CampaignMembership.Orders"/>) bounded, across all its memberships.
    /// First, losslessly, drops every order refunds took back in full (<see cref="AttributedOrder.Refunded"/> at least its
    /// <see cref="AttributedOrder.Amount"/>: a further refund gives nothing back) and every order the member no longer keeps
    /// (<paramref name="isKept"/> false for its id as kept: the member's order book, full or summarised, forgot it, so a
    /// refund of it finds no refunded amount and never reaches <see cref="AttributeRefund"/>). Then, while more than
    /// <paramref name="maxTotal"/> are left, drops the oldest: the first attributed of the membership whose attribution
    /// window ends earliest. A refund of an order dropped that way still reverses its points and growth in full but no
    /// longer takes that campaign's revenue back: its revenue over-reports by at most the dropped orders' unrefunded
    /// amounts (CNY). A membership left with none stores none (null). Returns how many were dropped in all
    /// (<c>Removed</c>) and how many of them over the cap (<c>OverCap</c>).
    /// </summary>
    /// <param name="state">The member's campaign state, changed in place.</param>
    /// <param name="isKept">Whether the member still keeps the order of an id as kept (<see cref="OrderIds.Key"/>).</param>
    /// <param name="maxTotal">The most attributed orders kept over all memberships, 1 to <see cref="MaxAttributedOrdersLimit"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTotal"/> is outside 1 to <see cref="MaxAttributedOrdersLimit"/>.</exception>
    public static (int Removed, int OverCap) PruneOrders(CampaignMemberState state, Func<string, bool> isKept, int maxTotal)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(isKept);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTotal, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTotal, MaxAttributedOrdersLimit);
        var total = 0;
        var removed = 0;
        foreach (var m in state.Memberships)
        {
            removed += m.Orders?.RemoveAll(o => o.Refunded >= o.Amount || !isKept(o.OrderId)) ?? 0;
            total += m.Orders?.Count ?? 0;
        }

        var excess = total - maxTotal;
        var dropped = 0;
        foreach (var m in state.Memberships.Where(m => m.Orders is { Count: > 0 }).OrderBy(m => m.AttributionEndsAt).ToList())
        {
            if (excess - dropped <= 0)
            {
                break;
            }

            var n = Math.Min(excess - dropped, m.Orders!.Count);
            m.Orders.RemoveRange(0, n);
            dropped += n;
        }

        foreach (var m in state.Memberships)
        {
            if (m.Orders is { Count: 0 })
            {
                m.Orders = null;
            }
        }

        return (removed + dropped, dropped);
    }

    /// <summary>
    /// <see cref="PruneOrders"/> over <paramref name="member"/>'s campaign state,
    /// an order kept while the member keeps it in full or summarised (<see cref="OrderBook.IsKept"/>, looked up once).
    /// </summary>
    public static (int Removed, int OverCap) PruneAttributedOrders(MemberState member, int maxTotal)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (!member.Campaigns.Memberships.Exists(m => m.Orders is not null))
        {
            return (0, 0);
        }

        var kept = new HashSet<string>(member.Orders.Count + member.OrderSummaries.Count, StringComparer.Ordinal);
        kept.UnionWith(member.Orders.Select(o => o.OrderId));
        kept.UnionWith(member.OrderSummaries.Select(o => o.OrderId));
        return PruneOrders(member.Campaigns, kept.Contains, maxTotal);
    }

    /// <summary>
    /// Settled once the campaign has heard the outcome it keeps and no purchase report is owed: a deferred touch that went
    /// out since delivery is settled as sent (its Outcome stays "deferred", what the campaign counted at delivery).
    /// Compared with Outcome, such a membership was never forgotten, and the member's state grew with every one.
    /// </summary>
    public static bool Settled(CampaignMembership m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.PendingPurchases.Count == 0 && m.ReportedOutcome.Length > 0 && m.ReportedOutcome != "deferred";
    }

    /// <summary>
    /// Forgets memberships no delivery or purchase can concern any more (campaign ended and attribution closed,
    /// nothing left to report), then the oldest settled ones of ended campaigns beyond <paramref name="max"/>. Memberships
    /// that cannot be forgotten stay; <see cref="MembershipCap.Admit"/> refuses a new one once <paramref name="max"/> of
    /// them are held, so the total stays at most <paramref name="max"/>.
    /// </summary>
    public static void Prune(CampaignMemberState state, DateTimeOffset now, int max)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Memberships.RemoveAll(m => Settled(m) && now >= m.ValidUntil && now >= m.AttributionEndsAt);
        for (var i = 0; i < state.Memberships.Count && state.Memberships.Count > max;)
        {
            if (MembershipCap.Forgettable(state.Memberships[i], now))
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
