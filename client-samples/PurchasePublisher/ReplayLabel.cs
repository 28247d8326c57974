using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PurchasePublisher;

/// <summary>
/// The summary label of one line a replay sends: its event type when the line is one event whose envelope keeps the
/// rules of CONTRACT.md §1 that a producer can see (eventId, type, memberId, occurredAt, and a purchase's or refund's
/// orderId and amount), <see cref="Duplicate"/> for an eventId an earlier line of the file already carried, and
/// <see cref="Malformed"/> for anything else (not one JSON object, a field missing or breaking its rule, an unknown type
/// such as <c>sale</c>). The line is sent all the same: a replay sends the file as it is, and the engine dead-letters
/// what it refuses. Rules that depend on the engine (occurredAt within 365 days, a refund within what is left of its
/// order, a currency's configured rate) are not judged here, so the engine may refuse a few more.
/// </summary>
internal static partial class ReplayLabel
{
    /// <summary>A line that is not an event the engine would accept (the label generate gives its junk).</summary>
    public const string Malformed = "(malformed)";

    /// <summary>A line whose eventId an earlier line carried: applied once, as generate's repeats are.</summary>
    public const string Duplicate = "(duplicate)";

    /// <summary>The event types of CONTRACT.md §1.</summary>
    private static readonly HashSet<string> Types = new(StringComparer.Ordinal)
    {
        "register", "purchase", "refund", "login", "browse", "add_to_cart", "share", "review", "complaint", "profile_update",
    };

    /// <summary>The largest purchase amount of CONTRACT.md §1 (10,000,000, in the event's currency).</summary>
    private const decimal MaxPurchaseAmount = 10_000_000m;

    /// <summary>True for a label that names an event type (counted "by type"), false for the parenthesised ones.</summary>
    public static bool IsEventType(string label) => !label.StartsWith('(');

    /// <summary>The label of <paramref name="line"/>; a valid line's eventId is added to <paramref name="seenEventIds"/>.</summary>
    public static string Of(string line, ISet<string> seenEventIds)
    {
        ArgumentNullException.ThrowIfNull(seenEventIds);
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Judge(root) is not { } type)
            {
                return Malformed;
            }

            return seenEventIds.Add(root.GetProperty("eventId").GetString()!) ? type : Duplicate;
        }
        catch (JsonException)
        {
            return Malformed;
        }
    }

    /// <summary>The event's type when its envelope keeps the rules, else null.</summary>
    private static string? Judge(JsonElement e)
    {
        if (Text(e, "eventId") is not { } eventId || eventId.EnumerateRunes().Count() > 128
            || Text(e, "type") is not { } type || !Types.Contains(type)
            || Text(e, "memberId") is not { } memberId || !MemberIdRule().IsMatch(memberId) || memberId is "." or ".."
            || Text(e, "occurredAt") is not { } occurredAt || !IsoWithOffset().IsMatch(occurredAt)
            || !DateTimeOffset.TryParse(occurredAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return null;
        }

        if (type is "purchase" or "refund")
        {
            var amount = e.TryGetProperty("amount", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetDecimal(out var d) ? d : 0m;
            if (Text(e, "orderId") is null || amount <= 0 || (type == "purchase" && amount > MaxPurchaseAmount))
            {
                return null;
            }
        }

        return type;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex MemberIdRule();

    /// <summary>ISO-8601 date and time with a UTC offset (<c>Z</c> or <c>±hh:mm</c>): <c>2026-11-23 08:39:16</c> has none.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoWithOffset();
}
