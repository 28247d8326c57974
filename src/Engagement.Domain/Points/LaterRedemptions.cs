using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Points;

/// <summary>
/// At the undo of a catalogue redemption (<see cref="RedemptionUndo"/>, docs/offers.md), the redemptions made after it
/// that kept their lots (catalogue and points redemptions alike, <see cref="RedemptionUndo.ForgetOldLots"/>): had the undone one never happened, each of them would have taken the soonest-expiring points
/// (CONTRACT.md §2, read as soonest to expire first), some of those now given back. Each is taken again, in the order they
/// were made, over its own recorded parts and the points the undo gave back (and those an earlier one of them let go),
/// soonest to expire first, leaving out a lot already expired at its instant; what it now takes from a sooner lot it lets
/// go of on its latest lots. Points only move between lots: none is created or lost, the balance, the debt, the ledger's
/// sum and the programme's metrics stay as the undo leaves them, and the redemption's <see cref="RedemptionRecord.Lots"/>
/// name the lots it now holds (so its own undo gives them back there).
/// </summary>
internal static class LaterRedemptions
{
    /// <summary>
    /// Takes again, soonest to expire first, each accepted redemption after <paramref name="undone"/> in the member's
    /// records that kept its lots, over its parts and <paramref name="given"/> (the points the undo put back, lot by lot,
    /// as parts: in that lot while it is live at <paramref name="now"/>, else in the grace lot <paramref name="ownLots"/>
    /// holds at <paramref name="graceEnd"/>). A lot past its expiry at <paramref name="now"/> is moved to and from within
    /// that grace lot (its points are the undo's grace points either way). Left as it is: a redemption whose lots are not
    /// kept (null: one past the newest that keep them, one already undone, one stored before a points redemption kept
    /// them), one that kept a merged rest of its lots (lots
    /// not known), and one a move would take more from a lot than it holds or give a lot more than it gave out (a refund
    /// since). Nothing moves while debt is still owed (a grace lot pays it as new points do). Returns the text for the
    /// ledger reason, or "" when nothing moved.
    /// </summary>
    internal static string Retake(
        MemberState state, RedemptionRecord undone, List<RedemptionLotPart> given, SortedDictionary<DateTimeOffset, long> ownLots, DateTimeOffset graceEnd, DateTimeOffset now)
    {
        var index = state.Redemptions.IndexOf(undone);
        if (index < 0 || state.PointsDebt > 0)
        {
            return "";
        }

        // What the undo gave back and the later ones let go of since, by lot key: what a later redemption may take again.
        var pool = new Dictionary<string, RedemptionLotPart>(StringComparer.Ordinal);
        foreach (var part in given)
        {
            Add(pool, part, part.Points);
        }

        var texts = new List<string>();
        for (var i = index + 1; i < state.Redemptions.Count; i++)
        {
            var later = state.Redemptions[i];
            if (later is not { Status: RedemptionStatuses.Accepted, Undone: false, Lots: { Count: > 0 } parts }
                || parts.Exists(p => p.LotId is null) || parts.Sum(p => p.Points) != later.Points)
            {
                continue;
            }

            var taken = Fifo(later, parts, pool);
            var moves = Moves(parts, taken);
            if (moves.Count == 0 || !moves.TrueForAll(m => CanMove(state, m.Part, m.Delta, now)))
            {
                continue;
            }

            foreach (var (part, delta) in moves)
            {
                Move(state, part, delta, ownLots, graceEnd, now);
                Add(pool, part, -delta); // taken from the pool, or let go of into it
            }

            later.Lots = RedemptionUndo.Capped(taken);
            texts.Add(Text(later.RedemptionId, moves, now)); // its id as kept (KeptIds): a long one by its bounded key
        }

        return texts.Count == 0 ? "" : LotNames.MovedPrefix + LotNames.Named(texts, ", ", RedemptionUndo.MaxLotsNamed);
    }

    /// <summary>
    /// The redemption taken again: its points from its own parts and the pool's lots live at its instant, soonest to
    /// expire first (its own part first on a tie: it stays where it is), merged by lot.
    /// </summary>
    private static List<RedemptionLotPart> Fifo(RedemptionRecord later, List<RedemptionLotPart> parts, Dictionary<string, RedemptionLotPart> pool)
    {
        var offered = parts.Select(p => (Part: p, Own: 0))
            .Concat(pool.Values.Where(p => p.Points > 0 && later.At < p.ExpiresAt).Select(p => (Part: p, Own: 1)))
            .OrderBy(o => o.Part.ExpiresAt).ThenBy(o => o.Own)
            .ToList();
        var taken = new List<RedemptionLotPart>(offered.Count);
        var left = later.Points;
        foreach (var (part, _) in offered)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, part.Points);
            left -= take;
            var key = OrderIds.Key(part.LotId!);
            var same = taken.FindIndex(t => string.Equals(OrderIds.Key(t.LotId!), key, StringComparison.Ordinal));
            if (same >= 0)
            {
                taken[same] = taken[same] with { Points = taken[same].Points + take };
            }
            else
            {
                taken.Add(part with { Points = take });
            }
        }

        return taken;
    }

    /// <summary>Per lot, what the redemption now takes more (delta &gt; 0, from the pool) or less (delta &lt; 0, let go), sooner lots first.</summary>
    private static List<(RedemptionLotPart Part, long Delta)> Moves(List<RedemptionLotPart> before, List<RedemptionLotPart> after)
    {
        var moves = new List<(RedemptionLotPart Part, long Delta)>();
        foreach (var part in before.Concat(after).DistinctBy(p => OrderIds.Key(p.LotId!)).OrderBy(p => p.ExpiresAt))
        {
            var key = OrderIds.Key(part.LotId!);
            var delta = SumOf(after, key) - SumOf(before, key);
            if (delta != 0)
            {
                moves.Add((part, delta));
            }
        }

        return moves;
    }

    private static long SumOf(List<RedemptionLotPart> parts, string key) =>
        parts.Where(p => string.Equals(OrderIds.Key(p.LotId!), key, StringComparison.Ordinal)).Sum(p => p.Points);

    /// <summary>
    /// Whether the lot can give <paramref name="delta"/> (&gt; 0: it holds that many) or take back −<paramref name="delta"/>
    /// (&lt; 0: it gave that many out and has room); a lot past its expiry at <paramref name="now"/> moves within the grace lot.
    /// </summary>
    private static bool CanMove(MemberState state, RedemptionLotPart part, long delta, DateTimeOffset now) =>
        now >= part.ExpiresAt
        || (OrderBook.Find(state, part.LotId) is { } lot && lot.ExpiresAt == part.ExpiresAt
            && (delta > 0 ? lot.Remaining >= delta : RedemptionUndo.Room(lot) >= -delta));

    private static void Move(MemberState state, RedemptionLotPart part, long delta, SortedDictionary<DateTimeOffset, long> ownLots, DateTimeOffset graceEnd, DateTimeOffset now)
    {
        if (now < part.ExpiresAt)
        {
            OrderBook.Find(state, part.LotId)!.Remaining -= delta;
            return;
        }

        var grace = ownLots.GetValueOrDefault(graceEnd) - delta;
        if (grace == 0)
        {
            ownLots.Remove(graceEnd);
        }
        else
        {
            ownLots[graceEnd] = grace;
        }
    }

    private static void Add(Dictionary<string, RedemptionLotPart> pool, RedemptionLotPart part, long points)
    {
        var key = OrderIds.Key(part.LotId!);
        pool[key] = pool.TryGetValue(key, out var had) ? had with { Points = had.Points + points } : part with { Points = points };
    }

    /// <summary>
    /// <c>R2 A -50 until … instead of D -50 until …</c>: the lots it now takes from, and those it let go of; a lot past its
    /// expiry at <paramref name="now"/> as <c>the grace lot -50 (A, expired at …)</c>, as its points move within the undo's
    /// grace lot, never from or to the expired lot itself.
    /// </summary>
    private static string Text(string redemptionId, List<(RedemptionLotPart Part, long Delta)> moves, DateTimeOffset now)
    {
        string Lots(IEnumerable<(RedemptionLotPart Part, long Delta)> side) =>
            LotNames.Named([.. side.Select(m => now >= m.Part.ExpiresAt
                ? string.Create(CultureInfo.InvariantCulture,
                    $"the grace lot -{Math.Abs(m.Delta)} ({LotNames.Shown(m.Part.LotId!)}, expired at {LotNames.Instant(m.Part.ExpiresAt)})")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{LotNames.Shown(m.Part.LotId!)} -{Math.Abs(m.Delta)} until {LotNames.Instant(m.Part.ExpiresAt)}"))], " and ", RedemptionUndo.MaxLotsNamed);

        return $"{LotNames.Shown(redemptionId)} {Lots(moves.Where(m => m.Delta > 0))} instead of {Lots(moves.Where(m => m.Delta < 0))}";
    }
}
