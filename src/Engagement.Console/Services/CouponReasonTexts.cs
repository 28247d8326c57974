using System.Globalization;
using System.Text.RegularExpressions;
using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// A coupon's status reason (<c>statusReason</c> of <c>GET /members/{id}</c>'s coupons, CONTRACT.md §2.1, as the domain's
/// coupon book writes it in English) worded in the viewer's language from its shape and values: issued by a grant,
/// reissued, redeemed by an order or a redemption, restored, voided, expired. A reason a person typed (after
/// "by {actor}:") is shown as typed; a shape the console does not know, and every reason for an English viewer, as stored.
/// </summary>
public static partial class CouponReasonTexts
{
    /// <summary>The reason worded; <paramref name="reason"/> itself when the culture has no record wordings or no shape applies.</summary>
    /// <param name="text">The record wordings of the viewer's culture (<c>RecordStrings</c>).</param>
    /// <param name="reason">The stored reason, e.g. <c>issued by grant g-1, valid until 2026-12-21 00:00 +08:00</c>.</param>
    /// <param name="time">Shows an instant in the viewer's zone (the stored ones carry the member's offset).</param>
    public static string Of(IStringLocalizer<RecordStrings> text, string? reason, Func<DateTimeOffset, string> time)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrEmpty(reason) || text["Ledger_Purchase"].ResourceNotFound)
        {
            return reason ?? "";
        }

        // "…; confirmed by order O-1": a redemption the order's own event confirmed later (CouponBook).
        var confirmed = Confirmed().Match(reason);
        var core = confirmed.Success ? reason[..confirmed.Index] : reason;
        var worded = Core(text, core, time);
        return confirmed.Success ? worded + text["Coupon_Confirmed", confirmed.Groups["order"].Value].Value : worded;
    }

    private static string Core(IStringLocalizer<RecordStrings> text, string reason, Func<DateTimeOffset, string> time)
    {
        Match m;
        return reason switch
        {
            _ when (m = Issued().Match(reason)).Success => text["Coupon_Issued", m.Groups["grant"].Value, At(m, time)],
            _ when (m = Reissued().Match(reason)).Success => text["Coupon_Reissued", m.Groups["old"].Value, m.Groups["actor"].Value, m.Groups["why"].Value, At(m, time)],
            _ when (m = RedeemedByOrder().Match(reason)).Success => text["Coupon_RedeemedByOrder", m.Groups["order"].Value, m.Groups["store"].Value],
            _ when (m = RedeemedAtStore().Match(reason)).Success => text["Coupon_RedeemedAtStore", m.Groups["store"].Value, m.Groups["redemption"].Value],
            _ when (m = Restored().Match(reason)).Success => text["Coupon_Restored", m.Groups["order"].Value],
            _ when (m = Expired().Match(reason)).Success => text["Coupon_Expired", At(m, time)],
            _ when (m = ReissuedAs().Match(reason)).Success => text["Coupon_ReissuedAs", m.Groups["new"].Value, m.Groups["actor"].Value, m.Groups["why"].Value],
            _ => reason,
        };
    }

    // The match's "at" instant (yyyy-MM-dd HH:mm[:ss] ±hh:mm) through the viewer's clock; as stored when it does not parse.
    private static string At(Match m, Func<DateTimeOffset, string> time) =>
        DateTimeOffset.TryParse(m.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? time(at) : m.Groups["at"].Value;

    [GeneratedRegex(@"; confirmed by order (?<order>\S+)$")]
    private static partial Regex Confirmed();

    [GeneratedRegex(@"^issued by grant (?<grant>.+), valid until (?<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2})$")]
    private static partial Regex Issued();

    [GeneratedRegex(@"^reissued from (?<old>\S+) by (?<actor>.+?): (?<why>.*); valid until (?<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2})$")]
    private static partial Regex Reissued();

    [GeneratedRegex(@"^voided: reissued as (?<new>\S+) by (?<actor>.+?): (?<why>.*)$")]
    private static partial Regex ReissuedAs();

    [GeneratedRegex(@"^redeemed by order (?<order>\S+) at store (?<store>\S+)$")]
    private static partial Regex RedeemedByOrder();

    [GeneratedRegex(@"^redeemed at store (?<store>\S+) by redemption (?<redemption>\S+)$")]
    private static partial Regex RedeemedAtStore();

    [GeneratedRegex(@"^restored: order (?<order>\S+) was refunded in full$")]
    private static partial Regex Restored();

    [GeneratedRegex(@"^validity ended at (?<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2})$")]
    private static partial Regex Expired();
}
