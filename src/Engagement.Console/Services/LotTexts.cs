using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Console.Resources;
using Engagement.Domain.Points;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// The lots a points ledger reason names (docs/offers.md; the domain's <c>LotNames</c>): a spend's
/// <c>; points taken from lots: O-1 -600 until …</c>, a redemption undo's <c>; points back to their lots: O-1 +600 until …,
/// O-0 +100 expired at …, a 30-day grace lot until …, O-2's 600 to the debt +600, +2 more</c>, worded part by part in the
/// viewer's language, each expiry shown by the caller's clock; and the later redemptions such an undo moved onto sooner
/// lots (<c>LaterRedemptions</c>: <c>R2 A -50 until … instead of D -50 until …</c>), move by move. Lot and redemption ids
/// stay as stored. The whole list shows as stored in a language without the wording (English), or when a part has a
/// shape the console does not know.
/// </summary>
internal static partial class LotTexts
{
    /// <summary>The lot list <paramref name="lots"/> (what follows the reason's <c>…lots: </c>) in the viewer's language; <paramref name="lots"/> itself when none applies.</summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="lots">The stored list, e.g. <c>O-1 -600 until 2026-12-10T12:00:00+08:00, +2 more</c>.</param>
    /// <param name="time">Shows an instant (a lot's expiry) in the viewer's zone.</param>
    public static string Word(IStringLocalizer<RecordStrings> text, string lots, Func<DateTimeOffset, string> time) =>
        text["Lot_Until"].ResourceNotFound ? lots : List(text, lots, Part(), ", ", "Lot_Separator", m => Part(text, m, time)) ?? lots;

    /// <summary>
    /// The later redemptions an undo moved (what follows the reason's <c>…would have taken: </c>, the domain's
    /// <c>LotNames.MovedPrefix</c>) in the viewer's language, move by move: the redemption, the lots it now takes from and
    /// those it no longer takes from, a lot past its expiry at the undo as the undo's grace lot with the expired lot and its
    /// expiry (<c>the grace lot -150 (A, expired at …)</c>); <paramref name="moved"/> itself when none applies, when a move
    /// has a shape not known (a lot id holding <c> instead of </c>, <c>, </c> after an instant) or when where its
    /// redemption id ends is ambiguous (an id holding a space, the lot after it too).
    /// </summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="moved">The stored list, e.g. <c>R2 A -50 until 2027-01-01T12:00:00+08:00 instead of D -50 until 2027-03-03T12:00:00+08:00</c>.</param>
    /// <param name="time">Shows an instant (a lot's expiry) in the viewer's zone.</param>
    public static string Moves(IStringLocalizer<RecordStrings> text, string moved, Func<DateTimeOffset, string> time) =>
        text["Lot_Moved"].ResourceNotFound ? moved : MoveList(text, moved, time) ?? moved;

    // The moves, each "{id} {lots} instead of {lots}" up to its first " instead of ", then ", " and the next or the end,
    // the list perhaps ending in "+N more"; null when a move does not parse or its redemption id is ambiguous. Linear:
    // each lot is matched once where the last one ended (no pattern nests a lazy repeat in another).
    private static string? MoveList(IStringLocalizer<RecordStrings> text, string moved, Func<DateTimeOffset, string> time)
    {
        var worded = new List<string>();
        for (var from = 0; ;)
        {
            if (MovedMore().Match(moved, from) is { Success: true } more)
            {
                worded.Add(text["Lot_MovedMore", more.Groups["more"].Value].Value);
                return string.Join(text["Lot_Separator"].Value, worded);
            }

            var instead = moved.IndexOf(InsteadOf, from, StringComparison.Ordinal);
            var gone = new List<string>();
            var end = instead < 0 ? -1 : Side(text, moved, instead + InsteadOf.Length, gone, time);
            if (end < 0 || IdAndTaken(text, moved[from..instead], time) is not { } taken)
            {
                return null;
            }

            worded.Add(text["Lot_Moved", taken.Id, string.Join(text["Lot_And"].Value, taken.Lots), string.Join(text["Lot_And"].Value, gone)].Value);
            if (end == moved.Length)
            {
                return string.Join(text["Lot_Separator"].Value, worded);
            }

            from = end + 2; // Side stopped at ", "
        }
    }

    /// <summary>
    /// A move's redemption id and the lots it now takes from (<paramref name="head"/>: what comes before its
    /// <c> instead of </c>). The id may hold spaces (a redemption id is 1–128 characters, not blank; the reason shows at
    /// most <see cref="LotNames.MaxLotIdShown"/>), so each space within that reach and before the first lot's shape is
    /// tried as the split: accepted only
    /// when exactly one leaves lots that parse (<c>R 2 A -50 until …</c> could be <c>R</c> taking from lot <c>2 A</c>
    /// or <c>R 2</c> from <c>A</c>: null, the list shows as stored).
    /// </summary>
    private static (string Id, List<string> Lots)? IdAndTaken(IStringLocalizer<RecordStrings> text, string head, Func<DateTimeOffset, string> time)
    {
        // The id ends before the first lot's " -N until " (a lot's name is not empty) or at its " the grace lot -".
        var mark = LotMark().Match(head);
        var last = !mark.Success ? -1 : Math.Min(LotNames.MaxLotIdShown, mark.Groups["grace"].Success ? mark.Index : mark.Index - 1);
        (string Id, List<string> Lots)? found = null;
        for (var space = head.IndexOf(' ', 1); space > 0 && space <= last; space = head.IndexOf(' ', space + 1))
        {
            var lots = new List<string>();
            var side = head[(space + 1)..];
            if (Side(text, side, 0, lots, time) == side.Length)
            {
                if (found is not null)
                {
                    return null;
                }

                found = (head[..space], lots);
            }
        }

        return found;
    }

    /// <summary>
    /// One side of a move from <paramref name="from"/>: its lots joined by <c> and </c>, each <c>A -50 until …</c> or
    /// <c>the grace lot -50 (A, expired at …)</c>, perhaps then <c>+N more</c>, worded into <paramref name="worded"/>.
    /// Returns where the side ended (the end of <paramref name="list"/>, or a <c>, </c> after it), or −1.
    /// </summary>
    private static int Side(IStringLocalizer<RecordStrings> text, string list, int from, List<string> worded, Func<DateTimeOffset, string> time)
    {
        while (MovedLot().Match(list, from) is { Success: true } m)
        {
            if (m.Groups["more"].Success)
            {
                worded.Add(text["Lot_More", m.Groups["more"].Value].Value);
            }
            else if (TryParse(m.Groups["at"].Value, out var at))
            {
                worded.Add(m.Groups["grace"].Success
                    ? text["Lot_MovedGrace", m.Groups["grace"].Value, m.Groups["name"].Value, time(at)].Value
                    : text["Lot_Until", m.Groups["name"].Value, "-" + m.Groups["n"].Value, time(at)].Value);
            }
            else
            {
                return -1;
            }

            from = m.Index + m.Length;
            if (from == list.Length || string.CompareOrdinal(list, from, ", ", 0, 2) == 0)
            {
                return from;
            }

            from += " and ".Length; // the lookahead saw it
        }

        return -1;
    }

    // One part of the list: the lot's own points, a grace lot, a lot of its own, or what went on to the debt or other lots.
    private static string? Part(IStringLocalizer<RecordStrings> text, Match m, Func<DateTimeOffset, string> time)
    {
        if (m.Groups["more"].Success)
        {
            return text["Lot_More", m.Groups["more"].Value].Value;
        }

        var name = m.Groups["name"].Value == "the rest of its lots" ? text["Lot_Rest"].Value : m.Groups["name"].Value;
        if (m.Groups["all"].Success)
        {
            return To(text, m.Groups["to"].Value, time) is { } all ? text["Lot_AllTo", name, m.Groups["all"].Value, all].Value : null;
        }

        if (!TryParse(m.Groups["at"].Value, out var at))
        {
            return null;
        }

        if (m.Groups["grace"].Success)
        {
            return TryParse(m.Groups["until"].Value, out var until)
                ? text["Lot_Grace", name, m.Groups["grace"].Value, time(at), m.Groups["days"].Value, time(until)].Value
                : null;
        }

        if (m.Groups["kept"].Success)
        {
            return To(text, m.Groups["to"].Value, time) is { } rest ? text["Lot_KeptRest", name, m.Groups["kept"].Value, time(at), m.Groups["other"].Value, rest].Value : null;
        }

        return m.Groups["own"].Success ? text["Lot_OwnLot", name, m.Groups["own"].Value, time(at)].Value : text["Lot_Until", name, m.Groups["n"].Value, time(at)].Value;
    }

    // Where what a lot had no room for went: the debt, live lots, a lot of its own, joined by " and ".
    private static string? To(IStringLocalizer<RecordStrings> text, string to, Func<DateTimeOffset, string> time) =>
        List(text, to, ToPart(), " and ", "Lot_And", m =>
            m.Groups["debt"].Success ? text["Lot_Debt", m.Groups["debt"].Value].Value
            : m.Groups["more"].Success ? text["Lot_More", m.Groups["more"].Value].Value
            : !TryParse(m.Groups["at"].Value, out var at) ? null
            : m.Groups["own"].Success ? text["Lot_NewLot", m.Groups["own"].Value, time(at)].Value
            : text["Lot_Until", m.Groups["name"].Value, "+" + m.Groups["n"].Value, time(at)].Value);

    // The parts of list, each matched where the last one ended and followed by separator or the end; null when one is not.
    private static string? List(IStringLocalizer<RecordStrings> text, string list, Regex part, string separator, string joinKey, Func<Match, string?> word)
    {
        var worded = new List<string>();
        var from = 0;
        while (part.Match(list, from) is { Success: true } m && word(m) is { } one)
        {
            worded.Add(one);
            from = m.Index + m.Length;
            if (from == list.Length)
            {
                return string.Join(text[joinKey].Value, worded);
            }

            from += separator.Length; // the lookahead saw it
        }

        return null;
    }

    /// <summary>
    /// <paramref name="shown"/> with each control character made visible: U+0000–U+001F as their Control Pictures symbol
    /// (U+001F, which an undo's extra lot id holds, as <c>␟</c>), U+007F as <c>␡</c>, the others (U+0080–U+009F) as <c>�</c>.
    /// </summary>
    internal static string Visible(string shown) =>
        shown.Any(char.IsControl)
            ? string.Concat(shown.Select(c => c < ' ' ? (char)('\u2400' + c) : c == '\u007F' ? '\u2421' : char.IsControl(c) ? '\uFFFD' : c))
            : shown;

    private static bool TryParse(string at, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    [GeneratedRegex(@"\G(?:\+(?<more>\d+) more|(?<name>.+?)(?: \+(?<grace>\d+) expired at (?<at>\S+), a (?<days>\d+)-day grace lot until (?<until>\S+)"
        + @"| \+(?<own>\d+) until (?<at>\S+) in a lot of its own| \+(?<kept>\d+) until (?<at>\S+) and its other (?<other>\d+) to (?<to>.+?)"
        + @"|'s (?<all>\d+) to (?<to>.+?)| (?<n>[+-]\d+) until (?<at>\S+)))(?=, |\z)", RegexOptions.Singleline)]
    private static partial Regex Part();

    private const string InsteadOf = " instead of ";

    // A moved lot, as LaterRedemptions names it (an id of at most LotNames.MaxLotIdShown characters), then " and ", ", " or the end.
    [GeneratedRegex(@"\G(?:\+(?<more>\d+) more|the grace lot -(?<grace>\d+) \((?<name>.{1,40}?), expired at (?<at>\S+)\)|(?<name>.{1,40}?) -(?<n>\d+) until (?<at>\S+))(?= and |, |\z)", RegexOptions.Singleline)]
    private static partial Regex MovedLot();

    [GeneratedRegex(@" -\d+ until |(?<grace> the grace lot -)")]
    private static partial Regex LotMark();

    [GeneratedRegex(@"\G\+(?<more>\d+) more\z")]
    private static partial Regex MovedMore();

    [GeneratedRegex(@"\G(?:the debt \+(?<debt>\d+)|\+(?<more>\d+) more|a lot of its own \+(?<own>\d+) until (?<at>\S+)|(?<name>.+?) \+(?<n>\d+) until (?<at>\S+))(?= and |\z)", RegexOptions.Singleline)]
    private static partial Regex ToPart();
}
