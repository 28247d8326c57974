using Engagement.Domain.Members;

namespace Engagement.Domain.Orders;

/// <summary>
/// How a member keeps an order (or lot) id: by the kept-id rule (<see cref="KeptIds"/>, its one owner), so the orders a
/// member keeps (<see cref="Program.ProgramOptions.MaxOrders"/> in full, <see cref="Program.ProgramOptions.MaxOrderSummaries"/>
/// summarised) fit one table row whatever ids its POS sends (CONTRACT.md §1: an orderId is 1–128 code points): as sent when
/// its stored JSON takes at most <see cref="MaxKeptBytes"/> bytes, else as a key of at most 35. An id stored either way,
/// and an id stored before keys were kept, all match the order it names (<see cref="Same"/>).
/// </summary>
/// <remarks>The stored format is <see cref="KeptIds"/>'; this class adds only how a ledger reason names an order (<see cref="Named"/>).</remarks>
public static class OrderIds
{
    /// <summary><see cref="KeptIds.MaxKeptBytes"/>: an id whose stored JSON takes at most this many bytes is kept as sent.</summary>
    public const int MaxKeptBytes = KeptIds.MaxKeptBytes;

    /// <summary><see cref="KeptIds.PrefixBytes"/>: the most stored bytes of the id's opening kept in its key.</summary>
    public const int PrefixBytes = KeptIds.PrefixBytes;

    /// <summary><see cref="KeptIds.Separator"/>: between the opening and the hash in a key.</summary>
    public const char Separator = KeptIds.Separator;

    /// <summary>The id a member keeps for order id <paramref name="id"/> (<see cref="KeptIds.Key"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public static string Key(string id) => KeptIds.Key(id);

    /// <summary>
    /// An order as a ledger reason names it, so support finds it by the id the POS sent: <paramref name="sent"/> itself when
    /// it is kept as sent (<see cref="Key"/>), else the id as sent cut like a lot id (<see cref="Points.LotNames.Shown"/>: at
    /// most <see cref="Points.LotNames.MaxLotIdShown"/> code points, head…tail, so at most 240 stored bytes) and its key in
    /// brackets: <c>{shown} [{key}]</c>.
    /// </summary>
    /// <param name="sent">The order id as the event carried it; not null.</param>
    public static string Named(string sent)
    {
        var key = Key(sent);
        return string.Equals(key, sent, StringComparison.Ordinal) ? sent : string.Concat(Points.LotNames.Shown(sent), " [", key, "]");
    }

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> name the same order, each kept or as sent
    /// (<see cref="KeptIds.Same"/>); false when either is null.
    /// </summary>
    public static bool Same(string? a, string? b) => KeptIds.Same(a, b);

    /// <summary>
    /// True when <paramref name="ids"/> (an order's refund event ids, each as applied or as stored: <see cref="Key"/>) holds
    /// <paramref name="id"/> (<see cref="Same"/>); false when either is null.
    /// </summary>
    public static bool Contains(IReadOnlyList<string>? ids, string? id) => KeptIds.Contains(ids, id);

    /// <summary>The most bytes <paramref name="id"/> takes as a JSON string, quotes left out (<see cref="KeptIds.StoredBytesAtMost"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public static int StoredBytesAtMost(string id) => KeptIds.StoredBytesAtMost(id);
}
