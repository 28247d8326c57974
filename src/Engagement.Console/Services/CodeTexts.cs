using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// A wire code the API returns as is (lifecycle stage <c>at_risk</c>, RFM segment <c>Potential Loyalist</c>, coupon
/// status <c>issued</c>, ledger kind, touch decision; CONTRACT.md §2 and §4) shown in the viewer's language from the
/// resource <c>{prefix}{code}</c>; the code itself when there is none, so a new code still shows.
/// </summary>
public static class CodeTexts
{
    /// <summary>Lifecycle stages: <c>Stage_new</c>, <c>Stage_at_risk</c>…</summary>
    public const string Stage = "Stage_";

    /// <summary>RFM segments: <c>Segment_Champions</c>, <c>Segment_Potential Loyalist</c>…</summary>
    public const string Segment = "Segment_";

    /// <summary>Campaign statuses: <c>Status_draft</c>, <c>Status_active</c>, <c>Status_ended</c>…</summary>
    public const string CampaignStatus = "Status_";

    /// <summary>Coupon statuses: <c>CouponStatus_issued</c>…</summary>
    public const string CouponStatus = "CouponStatus_";

    /// <summary>Ledger kinds: <c>Kind_points</c>, <c>Kind_growth</c>, <c>Kind_tier</c>, <c>Kind_coupon</c>.</summary>
    public const string Kind = "Kind_";

    /// <summary>Touch decisions: <c>Touch_sent</c>, <c>Touch_deferred</c>, <c>Touch_suppressed</c>.</summary>
    public const string Decision = "Touch_";

    /// <summary>Touch kinds: <c>TouchKind_campaign</c>, <c>TouchKind_points.expiry-notice</c>… (CONTRACT.md §4, touches).</summary>
    public const string TouchKind = "TouchKind_";

    /// <summary>Contact channels: <c>Channel_sms</c>, <c>Channel_push</c>, <c>Channel_call</c>, <c>Channel_wechat</c> (CONTRACT.md §4).</summary>
    public const string Channel = "Channel_";

    /// <summary>Coupon kinds: <c>CouponKind_no_threshold</c>, <c>CouponKind_threshold</c>, <c>CouponKind_percent</c>, <c>CouponKind_gift</c>.</summary>
    public const string CouponKind = "CouponKind_";

    /// <summary>The translated code, or <paramref name="code"/> when no resource names it (or <paramref name="prefix"/> is empty: a code shown as is, such as a tier).</summary>
    public static string Of(IStringLocalizer<Strings> text, string prefix, string? code)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(code) || prefix.Length == 0)
        {
            return code ?? "";
        }

        var found = text[prefix + code];
        return found.ResourceNotFound ? code : found.Value;
    }
}
