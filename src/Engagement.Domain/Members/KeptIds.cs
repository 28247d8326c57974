using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engagement.Domain.Members;

/// <summary>
/// How a member keeps an id a client sent (an order or lot id, a redemption id and its store id, an adjustment id): as
/// sent when its stored JSON takes at most <see cref="MaxKeptBytes"/> bytes, else as a fixed-size key, so what a member
/// keeps fits one table row whatever characters a POS or a support desk puts in its ids (CONTRACT.md §1, and
/// <c>RequestIds.MaxLength</c>: ids are up to 128 code points, and the stored-state encoder writes an emoji as 12 characters, <c>+</c> or a quote as 6, so one
/// id could take 1,536). The key is the id's first code points (at most <see cref="PrefixBytes"/> stored bytes, for whoever
/// reads it), <c>~</c>, and 22 base64url characters of the SHA-256 of the id's UTF-16 code units (128 bits): two ids of
/// one member share a key only if their hashes collide, or if a client sends, as an id, the key of another of that
/// member's ids. The key is itself kept as it is (<see cref="Key"/> is idempotent), so an id stored either way, and an id
/// stored before keys were kept (its full text, read back into its key), all match the id as sent again
/// (<see cref="Same"/>). The one owner of this rule; <see cref="Orders.OrderIds"/> keeps order ids by it.
/// </summary>
/// <remarks>
/// The stored format: never change <see cref="MaxKeptBytes"/>, <see cref="PrefixBytes"/> or the hash, or stored keys stop
/// matching the ids that made them. The byte count is an upper bound for any JSON encoder: letters, digits and
/// <c>-_.:/~|@#$%()*,;=?! </c> count 1, every other UTF-16 unit 6 (its <c>\uXXXX</c> escape), so a key takes at most 35
/// stored characters whatever its opening holds.
/// </remarks>
public static class KeptIds
{
    /// <summary>
    /// An id whose stored JSON (quotes left out) takes at most this many bytes is kept as sent: a GUID (36) is, and so are
    /// 6 Chinese characters. A key takes at most 35, so no kept id is longer than a GUID.
    /// </summary>
    public const int MaxKeptBytes = 36;

    /// <summary>The most stored bytes of the id's opening kept in its key (2 Chinese characters, or 12 letters and digits).</summary>
    public const int PrefixBytes = 12;

    /// <summary>Between the opening and the hash in a key.</summary>
    public const char Separator = '~';

    private const int HashBytes = 16; // 22 base64url characters

    private const string OneByte = "-_.:/~|@#$%()*,;=?! ";

    /// <summary>
    /// The id a member keeps for <paramref name="id"/>: <paramref name="id"/> itself when its stored JSON takes at most
    /// <see cref="MaxKeptBytes"/> bytes (<see cref="StoredBytesAtMost"/>), else its key (at most 35 bytes stored, ASCII
    /// after its opening). Idempotent: the key of a key is that key.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public static string Key(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (StoredBytesAtMost(id) <= MaxKeptBytes)
        {
            return id;
        }

        var prefix = 0;
        var bytes = 0;
        while (prefix < id.Length)
        {
            var width = char.IsHighSurrogate(id[prefix]) && prefix + 1 < id.Length && char.IsLowSurrogate(id[prefix + 1]) ? 2 : 1;
            var cost = width == 2 ? 12 : CharBytes(id[prefix]);
            if (bytes + cost > PrefixBytes)
            {
                break;
            }

            bytes += cost;
            prefix += width;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(id.AsSpan()), hash);
        return string.Concat(id.AsSpan(0, prefix), [Separator], Base64Url.EncodeToString(hash[..HashBytes]));
    }

    /// <summary>The kept form (<see cref="Key"/>) of <paramref name="id"/>; null for null (an optional id not sent).</summary>
    public static string? KeyOrNull(string? id) => id is null ? null : Key(id);

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> name the same id, each kept or as sent (<see cref="Key"/>);
    /// false when either is null.
    /// </summary>
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && (string.Equals(a, b, StringComparison.Ordinal) || string.Equals(Key(a), Key(b), StringComparison.Ordinal));

    /// <summary>
    /// As <see cref="Same"/> for a <paramref name="kept"/> id (as kept or as sent) against <paramref name="id"/> as a request
    /// sends it, whose key the caller computed once (<paramref name="keyOfId"/> = <see cref="Key"/> of <paramref name="id"/>),
    /// so matching one id against many kept ones hashes it once; false when <paramref name="kept"/> is null.
    /// </summary>
    public static bool Matches(string? kept, string id, string keyOfId) =>
        kept is not null && (string.Equals(kept, id, StringComparison.Ordinal) || string.Equals(Key(kept), keyOfId, StringComparison.Ordinal));

    /// <summary>
    /// As <see cref="Same"/>, but two nulls (an optional id sent by neither, e.g. a redemption without a store) are the
    /// same too; a null and an id are not.
    /// </summary>
    public static bool SameOrBothAbsent(string? a, string? b) => a is null ? b is null : Same(a, b);

    /// <summary>
    /// True when <paramref name="ids"/> (each as sent or as kept: <see cref="Key"/>) holds <paramref name="id"/>
    /// (<see cref="Same"/>); false when either is null.
    /// </summary>
    public static bool Contains(IReadOnlyList<string>? ids, string? id)
    {
        if (ids is null || id is null)
        {
            return false;
        }

        var key = Key(id);
        foreach (var known in ids)
        {
            if (Matches(known, id, key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The most bytes <paramref name="id"/> takes as a JSON string, quotes left out (see the remarks).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    public static int StoredBytesAtMost(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var bytes = 0;
        foreach (var c in id)
        {
            bytes += CharBytes(c);
        }

        return bytes;
    }

    private static int CharBytes(char c) => char.IsAsciiLetterOrDigit(c) || OneByte.Contains(c, StringComparison.Ordinal) ? 1 : 6;
}
