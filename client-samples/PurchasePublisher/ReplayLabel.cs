using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PurchasePublisher;

/// <summary>
/// The summary labels of one line a replay sends, one per event the engine will see in it: its event type when the
/// event's envelope keeps the rules of CONTRACT.md §1 that a producer can see (eventId, type, memberId, occurredAt, and
/// a purchase's or refund's orderId and amount, coupons on a purchase or refund only), <see cref="Duplicate"/> for an eventId an earlier event of the file
/// already carried, and <see cref="Malformed"/> for anything else (not a JSON object, a field missing or breaking its
/// rule, an unknown type such as <c>sale</c>). A line not starting with <c>{</c> or <c>[</c> is read as base64 of JSON,
/// as the engine reads it (CONTRACT.md §1); with <c>--base64</c> such a line would be encoded twice and is malformed.
/// A line holding a JSON array of 1 to 100 events is a batch message (§1):
/// each of its events gets its own label, as the engine applies or dead-letters each on its own. A line the engine
/// cannot read at all (not JSON, an empty array, an array of more than 100) is one <see cref="Malformed"/>: it goes to
/// the poison queue whole. The line is sent all the same: a replay sends the file as it is, and the engine dead-letters
/// what it refuses. Rules that depend on the engine (occurredAt within 365 days, a refund within what is left of its
/// order, a currency's configured rate) are not judged here, so the engine may refuse a few more.
/// </summary>
internal static partial class ReplayLabel
{
    /// <summary>
    /// An event that is not one the engine would accept (the label generate gives its junk), or a line the engine refuses
    /// whole (counted once, however many events it holds): each is one dead letter.
    /// </summary>
    public const string Malformed = "(malformed)";

    /// <summary>An event whose eventId an earlier event of the file carried (on its own line or in a batch): applied once, as generate's repeats are.</summary>
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

    /// <summary>The most events one message may carry as a JSON array (CONTRACT.md §1).</summary>
    public const int MaxBatchEvents = 100;

    /// <summary>
    /// The largest message body the engine reads, in bytes as sent (64 KB, the queue's own limit: the engine's
    /// <c>EventParser.DecodeBytes</c>); under <c>--base64</c> that is base64 text, so a JSON line over about 48 KB.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The JSON nesting the engine reads (its <c>EventParser</c> parses with MaxDepth 32); deeper is malformed.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>
    /// The size in bytes of <paramref name="line"/> as the queue message the replay would send: its UTF-8 text, or with
    /// <paramref name="base64"/> the base64 of that text (4 bytes for every 3, rounded up).
    /// </summary>
    public static long BytesAsSent(string line, bool base64)
    {
        ArgumentNullException.ThrowIfNull(line);
        long utf8 = Encoding.UTF8.GetByteCount(line);
        return base64 ? (utf8 + 2) / 3 * 4 : utf8;
    }

    /// <summary>True when the engine cannot take <paramref name="line"/> as sent: over <see cref="MaxMessageBytes"/>.</summary>
    public static bool IsTooLarge(string line, bool base64) => BytesAsSent(line, base64) > MaxMessageBytes;

    /// <summary>
    /// What <paramref name="line"/> is as a queue message: its labels (one per event the engine applies or dead-letters
    /// on its own), whether it is a batch, and the memberId it is partitioned by (the first event's). Valid events'
    /// eventIds are added to <paramref name="seenEventIds"/>, so a later repeat is a <see cref="Duplicate"/>. A line over
    /// the engine's 64 KB as sent (<see cref="IsTooLarge"/>; <paramref name="base64"/>: sent as base64) or nested deeper
    /// than 32 is <see cref="ReplayLine.Unreadable"/>, as the engine refuses it whole.
    /// </summary>
    public static ReplayLine Read(string line, ISet<string> seenEventIds, bool base64 = false)
    {
        ArgumentNullException.ThrowIfNull(seenEventIds);
        if (IsTooLarge(line, base64))
        {
            return ReplayLine.Unreadable;
        }

        if (JsonOf(line, base64) is not { } json)
        {
            return ReplayLine.Unreadable;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, DocumentOptions);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return new ReplayLine([Label(root, seenEventIds)], IsBatch: false, Text(root, "memberId"));
            }

            // An empty array, or one of more than 100, is refused whole (CONTRACT.md §1): one malformed message.
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() is 0 or > MaxBatchEvents)
            {
                return ReplayLine.Unreadable;
            }

            var labels = root.EnumerateArray().Select(e => Label(e, seenEventIds)).ToList();
            var members = root.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object ? Text(e, "memberId") : null).OfType<string>().ToList();
            return new ReplayLine(labels, IsBatch: true, members.FirstOrDefault()) { SpansMembers = members.Distinct(StringComparer.Ordinal).Skip(1).Any() };
        }
        catch (JsonException)
        {
            return ReplayLine.Unreadable;
        }
    }

    /// <summary>
    /// The number of events <paramref name="line"/> counts for (the length of a readable batch, else 1: a line the
    /// engine refuses whole, too large as sent with <paramref name="base64"/> or not, counts once), without judging
    /// them: what a replay's progress counts to.
    /// </summary>
    public static int EventCount(string line, bool base64 = false)
    {
        if (IsTooLarge(line, base64))
        {
            return 1;
        }

        if (JsonOf(line, base64) is not { } json)
        {
            return 1;
        }

        try
        {
            using var doc = JsonDocument.Parse(json, DocumentOptions);
            return doc.RootElement is { ValueKind: JsonValueKind.Array } root && root.GetArrayLength() is > 0 and <= MaxBatchEvents
                ? root.GetArrayLength()
                : 1;
        }
        catch (JsonException)
        {
            return 1;
        }
    }

    /// <summary>
    /// The JSON text the engine reads from <paramref name="line"/> sent as it is (or, with <paramref name="base64"/>, as
    /// base64 of it), as its <c>EventParser.DecodeText</c> does: text starting with <c>{</c> or <c>[</c> is JSON, other
    /// text is base64 of UTF-8 JSON (CONTRACT.md §1). Null when the engine cannot get JSON from it: not base64, base64 of
    /// something else, or under <paramref name="base64"/> a line that already is base64 (encoded twice).
    /// </summary>
    private static string? JsonOf(string line, bool base64)
    {
        var trimmed = line.AsSpan().Trim().TrimStart('\uFEFF');
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            return trimmed.ToString();
        }

        if (base64)
        {
            return null; // the engine decodes the base64 we add and finds base64 again, not JSON
        }

        var buffer = new byte[(trimmed.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(trimmed, buffer, out var written))
        {
            return null;
        }

        try
        {
            var json = StrictUtf8.GetString(buffer, 0, written).TrimStart('\uFEFF');
            var start = json.AsSpan().TrimStart();
            return start.Length > 0 && start[0] is '{' or '[' ? json : null;
        }
        catch (DecoderFallbackException)
        {
            return null; // base64 of bytes that are not UTF-8 text
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Label(JsonElement e, ISet<string> seenEventIds)
    {
        if (e.ValueKind != JsonValueKind.Object || Judge(e) is not { } type)
        {
            return Malformed;
        }

        return seenEventIds.Add(Text(e, "eventId")!) ? type : Duplicate; // Judge found it readable
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

        // CONTRACT.md §1: coupons are redeemed by a purchase (a refund's are ignored); the engine dead-letters any other
        // event carrying codes (its EventValidator: "coupons: purchase only"), so a login with coupons is no login here.
        if (type is not ("purchase" or "refund") && e.TryGetProperty("coupons", out var coupons)
            && coupons.ValueKind == JsonValueKind.Array && coupons.GetArrayLength() > 0)
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

    /// <summary>
    /// The text of the string field <paramref name="name"/>, or null when it is absent, empty, not a string, or not
    /// Unicode text: a lone surrogate escape (<c>"\ud800"</c>) is valid JSON that no string can hold (GetString throws
    /// InvalidOperationException), and the engine dead-letters that one event (its <c>EventFieldReader</c>), so the
    /// event is malformed here too rather than crashing the replay mid-file.
    /// </summary>
    private static string? Text(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString() is { Length: > 0 } text ? text : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex MemberIdRule();

    /// <summary>ISO-8601 date and time with a UTC offset (<c>Z</c> or <c>±hh:mm</c>): <c>2026-11-23 08:39:16</c> has none.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoWithOffset();
}

/// <summary>
/// One replayed line as a message: <paramref name="Labels"/> per event (<see cref="ReplayLabel"/>), whether it is a
/// JSON array (a batch, sent as it is, never merged into another), and the memberId that picks its queue (null: queue 0).
/// </summary>
internal sealed record ReplayLine(IReadOnlyList<string> Labels, bool IsBatch, string? MemberId)
{
    /// <summary>
    /// True for a batch whose events name more than one memberId: the whole line still goes to its first member's
    /// queue (one message cannot be split), so with more than one queue the other members' events travel off their own.
    /// </summary>
    public bool SpansMembers { get; init; }

    /// <summary>A line the engine cannot read at all: one malformed message, dead-lettered whole.</summary>
    public static ReplayLine Unreadable { get; } = new([ReplayLabel.Malformed], IsBatch: false, MemberId: null);
}
