using Engagement.Domain.Members;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Growth;

/// <summary>
/// The instants (UTC ticks) at which the member's refunds occurred, over retained orders and order summaries, sorted: the
/// one list both readers of "the growth net of the refunds made by t" count from (EarningPolicy re-pricing later orders,
/// GrowthTimeline's loss check before a crossing), so they rebuild a timeline at the same refund boundaries.
/// </summary>
internal static class RefundInstants
{
    /// <summary>Every refund instant of <paramref name="state"/>, at or before <paramref name="cutoff"/> when given, ascending.</summary>
    public static List<long> Of(MemberState state, DateTimeOffset? cutoff = null)
    {
        var ticks = new List<long>();
        foreach (var order in state.Orders)
        {
            Add(ticks, order.RefundMarks, cutoff);
        }

        foreach (var summary in state.OrderSummaries)
        {
            Add(ticks, summary.RefundMarks, cutoff);
        }

        ticks.Sort();
        return ticks;
    }

    /// <summary>How many of the sorted <paramref name="ticks"/> are at or before <paramref name="at"/> (UTC ticks).</summary>
    public static int CountAtOrBefore(List<long> ticks, long at)
    {
        var index = ticks.BinarySearch(at);
        if (index < 0)
        {
            return ~index;
        }

        while (index + 1 < ticks.Count && ticks[index + 1] == at)
        {
            index++;
        }

        return index + 1;
    }

    private static void Add(List<long> ticks, List<RefundMark>? marks, DateTimeOffset? cutoff)
    {
        // Most orders have no refund: nothing to add, and no empty list made for them (`marks ?? []` made one per order).
        if (marks is null)
        {
            return;
        }

        foreach (var mark in marks)
        {
            if (cutoff is not { } c || mark.At <= c)
            {
                ticks.Add(mark.At.UtcTicks);
            }
        }
    }
}
