using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Orders;

/// <summary>Keeps the order records bounded by age and count.</summary>
public static class OrderBook
{
    public static OrderRecord? Find(MemberState state, string? orderId) =>
        orderId is null ? null : state.Orders.Find(o => string.Equals(o.OrderId, orderId, StringComparison.Ordinal));

    /// <summary>
    /// Forgets orders past the retention window and, beyond the count cap, the oldest ones. An order
    /// whose points lot still holds points is never forgotten: those points are the member's.
    /// A forgotten order's growth moves into the day buckets so the tier does not notice.
    /// </summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        state.Orders.Sort(static (a, b) => a.At.CompareTo(b.At));
        var cutoff = now.AddDays(-options.OrderRetentionDays);
        var excess = state.Orders.Count - options.MaxOrders;
        var kept = new List<OrderRecord>(state.Orders.Count);
        foreach (var order in state.Orders)
        {
            var forget = order.Remaining == 0 && (order.At < cutoff || excess > 0);
            if (forget)
            {
                GrowthPolicy.FoldOrder(state, options, order);
                excess--;
            }
            else
            {
                kept.Add(order);
            }
        }

        state.Orders = kept;
    }
}
