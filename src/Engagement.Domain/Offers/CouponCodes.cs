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

    /// <summary>Runs of ASCII letters and digits in groups split by dashes: where a code typed without spaces may be.</summary>
    private static readonly System.Text.RegularExpressions.Regex JoinedRun =
        new("[0-9A-Za-z]+(?:-+[0-9A-Za-z]+)*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Runs of ASCII letters and digits in groups split by dashes, spaces, tabs, line breaks or ideographic spaces
    /// (U+3000): where a code may be, however a person typed or pasted it.
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex SpacedRun =
        new("[0-9A-Za-z]+(?:[- \t\r\n\u3000]+[0-9A-Za-z]+)*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Letters and digits of one group of a <see cref="JoinedRun"/> or <see cref="SpacedRun"/>.</summary>
    private static readonly System.Text.RegularExpressions.Regex Group =
        new("[0-9A-Za-z]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A code as the engine writes it: 16 upper-case characters of <see cref="Alphabet"/>, not inside a longer upper-case run.</summary>
    private static readonly System.Text.RegularExpressions.Regex Canonical =
        new("(?<![0-9A-Z])[2-9A-HJ-NP-Z]{12}([2-9A-HJ-NP-Z]{4})(?![0-9A-Z])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private readonly byte[] _key;

    /// <summary>
    /// <paramref name="text"/> with every coupon code in it shown as "…" and its last 4 characters (<c>…WB3N</c>), the one
    /// convention of every log line and every record read beyond the holder's own views (e.g. a coupon ledger reason the
    /// support role reads): support can match a coupon whose code the member reads out, and no log or record holds a code
    /// worth its value at a till (docs/offers.md step 5). One convention, so that no two places together show more.
    /// A code is found in every form a person types it: any case, split by dashes, spaces, tabs, line breaks or
    /// ideographic spaces (U+3000) into groups of any length (<c>abcd-efgh-jkmn-pqrs</c> → <c>…PQRS</c>,
    /// <c>QEGQZ8UE MQZCKS86</c> → <c>…KS86</c>, the last 4 as the code has them). It is whole groups of ASCII letters and
    /// digits, not inside a longer run of them, that come to <see cref="Length"/> characters of <see cref="Alphabet"/>,
    /// whether or not they hold a digit (about 1 code in 100 holds none). Split by anything but dashes, groups that all
    /// read as English words (<see cref="ReadsAsWord"/>: a vowel, and no three consonants in a row) are taken for words,
    /// so that ordinary phrases of 16 such letters (<c>make sure that they</c>, <c>send the cards back</c>,
    /// <c>NEED THEM BACK FAST</c>) stay as written. The trade-off: a code without a digit whose every group, as typed,
    /// happens to read as a word (about 1 in 60 of them typed in fours, 1 in 130 in eights: some 1 in 6,000 codes) is
    /// not recognised, and a phrase of 16 letters of <see cref="Alphabet"/> with a word that does not read as one
    /// (<c>KTBN</c>, <c>length</c>) is masked. An order id or word with 0, 1, I or O, or of another length, is no code. Where codes
    /// overlap (a code beside a word that makes a code with part of it) and it is unclear which is the code, the whole is
    /// shown as "…" alone: no tail rather than a wrong one. For text the engine writes, which holds only the canonical
    /// form, use <see cref="MaskCanonical"/>.
    /// </summary>
    public static string Mask(string text) =>
        SpacedRun.Replace(JoinedRun.Replace(text ?? "", run => MaskRun(run.Value)), run => MaskRun(run.Value)); // codes without spaces first: a word before one never shifts its groups

    /// <summary>
    /// <paramref name="text"/> with every code in the form the engine writes it (16 upper-case characters of
    /// <see cref="Alphabet"/>, not inside a longer run of upper-case letters and digits) shown as "…" and its last 4 characters:
    /// the mask of ids, targets and details the engine wrote, where a lower-case id or a dashed name
    /// (<c>spend-and-get-extra</c>) is no code. Text a person typed (a reason) needs <see cref="Mask"/>.
    /// </summary>
    public static string MaskCanonical(string text) => Canonical.Replace(text ?? "", "…$1");

    /// <summary>
    /// One <see cref="JoinedRun"/> or <see cref="SpacedRun"/> with each code in it masked. Codes that overlap (a code
    /// beside a word which makes a code of its own with part of it) are masked as one, shown as "…" alone: which of them
    /// is the code is unclear, and the last 4 of the whole may be the word's.
    /// </summary>
    private static string MaskRun(string run)
    {
        var groups = Group.Matches(run);
        var masked = new StringBuilder(run.Length);
        var copied = 0;
        var spanStart = -1;
        var spanEnd = -1;
        var merged = false;
        for (var first = 0; first < groups.Count; first++)
        {
            var last = first;
            var length = groups[first].Length;
            while (length < Length && last + 1 < groups.Count)
            {
                length += groups[++last].Length;
            }

            var start = groups[first].Index;
            var end = groups[last].Index + groups[last].Length;
            if (length != Length || !IsTypedCode(run.AsSpan(start, end - start)))
            {
                continue;
            }

            if (spanEnd > start)
            {
                (spanEnd, merged) = (end, true); // overlaps the code before: one mask over both, without a tail
                continue;
            }

            copied = Flush(run, masked, copied, spanStart, spanEnd, merged);
            (spanStart, spanEnd, merged) = (start, end, false);
        }

        copied = Flush(run, masked, copied, spanStart, spanEnd, merged);
        return copied == 0 ? run : masked.Append(run, copied, run.Length - copied).ToString();
    }

    /// <summary>
    /// Appends <paramref name="run"/> up to the masked span, then its mask ("…" alone when <paramref name="merged"/>);
    /// returns where copying goes on.
    /// </summary>
    private static int Flush(string run, StringBuilder masked, int copied, int start, int end, bool merged)
    {
        if (start < 0)
        {
            return copied;
        }

        var code = string.Concat(run[start..end].Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant();
        masked.Append(run, copied, start - copied).Append(merged ? "…" : Tail(code));
        return end;
    }

    /// <summary>
    /// True when <paramref name="typed"/> (whole groups, <see cref="Length"/> letters and digits with separators between)
    /// is all of <see cref="Alphabet"/> in either case and, when split by anything but dashes, is not a phrase: it holds a
    /// digit, or a group that does not read as a word (<see cref="ReadsAsWord"/>).
    /// </summary>
    private static bool IsTypedCode(ReadOnlySpan<char> typed)
    {
        var digit = false;
        var spaced = false;
        foreach (var c in typed)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                spaced |= c != '-';
                continue;
            }

            if (!Alphabet.Contains(char.ToUpperInvariant(c), StringComparison.Ordinal))
            {
                return false;
            }

            digit |= char.IsAsciiDigit(c);
        }

        if (!spaced || digit)
        {
            return true;
        }

        foreach (System.Text.RegularExpressions.Match group in Group.Matches(typed.ToString()))
        {
            if (!ReadsAsWord(group.ValueSpan))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="group"/> (ASCII letters, any case) could be an English word: shorter than 4 letters
    /// (<c>Mrs</c>, <c>SMS</c>, <c>QR</c>, <c>KFC</c>: a code typed in fours or eights never has such a group), or, a final S
    /// set aside, it holds a vowel (A, E, U or Y; I and O are not in <see cref="Alphabet"/>) and no three consonants in a
    /// row but those with an H (<c>tch</c>, <c>nth</c>) or after an S (<c>str</c>). A random group of a code's letters
    /// fails this more often than not; a word rarely does.
    /// </summary>
    private static bool ReadsAsWord(ReadOnlySpan<char> group)
    {
        if (group.Length < 4)
        {
            return true;
        }

        if (group.Length > 1 && group[^1] is 'S' or 's')
        {
            group = group[..^1];
        }

        var vowel = false;
        var run = 0;
        for (var i = 0; i < group.Length; i++)
        {
            if (char.ToUpperInvariant(group[i]) is 'A' or 'E' or 'U' or 'Y')
            {
                (vowel, run) = (true, 0);
                continue;
            }

            if (++run >= 3 && !IsLetter(group[i], 'H') && !IsLetter(group[i - 1], 'H') && !IsLetter(group[i - 2], 'S'))
            {
                return false;
            }
        }

        return vowel;
    }

    private static bool IsLetter(char c, char upper) => char.ToUpperInvariant(c) == upper;

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
