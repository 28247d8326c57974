using Engagement.Domain.Members;
using Engagement.Domain.Offers;

namespace Engagement.Domain.Tests.Offers;

/// <summary>Fixed instants, zone and secret for the offer tests.</summary>
internal static class CouponTestKit
{
    public const string Secret = "test-coupon-secret-0123456789abcdef";

    /// <summary>Monday 2026-11-23 12:00 in Shanghai.</summary>
    public static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(8));

    public static readonly TimeZoneInfo Shanghai = MemberTimeZones.TryFind("Asia/Shanghai")!;

    public static readonly CouponCodes Codes = new(Secret);

    public static CouponTemplate WakeUpGift { get; } = new() { OfferId = "winback.l1", Kind = CouponKinds.NoThreshold, Value = 20m, ValidDays = 14 };

    public static CouponTemplate Spend500Get100 { get; } = new()
    {
        OfferId = "C-618", Kind = CouponKinds.Threshold, Value = 100m, MinSpend = 500m, ValidDays = 7,
        Scope = new CouponScope { Regions = ["east", "north"], Stores = [] },
    };

    public static Coupon Issue(CouponTemplate template, string member = "M1", string grant = "g1", DateTimeOffset? at = null) =>
        template.Issue(member, grant, at ?? Noon, Shanghai, Codes);

    public static CouponBook BookWith(params Coupon[] coupons)
    {
        var book = CouponBook.Empty;
        foreach (var coupon in coupons)
        {
            book = book.Issue(coupon, 50).Book;
        }

        return book;
    }

    public static CouponOrder At(string? store, decimal amount, string region = "east") => new(amount, store, region);
}
