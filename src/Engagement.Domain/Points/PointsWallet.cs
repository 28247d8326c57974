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
        var order = state.Orders.Find(o => string.Equals(o.OrderId, lotId, StringComparison.Ordinal));
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

            var expired = order.Remaining;
            order.Remaining = 0;
            order.Expired += expired;
            LedgerBook.Append(
                state, entries, order.ExpiresAt, LedgerKinds.Points, -expired, Balance(state),
                string.Create(CultureInfo.InvariantCulture, $"{expired} points of purchase {order.OrderId} expired at {order.ExpiresAt:yyyy-MM-dd'T'HH:mm:ssK}"),
                RuleIds.PointsExpire, eventId: null, occurredAt: order.ExpiresAt);
        }

        return entries;
    }

    /// <summary>
    /// Adds a purchase's lot; debt from an earlier refund is paid from it first, and recorded on the order
    /// (<see cref="OrderRecord.PaidDebt"/>) so that its own refund owes that debt again. A lot that has expired by
    /// <paramref name="now"/> (a late purchase) pays only <see cref="DebtPayableBy"/> its expiry.
    /// </summary>
    internal static void AddLot(MemberState state, OrderRecord order, DateTimeOffset? now = null)
    {
        var payDebt = Math.Min(DebtPayable(state, order, now), order.Points);
        state.PointsDebt -= payDebt;
        order.PaidDebt += payDebt;
        order.Remaining = order.Points - payDebt;
    }

    /// <summary>
    /// Applies a correction of what <paramref name="order"/> earned: a gain pays debt first, then goes to the order's own
    /// lot (expiring with it: at once when its instant has passed, by the caller's <see cref="ExpireDue"/>); a loss is taken
    /// like a refund reversal (own lot, then its points that expired, which nobody is charged for, then, given the late
    /// event's <paramref name="occurredAt"/>, the points other lots lost to expiry since, then the rest, then debt). A gain to
    /// a lot expired by <paramref name="now"/> pays only <see cref="DebtPayableBy"/> its expiry. Returns the change of the
    /// balance: <paramref name="delta"/>, less for a loss the points of it that had expired.
    /// </summary>
    internal static long Adjust(MemberState state, OrderRecord order, long delta, DateTimeOffset? occurredAt = null, DateTimeOffset? now = null)
    {
        if (delta >= 0)
        {
            var payDebt = Math.Min(DebtPayable(state, order, now), delta);
            state.PointsDebt -= payDebt;
            order.PaidDebt += payDebt;
            order.Remaining += delta - payDebt;
            return delta;
        }

        return -Reverse(state, order, -delta, occurredAt);
    }

    /// <summary>
    /// Takes points from live lots, oldest first. The caller has checked the balance covers them. With
    /// <paramref name="taken"/>, adds each lot taken from and the points it gave, in the order taken.
    /// </summary>
    internal static void Spend(MemberState state, long points, List<(OrderRecord Lot, long Points)>? taken = null) => TakeFromLots(state, points, taken);

    /// <summary>
    /// Takes reversed points from the order's own lot first, then from its points that expired (gone already, so
    /// nobody pays for them), then from those of its points that paid a debt (<see cref="OrderRecord.PaidDebt"/>: that
    /// debt is owed again, paid from the live lots as a new lot would pay it, the rest owed), then, given the instant the reversal <paramref name="occurredAt"/> (a refund's), from the points
    /// that expired since from other lots (soonest expiry first: in order the reversal, or the debt it left, would have
    /// taken them while they were live), then from the rest of the balance; whatever is still owed becomes debt, so the
    /// balance may go negative only for points already spent (CONTRACT.md §2). Returns the points taken from the member:
    /// those reversed minus those that had expired.
    /// </summary>
    internal static long Reverse(MemberState state, OrderRecord order, long points, DateTimeOffset? occurredAt = null)
    {
        var fromOwn = Math.Min(order.Remaining, points);
        order.Remaining -= fromOwn;
        var fromExpired = Math.Min(order.Expired, points - fromOwn);
        order.Expired -= fromExpired;

        // Before any other lot's expired points: in order this lot may never have met that debt (it arrived late, after
        // the lot that would have paid it expired), and its refund must not pay the debt twice.
        var fromPaid = Math.Min(order.PaidDebt, points - fromOwn - fromExpired);
        order.PaidDebt -= fromPaid;
        state.PointsDebt += TakeFromLots(state, fromPaid, taken: null);
        var rest = points - fromOwn - fromExpired - fromPaid;
        if (occurredAt is { } since && rest > 0)
        {
            var fromExpiredSince = TakeExpiredSince(state, rest, since);
            fromExpired += fromExpiredSince;
            rest -= fromExpiredSince;
        }

        state.PointsDebt += TakeFromLots(state, rest, taken: null);
        return points - fromExpired;
    }

    /// <summary>
    /// The debt a lot expiring at <paramref name="expiresAt"/> may pay: at most the points that refunds occurred before that
    /// instant reversed (what the member's kept orders' refund marks reversed, floor(refunded × points / amount) each), as
    /// only a debt that arose while the lot was live would have been paid by it in order; never more than the debt. A debt
    /// that arose after it expired stays owed (points are never created from a lot that expired before it; CONTRACT.md §2).
    /// Summarised orders' refunds are not counted (the safe side: the debt stays owed).
    /// </summary>
    internal static long DebtPayableBy(MemberState state, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        long reversed = 0;
        foreach (var o in state.Orders)
        {
            foreach (var mark in o.RefundMarks ?? [])
            {
                if (mark.At < expiresAt && o.Amount > 0m)
                {
                    reversed += (long)decimal.Floor(mark.Amount * o.Points / o.Amount);
                }
            }
        }

        return Math.Min(state.PointsDebt, reversed);
    }

    /// <summary>The debt <paramref name="order"/>'s lot may pay at <paramref name="now"/>: all of it while live, else <see cref="DebtPayableBy"/> its expiry.</summary>
    private static long DebtPayable(MemberState state, OrderRecord order, DateTimeOffset? now) =>
        now is { } at && at >= order.ExpiresAt ? DebtPayableBy(state, order.ExpiresAt) : state.PointsDebt;

    /// <summary>
    /// Takes up to <paramref name="points"/> from the expired points of lots that expired after <paramref name="since"/>, soonest
    /// first; returns how many. Summarised orders (<see cref="OrderSummary"/>, no expiry instant kept) are not scanned: what
    /// their expired points would cover is taken from the live lots or owed, the safe side.
    /// </summary>
    private static long TakeExpiredSince(MemberState state, long points, DateTimeOffset since)
    {
        List<OrderRecord>? expired = null;
        foreach (var o in state.Orders)
        {
            if (o.Expired > 0 && o.ExpiresAt > since)
            {
                (expired ??= []).Add(o);
            }
        }

        if (expired is null)
        {
            return 0;
        }

        expired.Sort(static (a, b) => a.ExpiresAt != b.ExpiresAt ? a.ExpiresAt.CompareTo(b.ExpiresAt) : string.CompareOrdinal(a.OrderId, b.OrderId));
        var left = points;
        foreach (var o in expired)
        {
            var take = Math.Min(o.Expired, left);
            o.Expired -= take;
            left -= take;
            if (left == 0)
            {
                break;
            }
        }

        return points - left;
    }

    private static long TakeFromLots(MemberState state, long points, List<(OrderRecord Lot, long Points)>? taken)
    {
        var left = points;
        foreach (var order in LiveLots(state))
        {
            if (left == 0)
            {
                break;
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
