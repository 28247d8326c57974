using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Orders;

/// <summary>Keeps the order records bounded by age and count.</summary>
public static class OrderBook
{
    public static OrderRecord? Find(MemberState state, string? orderId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (orderId is null)
        {
            return null;
        }

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
    /// Forgets orders past the retention window and, beyond the count cap, the oldest ones. An order
    /// whose points lot still holds points is never forgotten: those points are the member's.
    /// A forgotten order's growth moves into the day buckets so the tier does not notice.
    /// </summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
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
            if (order.Remaining == 0 && (order.At < cutoff || excess > 0))
            {
                GrowthPolicy.FoldOrder(state, options, order);
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
