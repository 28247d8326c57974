using System.Globalization;
using Engagement.Domain.Orders;

namespace Engagement.Domain.Points;

/// <summary>
/// How a points ledger reason names the lots its points came from or went back to (support sees why a lot shrank or
/// grew, docs/offers.md): each lot as <c>{lotId} ±{points} until {expiry}</c>, the expiry as the lot keeps it (the
/// member's local time with its offset, or UTC), at most <see cref="RedemptionUndo.MaxLotsNamed"/> lots, then
/// <c>+N more</c>, so the reason, kept in the member's ledger, stays bounded whatever the lot ids.
/// </summary>
public static class LotNames
{
    /// <summary>
    /// What a spend's ledger reason (a redemption's, rule <c>points.redeem</c>; a negative points adjustment's) ends with
    /// when it took points from lots: <c>; points taken from lots: O-1 -600 until 2026-12-10T12:00:00+08:00, …</c>.
    /// </summary>
    public const string TakenPrefix = "; points taken from lots: ";

    /// <summary>
    /// What the ledger reason of a redemption's undo ends with when it moved later redemptions onto the sooner lots they
    /// would have taken (<c>LaterRedemptions</c>, docs/offers.md), after the lots its points went back to:
    /// <c>; later redemptions moved to the sooner lots they would have taken: R2 A -50 until … instead of D -50 until …</c>,
    /// each redemption's lots joined by <c> and </c> (at most <see cref="RedemptionUndo.MaxLotsNamed"/> a side, then
    /// <c>+N more</c>; ids cut to <see cref="MaxLotIdShown"/>, as a spend's). A lot past its expiry at the undo is named as
    /// the undo's grace lot, within which its points move: <c>the grace lot -150 (A, expired at …)</c>.
    /// </summary>
    public const string MovedPrefix = "; later redemptions moved to the sooner lots they would have taken: ";

    /// <summary>
    /// Characters of a lot id a spend's reason shows, at most (a 36-character GUID whole); a longer id shows its first
    /// 19, <c>…</c> and its last 20, so ids that differ only at their end (an order number after a long store prefix)
    /// still read apart. An undo's extra lot (<c>adjustment|redemption-undo\u001F2:{redemptionId}</c>) keeps its head up
    /// to the colon after the unit separator and the last 10 of the redemption id, so it reads apart from the undo's
    /// first lot and from its other extra lots whatever the redemption id's length. A member's ledger keeps its newest 50 entries, each possibly a spend: with 128-character CJK ids
    /// (escaped in the stored JSON, 6 bytes a character) four whole ids would add about 3 KB an entry, 150 KB in all.
    /// </summary>
    public const int MaxLotIdShown = 40;

    // A cut id's head, before the "…" and its tail: MaxLotIdShown characters in all.
    private const int HeadShown = 19;

    /// <summary>
    /// The suffix naming the lots <see cref="PointsWallet.Spend"/> took <paramref name="taken"/> from, in the order taken
    /// (soonest to expire first, CONTRACT.md §2): <see cref="TakenPrefix"/>, then at most
    /// <see cref="RedemptionUndo.MaxLotsNamed"/> lots as <c>{lotId} -{points} until {expiry}</c> (ids cut to
    /// <see cref="MaxLotIdShown"/>), then <c>, +N more</c>. Empty when nothing was taken (a catalogue step paid in cash alone).
    /// </summary>
    internal static string Taken(List<(OrderRecord Lot, long Points)> taken) =>
        taken.Count == 0
            ? ""
            : TakenPrefix + Named(
                taken.ConvertAll(t => string.Create(CultureInfo.InvariantCulture, $"{Shown(t.Lot.OrderId)} -{t.Points} until {Instant(t.Lot.ExpiresAt)}")),
                ", ", RedemptionUndo.MaxLotsNamed);

    /// <summary>
    /// A lot id as a ledger reason shows it: whole up to <see cref="MaxLotIdShown"/> characters, else its first 19, <c>…</c>
    /// and its last 20 (an undo's extra lot: through its <c>\u001F{n}:</c>, <c>…</c> and what is left of the 40; one fewer
    /// on a side rather than split a surrogate pair).
    /// </summary>
    /// <param name="lotId">The lot's id (its order id, or the engine's own lot id); not null.</param>
    /// <returns>At most <see cref="MaxLotIdShown"/> characters.</returns>
    public static string Shown(string lotId)
    {
        if (lotId.Length <= MaxLotIdShown)
        {
            return lotId;
        }

        // An undo's numbered extra lot differs from its siblings in the middle ("\u001F2:"): keep that in the head.
        var marker = lotId.IndexOf('\u001F', StringComparison.Ordinal);
        var colon = marker < 0 ? -1 : lotId.IndexOf(':', marker);
        var headShown = colon >= 0 && colon + 1 <= MaxLotIdShown - 11 ? colon + 1 : HeadShown;
        var head = char.IsHighSurrogate(lotId[headShown - 1]) ? headShown - 1 : headShown;
        var tail = lotId.Length - (MaxLotIdShown - headShown - 1);
        return lotId[..head] + "…" + lotId[(char.IsLowSurrogate(lotId[tail]) ? tail + 1 : tail)..];
    }

    /// <summary>The first <paramref name="max"/> of <paramref name="items"/>, then how many more there are (the ledger reason stays bounded).</summary>
    internal static string Named(List<string> items, string separator, int max) =>
        items.Count <= max
            ? string.Join(separator, items)
            : string.Join(separator, items.Take(max)) + string.Create(CultureInfo.InvariantCulture, $"{separator}+{items.Count - max} more");

    /// <summary>A lot's expiry as a reason shows it: <c>2026-12-10T12:00:00+08:00</c>, with the offset the lot keeps.</summary>
    internal static string Instant(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
