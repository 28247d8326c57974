using System.Text;

namespace Engagement.Contracts.Events;

/// <summary>
/// The size bound of every field of the event envelope (CONTRACT.md §1; the producers' table is in docs/publishing-events.md,
/// "Publishing events"). A bound keeps a member's state and its ledger rows small whatever a producer sends:
/// one 60,000-character orderId once made a member impossible to store. Lengths count Unicode code points
/// (what a person calls characters; <c>会</c> and <c>😀</c> are one each), not UTF-16 units. Optional string
/// fields may be left out or empty; required ones are 1–max.
/// </summary>
public static class EventBounds
{
    /// <summary>The largest event, as UTF-8 JSON: the queue's own message limit, the same over HTTP (64 KB).</summary>
    public const int MaxEventBytes = 64 * 1024;

    /// <summary><c>eventId</c>: required, 1–128 code points.</summary>
    public const int MaxEventIdLength = 128;

    /// <summary><c>memberId</c>: required, 1–64 of <c>A–Z a–z 0–9 _ - . :</c>, not <c>.</c> or <c>..</c>.</summary>
    public const int MaxMemberIdLength = 64;

    /// <summary><c>orderId</c>: 1–128 code points (required for purchase and refund).</summary>
    public const int MaxOrderIdLength = 128;

    /// <summary><c>storeId</c>: at most 64 code points.</summary>
    public const int MaxStoreIdLength = 64;

    /// <summary>
    /// <c>regionId</c>: at most 64 code points, any text; the same constant as <see cref="RegionIdRule.MaxLength"/>, the
    /// rule of a region id given (<c>RegionIdRule</c>, which endpoints, coupon scopes and campaign audiences apply). Two
    /// differences from that rule: a blank regionId here is no region (an endpoint, scope or audience entry refuses a blank
    /// one), and this bound alone does not refuse a lone surrogate, which a JSON body refuses as invalid Unicode before any
    /// field is read but an EngagementEvent a .NET producer enqueues could carry.
    /// </summary>
    public const int MaxRegionIdLength = RegionIdRule.MaxLength;

    /// <summary><c>channel</c>: at most 32 code points (<c>pos</c>, <c>app</c>, <c>mini-program</c>…).</summary>
    public const int MaxChannelLength = 32;

    /// <summary><c>items</c>: at most 100 lines per event.</summary>
    public const int MaxItems = 100;

    /// <summary><c>items[i].sku</c> and <c>items[i].category</c>: at most 64 code points each.</summary>
    public const int MaxItemTextLength = 64;

    /// <summary><c>items[i].quantity</c>: 0–10,000 (0 or left out: not given).</summary>
    public const int MaxItemQuantity = 10_000;

    /// <summary><c>items[i].unitPrice</c>: 0–10,000,000 in the event's currency.</summary>
    public const decimal MaxItemUnitPrice = 10_000_000m;

    /// <summary><c>properties</c>: at most 32 keys, nested objects counted after flattening (<c>consent.sms</c>).</summary>
    public const int MaxProperties = 32;

    /// <summary>A property key (dotted, after flattening): 1–64 code points.</summary>
    public const int MaxPropertyKeyLength = 64;

    /// <summary>A property value (text, or the JSON text of a number or array): at most 512 code points.</summary>
    public const int MaxPropertyValueLength = 512;

    /// <summary><c>coupons</c> (purchase, CONTRACT.md §2.1): at most 20 codes.</summary>
    public const int MaxCoupons = 20;

    /// <summary>A coupon code: 1–64 code points.</summary>
    public const int MaxCouponLength = 64;

    /// <summary><c>memberRef.value</c>: 1–128 code points.</summary>
    public const int MaxMemberRefValueLength = 128;

    /// <summary>How far back <c>occurredAt</c> may be: 365 days (an offline terminal's oldest upload).</summary>
    public static readonly TimeSpan MaxEventAge = TimeSpan.FromDays(365);

    /// <summary>The kinds of <c>memberRef.type</c>.</summary>
    public static readonly IReadOnlyList<string> MemberRefTypes = ["phone", "unionId", "openId", "card"];

    // What an error message quotes of a producer's value at most, so a reason never grows with the input.
    private const int MaxEcho = 40;

    /// <summary>Unicode code points of <paramref name="text"/>: a surrogate pair counts once.</summary>
    public static int CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    /// <summary>
    /// A producer's text value (a <c>currency</c>, <c>type</c>, time zone or property key) as an error message, and so a
    /// poison reason and its log line, may quote it: masked and cut as a reason shows refused text (at most 24 code points,
    /// digits <c>#</c>, codes by their shape, quotes, backslashes and control characters <c>?</c>, then <c>…</c>; docs/publishing-events.md
    /// "Publishing events"), so no reason echoes a phone number, a coupon code or unbounded input.
    /// </summary>
    public static string Echo(string? text) => text is null ? string.Empty : RefusedTextPrefix.Of(text);

    /// <summary>
    /// A JSON number's text (digits, sign, point, exponent: nothing to mask) as an error message may quote it: at most 40
    /// code points, then <c>…</c>.
    /// </summary>
    public static string EchoNumber(string? text)
    {
        if (text is null || CodePoints(text) <= MaxEcho)
        {
            return text ?? string.Empty;
        }

        var cut = new StringBuilder(MaxEcho * 2);
        var kept = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (kept++ == MaxEcho)
            {
                break;
            }

            cut.Append(rune.ToString());
        }

        return cut.Append('…').ToString();
    }
}
