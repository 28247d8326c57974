using System.Text;
using System.Text.RegularExpressions;

namespace Engagement.Contracts.Events;

/// <summary>
/// The start of a refused queue message as a poison reason shows it (CONTRACT.md §1: <c>{"reason", "queue", "body"}</c>):
/// enough of its structure to tell what a producer sent, never a member's phone number or a whole coupon code, since the
/// reason is copied into logs while the body stays in the poison message alone.
/// </summary>
internal static partial class RefusedTextPrefix
{
    /// <summary>The most characters (Unicode code points) of a refused text a reason shows.</summary>
    public const int MaxShown = 24;

    /// <summary>A word of letters only up to this long is kept (<c>this is not json</c>); a longer one reads as a code.</summary>
    private const int MaxKeptWord = 12;

    /// <summary>The longest coupon code written in groups: 16 characters in 4 groups of 4 with a separator between each.</summary>
    private const int MaxGroupedCode = 19;

    /// <summary>
    /// The first <see cref="MaxShown"/> characters of <paramref name="text"/>, safe to put in a reason, a log line and a JSON
    /// string. Every digit (of any script) becomes <c>#</c>, so no phone number, card or order number survives; a word (a
    /// run of letters and digits, measured whole even past the cut) that holds a digit or is longer than
    /// <see cref="MaxKeptWord"/> is a code, token or base64: its letters become <c>X</c> (upper case) or <c>x</c> (others),
    /// so a 16-character coupon code shows as its shape alone. Other words, spaces and printable ASCII punctuation are
    /// kept; quotes, backslashes, control and format characters and anything else become <c>?</c>; <c>…</c> ends a cut text.
    /// A coupon code written in groups (<c>ABCD-EFGH-JKLM-NPQR</c>, or with spaces) is masked first, whole even past the
    /// cut: its 4-letter groups would otherwise each pass as a short word.
    /// </summary>
    public static string Of(ReadOnlySpan<char> text)
    {
        // Enough runes to measure the word, or the grouped code, the cut falls in.
        var runes = new List<Rune>(MaxShown + MaxGroupedCode + 1);
        foreach (var rune in text.EnumerateRunes())
        {
            if (runes.Count == MaxShown + MaxGroupedCode + 1)
            {
                break;
            }

            runes.Add(rune);
        }

        var inGroupedCode = GroupedCodes(runes);

        var shown = new StringBuilder();
        var wordStart = 0;
        var masked = false;
        for (var i = 0; i < Math.Min(runes.Count, MaxShown); i++)
        {
            var rune = runes[i];
            if (!Rune.IsLetterOrDigit(rune))
            {
                var safe = rune.IsAscii && rune.Value is >= 0x20 and < 0x7F and not 0x22 and not 0x5C;
                shown.Append(safe ? rune.ToString() : "?");
                continue;
            }

            if (i == 0 || !Rune.IsLetterOrDigit(runes[i - 1]))
            {
                wordStart = i;
                masked = IsCodeLike(runes, wordStart);
            }

            shown.Append(Rune.IsDigit(rune) ? "#" : masked || inGroupedCode[i] ? (Rune.IsUpper(rune) ? "X" : "x") : rune.ToString());
        }

        return runes.Count > MaxShown ? shown.Append('…').ToString() : shown.ToString();
    }

    /// <summary>
    /// Which of <paramref name="runes"/> are in a coupon code written in 4-character groups of the code alphabet (the
    /// domain's <c>CouponCodes.Alphabet</c>: <c>2–9</c> and the letters but <c>I</c> and <c>O</c>, either case) with an
    /// optional <c>-</c> or whitespace between them: 16 characters whose groups each pass as a short word.
    /// </summary>
    private static bool[] GroupedCodes(List<Rune> runes)
    {
        // One char per rune (any rune outside ASCII as a character no code holds), so a match's index is the rune's.
        var text = string.Create(runes.Count, runes, static (chars, state) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = state[i].IsAscii ? (char)state[i].Value : '\u00B7';
            }
        });

        var inCode = new bool[runes.Count];
        foreach (Match match in GroupedCode().Matches(text))
        {
            Array.Fill(inCode, true, match.Index, match.Length);
        }

        return inCode;
    }

    [GeneratedRegex(@"(?:[2-9A-HJ-NP-Z]{4}[-\s]?){3}[2-9A-HJ-NP-Z]{4}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GroupedCode();

    /// <summary>Whether the word starting at <paramref name="start"/> holds a digit or is longer than <see cref="MaxKeptWord"/>.</summary>
    private static bool IsCodeLike(List<Rune> runes, int start)
    {
        var length = 0;
        for (var i = start; i < runes.Count && Rune.IsLetterOrDigit(runes[i]); i++)
        {
            if (Rune.IsDigit(runes[i]) || ++length > MaxKeptWord)
            {
                return true;
            }
        }

        return false;
    }
}
