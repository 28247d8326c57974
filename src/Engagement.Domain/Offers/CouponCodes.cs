using System.Security.Cryptography;
using System.Text;

namespace Engagement.Domain.Offers;

/// <summary>
/// Coupon codes (CONTRACT.md §2.1): deterministic per grant, so a retried grant issues the same code, and unguessable,
/// so nobody finds another member's code by trying. A code is HMAC-SHA256(programme secret, memberId ␟ grantId),
/// its first 80 bits written as 16 characters of an alphabet without look-alikes (no 0, O, 1 or I):
/// guessing one of ten million live codes takes about 10^17 tries.
/// </summary>
public sealed class CouponCodes
{
    /// <summary>Characters of a code: 32 symbols, none confusable with another when read aloud or printed.</summary>
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>Characters in a code (5 bits each: 80 bits).</summary>
    public const int Length = 16;

    /// <summary>Shortest accepted secret, in characters.</summary>
    public const int MinSecretLength = 32;

    private static readonly System.Text.RegularExpressions.Regex CodeLike =
        new("(?<![0-9A-Z])[2-9A-HJ-NP-Z]{12}([2-9A-HJ-NP-Z]{4})(?![0-9A-Z])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private readonly byte[] _key;

    /// <summary>
    /// <paramref name="text"/> with every coupon code in it shown as "…" and its last 4 characters (<c>…WB3N</c>), the one
    /// convention of every log line and every record read beyond the holder's own views (e.g. a coupon ledger reason the
    /// support role reads): support can match a coupon whose code the member reads out, and no log or record holds a code
    /// worth its value at a till (docs/offers.md step 5). One convention, so that no two places together show more.
    /// </summary>
    public static string Mask(string text) => CodeLike.Replace(text ?? "", "…$1");

    /// <summary>One code as <see cref="Mask"/> shows it: "…" and its last 4 characters (all of a code shorter than 5).</summary>
    public static string Tail(string code) => "…" + (code.Length > 4 ? code[^4..] : code);

    /// <summary>A code maker keyed by the programme's secret (<c>Engagement:Offers:CouponSecret</c>).</summary>
    /// <exception cref="ArgumentException">The secret is shorter than <see cref="MinSecretLength"/>.</exception>
    public CouponCodes(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinSecretLength)
        {
            throw new ArgumentException($"the coupon secret must be at least {MinSecretLength} characters", nameof(secret));
        }

        _key = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The code of grant <paramref name="grantId"/> to member <paramref name="memberId"/>: the same every time.</summary>
    public string CodeFor(string memberId, string grantId)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentException.ThrowIfNullOrEmpty(grantId);
        var message = Encoding.UTF8.GetBytes(memberId + "\u001f" + grantId);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, message, mac);
        return Encode(mac[..10]);
    }

    /// <summary>True when <paramref name="code"/> is the code of that grant (constant-time comparison).</summary>
    public bool IsCodeOf(string code, string memberId, string grantId) =>
        Normalize(code) is { } normal
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(normal), Encoding.ASCII.GetBytes(CodeFor(memberId, grantId)));

    /// <summary>
    /// A code as typed or scanned, upper-cased with spaces and dashes removed; null when it cannot be a code
    /// (wrong length or a character outside <see cref="Alphabet"/>), so such input is refused before any lookup.
    /// </summary>
    public static string? Normalize(string? code)
    {
        if (code is null || code.Length > 40)
        {
            return null;
        }

        var builder = new StringBuilder(Length);
        foreach (var c in code)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (upper > 127 || !Alphabet.Contains(upper, StringComparison.Ordinal))
            {
                return null;
            }

            builder.Append(upper);
        }

        return builder.Length == Length ? builder.ToString() : null;
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 10 bytes = 80 bits = 16 symbols of 5 bits, most significant first.
        var chars = new char[Length];
        var buffer = 0;
        var bits = 0;
        var index = 0;
        foreach (var b in bytes)
        {
            buffer = ((buffer << 8) | b) & 0xFFFF;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[index++] = Alphabet[(buffer >> bits) & 31];
            }
        }

        return new string(chars);
    }
}
