namespace Engagement.Domain;

/// <summary>
/// The one rule for a reason staff type (a manual adjustment, a coupon reissue, a consent change, a point value change):
/// text a person gives, stored whole in the ledger, the audit and every export of them. Control characters (NUL, ESC, …)
/// other than tab and line breaks, bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make the
/// text read in another order than it is stored, and zero-width characters (U+200B, U+FEFF), which hide inside words,
/// are refused.
/// </summary>
public static class ReasonText
{
    /// <summary>What <see cref="IsClean"/> refuses, as an API field error names it.</summary>
    public const string Rule = "no control, bidirectional-override or zero-width characters (tab and line breaks are fine)";

    /// <summary>True when <paramref name="reason"/> (null or empty: nothing to refuse) holds no character <see cref="IsRefused"/>.</summary>
    public static bool IsClean(string? reason) => reason is null || !reason.Any(IsRefused);

    /// <summary>
    /// True for a character no reason may hold: a control character other than tab, line feed and carriage return, a
    /// bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), a zero-width space (U+200B) or a
    /// byte order mark (U+FEFF).
    /// </summary>
    public static bool IsRefused(char c) =>
        c is not ('\t' or '\n' or '\r')
        && (char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200B' or '\uFEFF');
}
