using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;

namespace Engagement.Domain.Orders;

/// <summary>Keeps the order records bounded by age and count, with compact summaries of orders the count cap took out early.</summary>
public static class OrderBook
{
    /// <summary>
    /// The order (or lot) kept in full under <paramref name="orderId"/>, given as sent or as kept (<see cref="OrderIds.Key"/>:
    /// a long id matches the order stored under its key, and one stored under its full text before keys were kept); null when none.
    /// </summary>
    public static OrderRecord? Find(MemberState state, string? orderId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (orderId is null)
        {
            return null;
        }

        orderId = OrderIds.Key(orderId);
        foreach (var order in state.Orders)
        {
            if (string.Equals(order.OrderId, orderId, StringComparison.Ordinal))
            {
                return order;
            }
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="orderId"/> starts with a prefix of the engine's own points lots
    /// (<see cref="Points.AdjustmentPolicy.EventIdPrefix"/>, <see cref="Offers.OfferFulfilment.PointsLotPrefix"/>): a purchase
    /// or refund under it would pass for, or block, an adjustment or a points grant, so the engine refuses it (CONTRACT.md §1).
    /// </summary>
    public static bool IsReservedOrderId(string? orderId) =>
        orderId is not null
        && (orderId.StartsWith(AdjustmentPolicy.EventIdPrefix, StringComparison.Ordinal)
            || orderId.StartsWith(Offers.OfferFulfilment.PointsLotPrefix, StringComparison.Ordinal));

    /// <summary>
    /// The summary of an order the count cap took out of <see cref="MemberState.Orders"/> within its retention
    /// (<see cref="MemberState.OrderSummaries"/>), or null; <paramref name="orderId"/> as sent or as kept, as for <see cref="Find"/>.
    /// </summary>
    public static OrderSummary? FindSummary(MemberState state, string? orderId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (orderId is null)
        {
            return null;
        }

        orderId = OrderIds.Key(orderId);
        foreach (var summary in state.OrderSummaries)
        {
            if (string.Equals(summary.OrderId, orderId, StringComparison.Ordinal))
            {
                return summary;
            }
        }

        return null;
    }

    /// <summary>
    /// True while the member keeps order (or lot) <paramref name="orderId"/>, in full or as a summary: within
    /// <see cref="ProgramOptions.OrderRetentionDays"/> (CONTRACT.md §1: at least 400 days) unless both caps were passed.
    /// </summary>
    public static bool IsKept(MemberState state, string? orderId) => Find(state, orderId) is not null || FindSummary(state, orderId) is not null;

    /// <summary>The unrefunded amount (programme currency) of a kept order, full or summarised; 0 when it is not kept.</summary>
    public static decimal UnrefundedOf(MemberState state, string? orderId) =>
        Find(state, orderId)?.Unrefunded ?? FindSummary(state, orderId)?.Unrefunded ?? 0m;

    /// <summary>The refunded amount (programme currency) of a kept order, full or summarised; 0 when it is not kept.</summary>
    public static decimal RefundedOf(MemberState state, string? orderId) =>
        Find(state, orderId)?.Refunded ?? FindSummary(state, orderId)?.Refunded ?? 0m;

    /// <summary>True when a kept order, full or summarised, has been refunded in full.</summary>
    public static bool IsFullyRefunded(MemberState state, string? orderId) =>
        Find(state, orderId)?.FullyRefunded ?? FindSummary(state, orderId)?.FullyRefunded ?? false;

    /// <summary>
    /// Brings a summarised order back into <see cref="MemberState.Orders"/> (its growth moves from its day bucket back onto
    /// the order) so a refund applies to it exactly as to a kept order; the next prune summarises it again while the count
    /// cap still holds. Returns null when <paramref name="orderId"/> has no summary.
    /// </summary>
    internal static OrderRecord? Revive(MemberState state, ProgramOptions options, string? orderId) =>
        FindSummary(state, orderId) is { } summary ? ReviveSummary(state, options, summary) : null;

    /// <summary>
    /// Revives (<see cref="Revive(MemberState, ProgramOptions, string?)"/>) every summarised purchase a late event may re-price
    /// (CONTRACT.md §1.1): later than <paramref name="after"/> (and, with <paramref name="occurredFrom"/>, occurred at or after
    /// it), its lot not expired at <paramref name="now"/>; bonus lots are no purchases. The next prune summarises them again.
    /// </summary>
    internal static void ReviveLaterThan(MemberState state, ProgramOptions options, DateTimeOffset now, EventKey after, DateTimeOffset? occurredFrom)
    {
        List<OrderSummary>? later = null;
        foreach (var s in state.OrderSummaries)
        {
            if (s.Amount > 0m && new EventKey(s.At, s.OrderId).CompareTo(after) > 0 && (occurredFrom is not { } instant || s.At >= instant)
                && now < PointsWallet.ExpiryOf(state, options, s.At))
            {
                (later ??= []).Add(s);
            }
        }

        if (later is null)
        {
            return; // the usual case: nothing to revive, and no empty list made for it (`later ?? []` made one per call)
        }

        foreach (var s in later)
        {
            ReviveSummary(state, options, s);
        }
    }

    private static OrderRecord ReviveSummary(MemberState state, ProgramOptions options, OrderSummary summary)
    {
        state.OrderSummaries.Remove(summary);
        var order = summary.ToOrder(PointsWallet.ExpiryOf(state, options, summary.At));
        GrowthPolicy.UnfoldOrder(state, options, order);
        state.Orders.Add(order);
        state.GrowthTotals.Invalidate(); // rare: recounted on the next read
        return order;
    }

    /// <summary>
    /// Forgets orders past the retention window. Beyond the count cap (<see cref="ProgramOptions.MaxOrders"/>) the oldest
    /// orders leave the full list but are kept as summaries (<see cref="MemberState.OrderSummaries"/>) until the end of their
    /// retention, so their purchase and refunds stay duplicates and a refund of one still applies (CONTRACT.md §1, §2); past
    /// <see cref="ProgramOptions.MaxOrderSummaries"/> the oldest summaries are dropped and counted in
    /// <see cref="MemberState.OrderSummariesDropped"/>. An order whose points lot still holds points is never taken out:
    /// those points are the member's. An order taken out has its growth moved into the day buckets so the tier does not notice.
    /// <paramref name="keepInFull"/>, the order the current call created, is not summarised by this prune even when its lot is
    /// empty (an amount under 1 CNY, held refunds that reversed it on arrival): what runs after the rules reads it in full.
    /// </summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now, string? keepInFull = null)
    {
        var tracked = state.GrowthTotals.Tracks(state);
        var orders = state.Orders;
        if (!IsSortedByTime(orders))
        {
            orders.Sort(static (a, b) => a.At.CompareTo(b.At));
        }

        var cutoff = now.AddDays(-options.OrderRetentionDays);
        var excess = orders.Count - options.MaxOrders;
        var kept = 0;
        for (var i = 0; i < orders.Count; i++)
        {
            var order = orders[i];
            if (order.Remaining == 0 && order.At < cutoff)
            {
                GrowthPolicy.FoldOrder(state, options, order);
                excess--;
            }
            else if (order.Remaining == 0 && excess > 0 && !string.Equals(order.OrderId, keepInFull, StringComparison.Ordinal))
            {
                GrowthPolicy.FoldOrder(state, options, order);
                state.OrderSummaries.Add(OrderSummary.Of(order));
                excess--;
            }
            else
            {
                orders[kept++] = order;
            }
        }

        if (kept < orders.Count)
        {
            orders.RemoveRange(kept, orders.Count - kept);

            // A forgotten order's growth now sits in its own day's bucket: no window's total moved.
            state.GrowthTotals.Restamp(state, tracked);
        }

        PruneSummaries(state, options, cutoff);
    }

    /// <summary>Drops summaries past the retention window, then the oldest beyond the cap (counted: their orders are lost early).</summary>
    private static void PruneSummaries(MemberState state, ProgramOptions options, DateTimeOffset cutoff)
    {
        var summaries = state.OrderSummaries;
        if (summaries.Count == 0)
        {
            return;
        }

        // Summaries are added oldest first; a revived order summarised again may come back out of order.
        for (var i = 1; i < summaries.Count; i++)
        {
            if (summaries[i - 1].At > summaries[i].At)
            {
                summaries.Sort(static (a, b) => a.At.CompareTo(b.At));
                break;
            }
        }

        var old = 0;
        while (old < summaries.Count && summaries[old].At < cutoff)
        {
            old++;
        }

        var over = Math.Max(0, summaries.Count - old - Math.Max(0, options.MaxOrderSummaries));
        state.OrderSummariesDropped += over;
        summaries.RemoveRange(0, old + over);
    }

    private static bool IsSortedByTime(List<OrderRecord> orders)
    {
        for (var i = 1; i < orders.Count; i++)
        {
            if (orders[i - 1].At > orders[i].At)
            {
                return false;
            }
        }

        return true;
    }
}
