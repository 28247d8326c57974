using Engagement.Domain.Growth;
using Engagement.Domain.Members;

namespace Engagement.Domain.Tiers;

// When a tier was reached in event time, each instant read net of the refunds made by then (CONTRACT.md §1.1, §2).
public sealed partial class GrowthTimeline
{
    /// <summary>
    /// The walk behind <see cref="ReachedAt"/> and <see cref="ReachedWith"/>: the first event from <paramref name="from"/>
    /// that reached <paramref name="threshold"/> (with <paramref name="added"/>, only thanks to that much growth of the
    /// event at <paramref name="from"/>), replaced by a later such event before which the tier was no longer held, and
    /// forgotten at a refund that took it in order (a refund drops the tier at once, CONTRACT.md §2, unless its growth had
    /// aged out already or the member held the tier since before the order refunded).
    /// </summary>
    /// <remarks>
    /// Each event is read on the growth net of the refunds made by its instant only (the same instant included), as the
    /// member saw it in order: the events between two refund instants share one timeline (built once per refund instant
    /// after <paramref name="from"/>; this one for those after every refund it counts). A refund made after a crossing
    /// does not move the crossing later; one that took the tier in order ends it there.
    /// </remarks>
    private DateTimeOffset? Reached(long threshold, EventKey from, long? added)
    {
        var rank = RankFor(threshold);
        var fromDay = MemberTimeZones.LocalDate(from.At, _zone);
        var ticks = RefundInstants.Of(_state, _refundsBy);
        var made = RefundInstants.CountAtOrBefore(ticks, from.At.UtcTicks);
        var view = ViewBy(ticks, made);
        var lower = from;
        DateTimeOffset? reached = null;
        while (true)
        {
            // The events before the next refund instant (every later one when none is left), on the view net of those made by them.
            long? next = made < ticks.Count ? ticks[made] : null;
            for (var i = view.CountBefore(lower); i < view._entries.Count && (next is not { } n || view._entries[i].Key.At.UtcTicks < n); i++)
            {
                var day = view._entries[i].Day;
                var total = view.Sum(i + 1, day);
                var counted = added is { } growth && fromDay > day.AddDays(-_windowDays) ? growth : 0;
                if (total < threshold || (added is not null && total - counted >= threshold))
                {
                    continue;
                }

                // A crossing (growth before the entry short of the tier) after one already found starts the tier afresh only
                // when the member had lost it just before (the grace had run out).
                if (reached is null || (view.Sum(i, day) < threshold && view.RankHeldBefore(i, view._entries[i].Key.At) < rank))
                {
                    reached = view._entries[i].Key.At;
                }
            }

            if (next is not { } refundTicks)
            {
                return reached;
            }

            // The refund instant: from here the view counts it (and any other made at the same instant). It took the tier in
            // order only as AfterRefund judged it then: growth just before it (net of the refunds made before it) reached the
            // tier, just after it did not, and the member had not held the tier since before every order it refunded.
            var refundAt = new DateTimeOffset(refundTicks, TimeSpan.Zero);
            var justAfter = new EventKey(refundAt.AddTicks(1), "");
            var before = view.GrowthBefore(justAfter);
            made = RefundInstants.CountAtOrBefore(ticks, refundTicks);
            view = ViewBy(ticks, made);
            if (reached is { } held && before >= threshold && view.GrowthBefore(justAfter) < threshold
                && !TierPolicy.HeldBeforeEveryOrderRefunded(_state, held, refundTicks))
            {
                reached = null;
            }

            lower = new EventKey(refundAt, "");
        }
    }

    /// <summary>
    /// The timeline net of the first <paramref name="made"/> of the sorted refund instants <paramref name="ticks"/> (UTC
    /// ticks, those this timeline counts): this one when that is all of them.
    /// </summary>
    private GrowthTimeline ViewBy(List<long> ticks, int made) =>
        made >= ticks.Count ? this
        : Build(_state, _options, new DateTimeOffset(made == 0 ? ticks[0] - 1 : ticks[made - 1], TimeSpan.Zero));

    /// <summary>
    /// The first event after <paramref name="after"/> and before <paramref name="before"/> (UTC instants compared) with which
    /// trailing growth, net of the refunds this timeline counts, reached <paramref name="threshold"/> (growth points): its
    /// instant and that growth; null when none did.
    /// </summary>
    internal (DateTimeOffset At, long Growth)? FirstReaching(long threshold, DateTimeOffset after, DateTimeOffset before)
    {
        for (var i = CountAtOrBefore(after); i < _entries.Count && _entries[i].Key.At < before; i++)
        {
            var growth = Sum(i + 1, _entries[i].Day);
            if (growth >= threshold)
            {
                return (_entries[i].Key.At, growth);
            }
        }

        return null;
    }
}
