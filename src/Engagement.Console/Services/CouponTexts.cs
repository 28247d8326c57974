using Engagement.Console.Resources;
using Engagement.Contracts.Offers;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// A coupon's words on the member page's Benefits tab, so support can answer "my coupon didn't work": the last time a
/// till refused it (store, instant, reason in words) and the last day it can be used.
/// </summary>
public static class CouponTexts
{
    /// <summary>Resource prefix of a till's refusal code (<c>below_min_spend</c>, <c>wrong_store</c>, …; docs/offers.md).</summary>
    public const string Refusal = "CouponRefusal_";

    /// <summary>
    /// The newest refused POS redemption in the coupon's history (<see cref="CouponHistoryEntry.RefusedKind"/>) in words:
    /// when (<paramref name="time"/>, the viewer's zone), at which store, and why; null when no till refused it.
    /// </summary>
    public static string? LastRefusal(IStringLocalizer<Strings> text, CouponView coupon, Func<DateTimeOffset, string> time)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(coupon);
        ArgumentNullException.ThrowIfNull(time);
        var refused = coupon.History.Where(h => h.Kind == CouponHistoryEntry.RefusedKind).MaxBy(h => h.At);
        return refused is null
            ? null
            : text["Coupon_LastRefusal", time(refused.At), refused.StoreId ?? "–", CodeTexts.Of(text, Refusal, refused.Refusal)].Value;
    }

    /// <summary>
    /// The last day a coupon is valid, in <paramref name="zone"/>: it is valid while the clock is before
    /// <paramref name="validUntil"/> (exclusive, UTC instant), so an end at local midnight (2026-12-21 00:00) makes the
    /// day before (2026-12-20) the last; the end itself follows, formatted by <paramref name="time"/>.
    /// </summary>
    public static string ValidThrough(IStringLocalizer<Strings> text, DateTimeOffset validUntil, TimeZoneInfo zone, Func<DateTimeOffset, string> time)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(time);
        var local = TimeZoneInfo.ConvertTime(validUntil, zone);
        var lastDay = DateOnly.FromDateTime(local.DateTime);
        if (local.TimeOfDay == TimeSpan.Zero)
        {
            lastDay = lastDay.AddDays(-1);
        }

        return text["Coupon_ValidThrough", lastDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), time(validUntil)].Value;
    }
}
