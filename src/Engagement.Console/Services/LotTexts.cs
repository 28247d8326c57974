using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Console.Resources;
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
    /// expiry (<c>the grace lot -150 (A, expired at …)</c>); <paramref name="moved"/> itself when none applies.
    /// </summary>
    /// <param name="text">The record wordings of the viewer's culture.</param>
    /// <param name="moved">The stored list, e.g. <c>R2 A -50 until 2027-01-01T12:00:00+08:00 instead of D -50 until 2027-03-03T12:00:00+08:00</c>.</param>
    /// <param name="time">Shows an instant (a lot's expiry) in the viewer's zone.</param>
    public static string Moves(IStringLocalizer<RecordStrings> text, string moved, Func<DateTimeOffset, string> time) =>
        text["Lot_Moved"].ResourceNotFound ? moved : List(text, moved, Move(), ", ", "Lot_Separator", m =>
            m.Groups["more"].Success ? text["Lot_MovedMore", m.Groups["more"].Value].Value
            : MovedLots(text, m.Groups["taken"].Value, time) is { } taken && MovedLots(text, m.Groups["gone"].Value, time) is { } gone
                ? text["Lot_Moved", m.Groups["id"].Value, taken, gone].Value
                : null) ?? moved;

    // One side of a move: its lots joined by " and ", each "A -50 until …" or "the grace lot -50 (A, expired at …)", then "+N more".
    private static string? MovedLots(IStringLocalizer<RecordStrings> text, string lots, Func<DateTimeOffset, string> time) =>
        List(text, lots, MovedLot(), " and ", "Lot_And", m =>
            m.Groups["more"].Success ? text["Lot_More", m.Groups["more"].Value].Value
            : !TryParse(m.Groups["at"].Value, out var at) ? null
            : m.Groups["grace"].Success ? text["Lot_MovedGrace", m.Groups["grace"].Value, m.Groups["name"].Value, time(at)].Value
            : text["Lot_Until", m.Groups["name"].Value, "-" + m.Groups["n"].Value, time(at)].Value);

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

    // A moved lot, as LaterRedemptions names it; a whole move, each side shaped as such lots, so a lot id holding ", " or
    // " instead of " still splits where the shapes allow (the sides are then worded by MovedLot; a shape not known: as stored).
    private const string MovedLotShape = @"(?:\+\d+ more|the grace lot -\d+ \(.+?, expired at \S+\)|.+? -\d+ until \S+)";

    [GeneratedRegex(@"\G(?:\+(?<more>\d+) more|the grace lot -(?<grace>\d+) \((?<name>.+?), expired at (?<at>\S+)\)|(?<name>.+?) -(?<n>\d+) until (?<at>\S+))(?= and |\z)", RegexOptions.Singleline)]
    private static partial Regex MovedLot();

    [GeneratedRegex(@"\G(?:\+(?<more>\d+) more|(?<id>\S+) (?<taken>" + MovedLotShape + "(?: and " + MovedLotShape + ")*) instead of (?<gone>"
        + MovedLotShape + "(?: and " + MovedLotShape + @")*))(?=, |\z)", RegexOptions.Singleline)]
    private static partial Regex Move();

    [GeneratedRegex(@"\G(?:the debt \+(?<debt>\d+)|\+(?<more>\d+) more|a lot of its own \+(?<own>\d+) until (?<at>\S+)|(?<name>.+?) \+(?<n>\d+) until (?<at>\S+))(?= and |\z)", RegexOptions.Singleline)]
    private static partial Regex ToPart();
}
