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
    /// Characters of a lot id a spend's reason shows, at most (a 36-character GUID whole); a longer id shows its first
    /// 19, <c>…</c> and its last 20, so ids that differ only at their end (an undo's extra lot
    /// <c>adjustment|redemption-undo\u001F2:RDM-20261204-000123</c>, an order number after a long store prefix) still read
    /// apart. A member's ledger keeps its newest 50 entries, each possibly a spend: with 128-character CJK ids
    /// (escaped in the stored JSON, 6 bytes a character) four whole ids would add about 3 KB an entry, 150 KB in all.
    /// </summary>
    public const int MaxLotIdShown = 40;

    // A cut id's head and tail, around the "…": MaxLotIdShown characters in all.
    private const int HeadShown = 19;
    private const int TailShown = MaxLotIdShown - HeadShown - 1;

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
    /// and its last 20 (one fewer on a side rather than split a surrogate pair).
    /// </summary>
    internal static string Shown(string lotId)
    {
        if (lotId.Length <= MaxLotIdShown)
        {
            return lotId;
        }

        var head = char.IsHighSurrogate(lotId[HeadShown - 1]) ? HeadShown - 1 : HeadShown;
        var tail = lotId.Length - TailShown;
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
