using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Points;

/// <summary>
/// Points lots: earned per purchase, spent oldest first, expired at their exact instant.
/// The balance is the sum of live lots minus any debt a refund left behind.
/// </summary>
public static class PointsWallet
{
    public static long Balance(MemberState state)
    {
        long live = 0;
        foreach (var order in state.Orders)
        {
            live += order.Remaining;
        }

        return live - state.PointsDebt;
    }

    /// <summary>Live lots, soonest to expire first (the order redemption spends them in).</summary>
    public static IReadOnlyList<PointsLot> Lots(MemberState state) =>
        LiveLots(state).Select(ToLot).ToList();

    /// <summary>Lots still holding points that expire after <paramref name="now"/> and no later than <paramref name="now"/> + <paramref name="within"/>.</summary>
    public static IReadOnlyList<PointsLot> LotsExpiringWithin(MemberState state, DateTimeOffset now, TimeSpan within) =>
        LiveLots(state)
            .Where(o => o.ExpiresAt > now && o.ExpiresAt <= now + within)
            .Select(ToLot)
            .ToList();

    /// <summary>Records that the expiry notice for a lot went out, so it is sent once. False when the lot is unknown.</summary>
    public static bool MarkExpiryNoticeSent(MemberState state, string lotId, DateTimeOffset at)
    {
        var order = OrderBook.Find(state, lotId);
        if (order is null)
        {
            return false;
        }

        order.NoticeSentAt ??= at;
        return true;
    }

    /// <summary>
    /// When a lot earned at <paramref name="earnedAt"/> expires: <see cref="ProgramOptions.PointsLifetimeMonths"/> later on the
    /// member's local calendar (CONTRACT.md §1.1, §2; Asia/Shanghai unless the member set a zone), at the same local time.
    /// The same purchase expires on the same day whatever offset its <c>occurredAt</c> was written with, and a lot
    /// bought on a local 29 February expires on 28 February.
    /// </summary>
    /// <param name="state">The member (its time zone).</param>
    /// <param name="options">The programme rules (lifetime in months, default zone).</param>
    /// <param name="earnedAt">The purchase's <c>occurredAt</c>, or the instant a points grant was credited.</param>
    public static DateTimeOffset ExpiryOf(MemberState state, ProgramOptions options, DateTimeOffset earnedAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var zone = GrowthPolicy.Zone(state, options);
        var wall = TimeZoneInfo.ConvertTime(earnedAt, zone).DateTime.AddMonths(options.PointsLifetimeMonths);
        return MemberClock.AtLocal(DateOnly.FromDateTime(wall), TimeOnly.FromDateTime(wall), zone);
    }

    /// <summary>
    /// Removes what is left of every lot whose expiry instant has come; one ledger entry per lot, dated by the lot's own
    /// expiry instant (when its points expired), not by <paramref name="now"/> (when the member's tick or next event
    /// found it due), so the ledger and the programme's expired points (CONTRACT.md §5 <c>points</c>) put it on the day it
    /// expired even when the tick comes after midnight.
    /// </summary>
    public static IReadOnlyList<LedgerEntry> ExpireDue(MemberState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var due = false;
        foreach (var order in state.Orders)
        {
            due |= order.Remaining > 0 && now >= order.ExpiresAt;
        }

        if (!due)
        {
            return [];
        }

        var entries = new List<LedgerEntry>();
        foreach (var order in LiveLots(state))
        {
            if (now < order.ExpiresAt)
            {
                break; // soonest to expire first: the rest are later
            }

            ExpireLot(state, order, entries);
        }

        return entries;
    }

    /// <summary>
    /// Expires what is left of <paramref name="order"/>'s own lot when its expiry instant had come by <paramref name="at"/>,
    /// the event-time instant a reversal is dated by, but no later than <paramref name="now"/> (reads are as of now,
    /// CONTRACT.md §1.1); its <c>points.expire</c> entry is dated at the expiry. Called before <see cref="Reverse"/> or a loss
    /// of <see cref="Adjust"/>: a late purchase may bring a lot already past its expiry into the wallet until the event's
    /// end, and a refund of it held until it came, or a correction's loss on it, dated at or after that expiry must find its
    /// points expired (CONTRACT.md §2), not take them. Other lots are left alone (<see cref="Reverse"/> skips those that
    /// had expired by its instant; the event's end expires them at their own dates), so a reversal dated before another
    /// lot's expiry still finds that lot whole. Returns the entries written (none in the usual case).
    /// </summary>
    internal static IReadOnlyList<LedgerEntry> ExpireOwnBy(MemberState state, OrderRecord order, DateTimeOffset at, DateTimeOffset now)
    {
        var by = at < now ? at : now;
        if (order.Remaining == 0 || by < order.ExpiresAt)
        {
            return [];
        }

        var entries = new List<LedgerEntry>(1);
        ExpireLot(state, order, entries);
        return entries;
    }

    /// <summary>Moves what is left of a lot to its expired points, with a <c>points.expire</c> entry dated at its expiry.</summary>
    private static void ExpireLot(MemberState state, OrderRecord order, List<LedgerEntry> entries)
    {
        var expired = order.Remaining;
        order.Remaining = 0;
        order.Expired += expired;
        LedgerBook.Append(
            state, entries, order.ExpiresAt, LedgerKinds.Points, -expired, Balance(state),
            string.Create(CultureInfo.InvariantCulture, $"{expired} points of purchase {order.OrderId} expired at {order.ExpiresAt:yyyy-MM-dd'T'HH:mm:ssK}"),
            RuleIds.PointsExpire, eventId: null, occurredAt: order.ExpiresAt);
    }

    /// <summary>
    /// Adds a purchase's lot; debt from a refund is paid from it first, but only debt that arose before the lot expires
    /// (<see cref="PointsDebtBook"/>): a late lot that had expired before a debt arose never met it in order.
    /// </summary>
    internal static void AddLot(MemberState state, OrderRecord order)
    {
        var payDebt = PointsDebtBook.Pay(state, order.Points, order.ExpiresAt);
        order.Remaining = order.Points - payDebt;
    }

    /// <summary>
    /// Applies a correction of what <paramref name="order"/> earned: a gain pays debt first (what arose before the lot
    /// expires, <see cref="PointsDebtBook"/>), then goes to the order's own lot (expiring with it: at once when its instant
    /// has passed, by the caller's <see cref="ExpireDue"/>); a loss is taken like a refund reversal (own lot, then its points
    /// that expired, which nobody is charged for, then the rest, then debt dated at the latest of <paramref name="at"/>, the
    /// newest refund of any kept order and the newest piece owed: <see cref="Reverse"/>). Returns the
    /// change of the balance: <paramref name="delta"/>, less for a loss the points of it that had expired. Before a loss the
    /// caller expires the order's own lot if it was due by <paramref name="at"/> (<see cref="ExpireOwnBy"/>).
    /// </summary>
    internal static long Adjust(MemberState state, OrderRecord order, long delta, DateTimeOffset at, DateTimeOffset now)
    {
        if (delta >= 0)
        {
            var payDebt = PointsDebtBook.Pay(state, delta, order.ExpiresAt);
            order.Remaining += delta - payDebt;
            return delta;
        }

        return -Reverse(state, order, -delta, at, now);
    }

    /// <summary>
    /// Takes points from live lots, oldest first. The caller has expired the lots due by now (<see cref="ExpireDue"/>) and
    /// checked the balance covers them. With <paramref name="taken"/>, adds each lot taken from and the points it gave, in
    /// the order taken.
    /// </summary>
    internal static void Spend(MemberState state, long points, List<(OrderRecord Lot, long Points)>? taken = null) =>
        TakeFromLots(state, points, DateTimeOffset.MinValue, taken);

    /// <summary>
    /// Takes reversed points from the order's own lot first, then from its points that expired (gone already, so
    /// nobody pays for them), then from the rest of the balance; whatever is still owed becomes debt, so the balance may
    /// go negative only for points already spent (CONTRACT.md §2), dated at the later of <paramref name="at"/> (event time: the
    /// refund's <c>occurredAt</c>) and the newest refund of any kept order, summaries included (PointsDebtBook: conservative dating). Returns
    /// the points taken from the member: those reversed minus those that had expired. The caller has expired the order's own lot
    /// if it was due by <paramref name="at"/> (<see cref="ExpireOwnBy"/>); other lots that had expired by <paramref name="at"/>
    /// (a late purchase's, in the wallet until the event ends) are skipped, never spent: at <paramref name="at"/> they were
    /// gone. The skip is judged no later than <paramref name="now"/>, as <see cref="ExpireOwnBy"/> is (CONTRACT.md §1.1: an
    /// <c>occurredAt</c> up to 5 minutes ahead is accepted): a lot expiring between now and a refund dated ahead of now is
    /// still live at the event's end, so the refund takes from it rather than owing debt beside it.
    /// </summary>
    internal static long Reverse(MemberState state, OrderRecord order, long points, DateTimeOffset at, DateTimeOffset now)
    {
        var fromOwn = Math.Min(order.Remaining, points);
        order.Remaining -= fromOwn;
        var fromExpired = Math.Min(order.Expired, points - fromOwn);
        order.Expired -= fromExpired;
        var left = TakeFromLots(state, points - fromOwn - fromExpired, at < now ? at : now, taken: null);
        PointsDebtBook.Owe(state, left, left > 0 ? LatestRefund(state, at) : at);
        return points - fromExpired;
    }

    /// <summary>
    /// The later of <paramref name="at"/> and the newest refund of any kept order, in full (<see cref="MemberState.Orders"/>)
    /// or summarised by the count cap (<see cref="MemberState.OrderSummaries"/>, whose marks are those that occurred after
    /// the purchase): a late refund that finds no points may find none because a refund that occurred after it already took
    /// them, and in order its debt then arose at that refund. The cap changes the date only where a summary dropped a mark:
    /// it keeps the marks that occurred after its purchase (<c>OrderSummary.Of</c>, <c>RefundMark.After</c>), so a refund
    /// dated at or before its own purchase (clock skew) no longer counts once the order is summarised. Read only when a
    /// reversal leaves debt.
    /// </summary>
    private static DateTimeOffset LatestRefund(MemberState state, DateTimeOffset at)
    {
        foreach (var order in state.Orders)
        {
            at = Latest(order.RefundMarks, at);
        }

        foreach (var summary in state.OrderSummaries)
        {
            at = Latest(summary.RefundMarks, at);
        }

        return at;
    }

    private static DateTimeOffset Latest(List<RefundMark>? marks, DateTimeOffset at)
    {
        foreach (var mark in marks ?? [])
        {
            if (mark.At > at)
            {
                at = mark.At;
            }
        }

        return at;
    }

    /// <summary>Takes points from live lots, soonest to expire first, skipping those whose expiry had come by <paramref name="at"/>.</summary>
    private static long TakeFromLots(MemberState state, long points, DateTimeOffset at, List<(OrderRecord Lot, long Points)>? taken)
    {
        var left = points;
        foreach (var order in LiveLots(state))
        {
            if (left == 0)
            {
                break;
            }

            if (order.ExpiresAt <= at)
            {
                continue; // expired by the reversal's instant: it had nothing to give then (the event's end expires it)
            }

            var take = Math.Min(order.Remaining, left);
            order.Remaining -= take;
            left -= take;
            taken?.Add((order, take));
        }

        return left;
    }

    /// <summary>Lots still holding points, soonest to expire first (then oldest, then by order id): a new list.</summary>
    private static List<OrderRecord> LiveLots(MemberState state)
    {
        var lots = new List<OrderRecord>(state.Orders.Count);
        foreach (var order in state.Orders)
        {
            if (order.Remaining > 0)
            {
                lots.Add(order);
            }
        }

        // Order ids are unique within a member, so this order is total and the unstable sort is deterministic.
        lots.Sort(static (a, b) =>
        {
            var byExpiry = a.ExpiresAt.CompareTo(b.ExpiresAt);
            if (byExpiry != 0)
            {
                return byExpiry;
            }

            var byTime = a.At.CompareTo(b.At);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.OrderId, b.OrderId);
        });
        return lots;
    }

    private static PointsLot ToLot(OrderRecord o) => new(o.OrderId, o.At, o.ExpiresAt, o.Points, o.Remaining, o.NoticeSentAt);
}
