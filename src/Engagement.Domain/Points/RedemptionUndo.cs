using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Points;

/// <summary>
/// The engine's undo of a catalogue redemption whose reward unit was lost after the points were taken (adjustment
/// <see cref="AdjustmentPolicy.RedemptionUndoPrefix"/><c>{redemptionId}</c>, docs/offers.md): each point goes back to the
/// lot it was taken from, with that lot's own expiry, so the balance, the points liability and what expires when
/// (CONTRACT.md §2 lots, §5 points economy) are what they would be had the redemption never happened; a later
/// redemption (catalogue or points) made before the undo that kept its lots is taken again from the soonest-expiring points as it would have
/// been (<see cref="LaterRedemptions"/>: points move between lots, none is spent again; RedemptionUndoDebtTests,
/// RedemptionUndoLaterTests), while one whose lots are not kept (an older one, one stored before points redemptions kept them) keeps the lots it took
/// and the restored lot holds the points it would have taken (the balance, debt and liability exact). A lot gets back no
/// more than it has given out: what a refund or a downward correction of its order took from other lots since pays the
/// debt, then refills those lots, soonest to expire first. A part whose lot has expired by the
/// undo's instant comes back as a grace lot of <see cref="ProgramOptions.RedemptionUndoGraceDays"/> days; a part whose lot
/// is no longer kept in full (a spent lot the order count cap summarised) comes back as a lot of its own with that lot's
/// expiry. A redemption whose lots are not known (<see cref="RedemptionRecord.Lots"/> null) is given back as before: one
/// fresh lot expiring like a purchase's (<see cref="ProgramOptions.PointsLifetimeMonths"/>).
/// </summary>
public static class RedemptionUndo
{
    /// <summary>
    /// Lots kept per redemption, at most; a redemption that took from more keeps the first 15 exactly and the rest as one
    /// part at the latest expiry among them (the member never gets less time than the points had; at most that lot's).
    /// </summary>
    public const int MaxLotsPerRedemption = 16;

    /// <summary>
    /// Lots named, at most, in the undo's ledger reason (and, for the points a refunded lot had no room for, lots refilled
    /// per part); beyond, "+N more": the reason, kept in the member's ledger, stays bounded with 128-character lot ids.
    /// </summary>
    public const int MaxLotsNamed = 4;

    /// <summary>
    /// The newest catalogue redemptions at a store (those the engine may undo) that keep their lots, at most (at worst, 16
    /// lots with 128-character CJK ids, each kept as its 25-character key, about 1.5 KB of JSON each, so a member's state
    /// grows by 6,116 bytes; with the <see cref="MaxMovedOnlyRedemptionsWithLots"/> points redemptions after them, 10,703,
    /// RedemptionUndoSizeTests; with 36-character lot ids stored as sent, 10-digit points and 128-character CJK redemption
    /// ids (kept as keys, <see cref="Members.KeptIds"/>) the 7 records add 14,681 bytes of JSON with Chinese escaped; the every-cap member, <see cref="Members.MemberStateSizes.EveryCapAtOnceCharacters"/>,
    /// fits the 480 KiB row with all its collections at their caps); an undo comes minutes after its
    /// redemption (the unit's hold lasts <c>StockHoldMinutes</c>), and an older one's undo falls back to one fresh lot.
    /// </summary>
    public const int MaxRedemptionsWithLots = 4;

    /// <summary>What a redemption took, lot by lot (<see cref="PointsWallet.Spend"/>), as kept on its record; null when it took nothing.</summary>
    internal static List<RedemptionLotPart>? PartsOf(List<(OrderRecord Lot, long Points)> taken)
    {
        if (taken.Count == 0)
        {
            return null;
        }

        var exact = taken.Count <= MaxLotsPerRedemption ? taken.Count : MaxLotsPerRedemption - 1;
        var parts = new List<RedemptionLotPart>(Math.Min(taken.Count, MaxLotsPerRedemption));
        for (var i = 0; i < exact; i++)
        {
            parts.Add(new RedemptionLotPart { LotId = taken[i].Lot.OrderId, Points = taken[i].Points, ExpiresAt = taken[i].Lot.ExpiresAt });
        }

        if (exact < taken.Count)
        {
            // Taken soonest to expire first: the last lot of the rest expires latest.
            var rest = taken.Skip(exact).Sum(t => t.Points);
            parts.Add(new RedemptionLotPart { LotId = null, Points = rest, ExpiresAt = taken[^1].Lot.ExpiresAt });
        }

        return parts;
    }

    /// <summary>
    /// <paramref name="parts"/> (soonest to expire first) as a record keeps them: at most <see cref="MaxLotsPerRedemption"/>,
    /// beyond, the first 15 and the rest as one part at the latest expiry among them, as <see cref="PartsOf"/> keeps them.
    /// </summary>
    internal static List<RedemptionLotPart> Capped(List<RedemptionLotPart> parts) =>
        parts.Count <= MaxLotsPerRedemption
            ? parts
            : [.. parts.Take(MaxLotsPerRedemption - 1),
                new RedemptionLotPart { LotId = null, Points = parts.Skip(MaxLotsPerRedemption - 1).Sum(p => p.Points), ExpiresAt = parts[^1].ExpiresAt }];

    /// <summary>
    /// The newest redemptions the engine never undoes (a points redemption, no reward, with or without a store; a store-less
    /// catalogue one) that keep their lots, at most, and only those made after a redemption that may yet be undone kept its
    /// lots: its undo takes them again from the soonest-expiring points (<see cref="LaterRedemptions"/>); nothing else reads
    /// them. With <see cref="MaxRedemptionsWithLots"/> this bounds a member's kept lots to 7 records of 16 parts
    /// (RedemptionUndoSizeTests).
    /// </summary>
    public const int MaxMovedOnlyRedemptionsWithLots = 3;

    /// <summary>
    /// Whether the engine may undo the redemption (a catalogue one at a store, its unit lost): its lots are kept for its
    /// own undo; any other's only so that an earlier one's undo can move it.
    /// </summary>
    internal static bool MayBeUndone(RedemptionRecord record) => record.RewardId is not null && record.StoreId is not null;

    /// <summary>
    /// Drops the lots of all but the newest <see cref="MaxRedemptionsWithLots"/> redemptions the engine may undo that keep
    /// them, and of all but the newest <see cref="MaxMovedOnlyRedemptionsWithLots"/> others, dropping too those of any other
    /// made before the oldest undoable one left with lots (no undo can move it): state stays bounded, and a member who
    /// makes no catalogue redemption at a store keeps no lots at all.
    /// </summary>
    internal static void ForgetOldLots(List<RedemptionRecord> records)
    {
        var undoable = 0;
        var oldestUndoable = records.Count;
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Lots is not null && MayBeUndone(records[i]))
            {
                if (++undoable > MaxRedemptionsWithLots)
                {
                    records[i].Lots = null;
                }
                else
                {
                    oldestUndoable = i;
                }
            }
        }

        var others = 0;
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Lots is not null && !MayBeUndone(records[i]) && (i < oldestUndoable || ++others > MaxMovedOnlyRedemptionsWithLots))
            {
                records[i].Lots = null;
            }
        }
    }

    /// <summary>
    /// Gives the <paramref name="points"/> of the redemption named by <paramref name="adjustmentId"/> (the engine's
    /// <see cref="AdjustmentPolicy.RedemptionUndoPrefix"/> id) back to the lots it took them from, at <paramref name="now"/>
    /// (lots already due expired by the caller); a restored part pays a refund's debt first, as any new points do, and a
    /// lot takes back no more than its <see cref="Room"/> (the rest goes as <see cref="Refill"/> says). Returns
    /// the text naming each lot and what it got back (for the ledger entry; what paid debt is named as the debt's, not the
    /// lot's, including what the lot had room for), or null when the redemption's lots are not
    /// known or do not add up to <paramref name="points"/>, or it is not one the engine undoes (<see cref="MayBeUndone"/>: a
    /// points redemption keeps its lots only to be moved): the caller then gives them back as one fresh lot. The
    /// redemption's lots are dropped once used. Then <see cref="LaterRedemptions.Retake"/> takes the later (catalogue and points)
    /// redemptions that kept their lots again, soonest to expire first: points move between lots and each moved one's
    /// <see cref="RedemptionRecord.Lots"/> are rewritten to the lots it now holds (the text then ends with
    /// <see cref="LotNames.MovedPrefix"/> and the moves).
    /// </summary>
    internal static string? Restore(MemberState state, string adjustmentId, long points, ProgramOptions options, DateTimeOffset now)
    {
        var redemptionId = adjustmentId[AdjustmentPolicy.RedemptionUndoPrefix.Length..];
        var record = RedemptionPolicy.Remembered(state, redemptionId);
        if (record is not { Status: RedemptionStatuses.Accepted, Lots: { Count: > 0 } parts } || !MayBeUndone(record) || record.Points != points
            || parts.Sum(p => p.Points) != points)
        {
            return null;
        }

        var graceEnd = GraceEnd(state, options, now);
        var texts = new List<string>(parts.Count);
        var ownLots = new SortedDictionary<DateTimeOffset, long>();
        var excess = new List<(int Index, RedemptionLotPart Part, long ToDebt, long Left)>();
        var given = new List<RedemptionLotPart>(parts.Count); // what a later redemption may take again (LaterRedemptions)
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var name = part.LotId is { } lotId ? LotNames.Shown(lotId) : "the rest of its lots"; // cut as a spend names it
            if (now >= part.ExpiresAt)
            {
                // Its lot would have expired: not resurrected for a year, not lost either (the member paid for a unit it never got).
                Add(ownLots, graceEnd, part.Points);
                if (part.LotId is not null)
                {
                    given.Add(part);
                }

                texts.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name} +{part.Points} expired at {LotNames.Instant(part.ExpiresAt)}, a {options.RedemptionUndoGraceDays}-day grace lot until {LotNames.Instant(graceEnd)}"));
            }
            else if (part.LotId is not null && OrderBook.Find(state, part.LotId) is { } lot && lot.ExpiresAt == part.ExpiresAt)
            {
                // No more than the lot has given out: a refund (or a downward correction) of its order since took the rest
                // from other lots, which get it back below, as they would hold it had the redemption never happened.
                var back = Math.Min(part.Points, Room(lot));
                // What it has no room for pays a refund's debt first (what arose before the lot expires, PointsDebtBook).
                var toDebt = PointsDebtBook.Pay(state, part.Points - back, lot.ExpiresAt);
                var left = part.Points - back - toDebt;

                // What the lot has room for pays what debt is left too (PointsWallet.Adjust): the lot holds only the rest.
                var backToDebt = Math.Min(PointsDebtBook.Payable(state, lot.ExpiresAt), back);
                toDebt += backToDebt;
                var kept = back - backToDebt;
                if (back > 0)
                {
                    PointsWallet.Adjust(state, lot, back, now, now); // debt first, then the lot itself
                }

                texts.Add(kept == part.Points
                    ? string.Create(CultureInfo.InvariantCulture, $"{name} +{kept} until {LotNames.Instant(part.ExpiresAt)}")
                    : kept > 0 ? string.Create(CultureInfo.InvariantCulture, $"{name} +{kept} until {LotNames.Instant(part.ExpiresAt)} and its other {part.Points - kept}")
                    : string.Create(CultureInfo.InvariantCulture, $"{name}'s {part.Points}"));
                if (kept < part.Points)
                {
                    excess.Add((i, part, toDebt, left));
                }

                if (kept > 0)
                {
                    given.Add(part with { LotId = lot.OrderId, Points = kept });
                }
            }
            else
            {
                Add(ownLots, part.ExpiresAt, part.Points);
                texts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} +{part.Points} until {LotNames.Instant(part.ExpiresAt)} in a lot of its own"));
            }
        }

        // Once every part has had its own lot back: what a lot no longer has room for.
        foreach (var (i, part, toDebt, left) in excess)
        {
            var to = toDebt > 0 ? string.Create(CultureInfo.InvariantCulture, $"the debt +{toDebt}") : "";
            texts[i] += " to " + (left == 0 ? to : (to.Length > 0 ? to + " and " : "") + Refill(state, left, part.ExpiresAt, ownLots, now));
        }

        // Later redemptions take again the soonest-expiring points, as they would have had this one never been made.
        var moved = LaterRedemptions.Retake(state, record, given, ownLots, graceEnd, now);
        var n = 0;
        foreach (var (expiresAt, lotPoints) in ownLots)
        {
            // The first under the adjustment's own id (it marks the undo applied while kept, as a fresh lot did), the rest numbered.
            var id = n++ == 0 ? AdjustmentPolicy.EventIdOf(adjustmentId) : ExtraLotId(adjustmentId, n);
            var own = new OrderRecord { OrderId = id, At = now, Amount = 0m, Points = lotPoints, ExpiresAt = expiresAt };
            state.Orders.Add(own);
            GrowthPolicy.Added(state, options, own.At, own.NetGrowth, orders: 1);
            PointsWallet.AddLot(state, own);
        }

        record.Lots = null;
        ForgetOldLots(state.Redemptions); // the others before the next undoable one can no longer be moved
        return "; points back to their lots: " + LotNames.Named(texts, ", ", MaxLotsNamed) + moved;
    }

    /// <summary>
    /// The id of the <paramref name="n"/>th (from 2) lot of its own an undo adds: <c>adjustment|redemption-undo\u001F{n}:{redemptionId}</c>,
    /// with U+001F (unit separator) where the undo's own id has its colon. No other lot can have it: a redemption id may hold
    /// any character, so <c>adjustment|redemption-undo:{redemptionId}#2</c> could be the undo of redemption
    /// <c>{redemptionId}#2</c> (whose give-back would then be taken for applied, and lost), but every such id has a colon
    /// there; a staff adjustment id holds no control character (its validator refuses them), and a purchase's order id
    /// may not start with <see cref="AdjustmentPolicy.EventIdPrefix"/>.
    /// </summary>
    internal static string ExtraLotId(string adjustmentId, int n) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{AdjustmentPolicy.EventIdPrefix}{AdjustmentPolicy.RedemptionUndoPrefix[..^1]}\u001F{n}:{adjustmentId[AdjustmentPolicy.RedemptionUndoPrefix.Length..]}");

    /// <summary>
    /// When a grace lot given back at <paramref name="now"/> expires: <see cref="ProgramOptions.RedemptionUndoGraceDays"/>
    /// days later on the member's local calendar, at the same local time (as <see cref="PointsWallet.ExpiryOf"/> counts months).
    /// </summary>
    public static DateTimeOffset GraceEnd(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var zone = GrowthPolicy.Zone(state, options);
        var wall = TimeZoneInfo.ConvertTime(now, zone).DateTime.AddDays(options.RedemptionUndoGraceDays);
        return MemberClock.AtLocal(DateOnly.FromDateTime(wall), TimeOnly.FromDateTime(wall), zone);
    }

    /// <summary>
    /// Gives <paramref name="points"/> a lot had no room for (and that a refund's debt did not take) back, mirroring how
    /// they were taken (<see cref="PointsWallet.Spend"/>): to lots that have not expired and have given out points, soonest
    /// to expire first, each up to its <see cref="Room"/>; what is left as a lot of its own expiring at
    /// <paramref name="expiresAt"/>. Returns where they went.
    /// </summary>
    private static string Refill(MemberState state, long points, DateTimeOffset expiresAt, SortedDictionary<DateTimeOffset, long> ownLots, DateTimeOffset now)
    {
        var to = new List<string>();
        var lots = state.Orders.Where(o => now < o.ExpiresAt && Room(o) > 0)
            .OrderBy(o => o.ExpiresAt).ThenBy(o => o.At).ThenBy(o => o.OrderId, StringComparer.Ordinal).ToList();
        foreach (var lot in lots)
        {
            if (points == 0)
            {
                break;
            }

            var take = Math.Min(points, Room(lot));
            lot.Remaining += take;
            points -= take;
            to.Add(string.Create(CultureInfo.InvariantCulture, $"{LotNames.Shown(lot.OrderId)} +{take} until {LotNames.Instant(lot.ExpiresAt)}"));
        }

        if (points > 0)
        {
            Add(ownLots, expiresAt, points);
            to.Add(string.Create(CultureInfo.InvariantCulture, $"a lot of its own +{points} until {LotNames.Instant(expiresAt)}"));
        }

        return LotNames.Named(to, " and ", MaxLotsNamed);
    }

    /// <summary>
    /// Points a lot has given out and could take back: what its order earns (net of what refunds reversed), less what
    /// expired and what it holds. 0 for a lot a refund emptied, as it holds nothing had the redemption never happened.
    /// </summary>
    internal static long Room(OrderRecord lot) => Math.Max(0, lot.Points - lot.PointsReversed - lot.Expired - lot.Remaining);

    private static void Add(SortedDictionary<DateTimeOffset, long> lots, DateTimeOffset expiresAt, long points) =>
        lots[expiresAt] = lots.GetValueOrDefault(expiresAt) + points;
}
