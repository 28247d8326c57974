using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Contracts.Offers;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>The Benefits tab's coupon words: the till's last refusal (store, time, reason) and the last valid day, in Chinese and English.</summary>
public sealed class CouponTextsTests
{
    private static readonly IStringLocalizer<Strings> Text = Localizer<Strings>();

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static CouponView Coupon(params CouponHistoryEntry[] history) => new()
    {
        Code = "QEGQZ8UEMQZCKS86", MemberId = "M000024", OfferId = "o1", Kind = "threshold", Status = "issued",
        ValidFrom = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromHours(8)), ValidUntil = new DateTimeOffset(2026, 12, 21, 0, 0, 0, TimeSpan.FromHours(8)),
        History = history,
    };

    [Theory]
    [InlineData("en-US", "Refused at store S001, 2026-12-05 16:44: the order was below the coupon's minimum spend")]
    [InlineData("zh-CN", "2026-12-05 16:44 在门店 S001 被拒：订单金额未达到最低消费")]
    public void TheLastRefusalAtATillIsShownWithItsStoreAndTimeInWords(string culture, string expected)
    {
        var coupon = Coupon(
            new CouponHistoryEntry { Kind = CouponHistoryEntry.RefusedKind, At = new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero), Refusal = "wrong_store", StoreId = "S009", RedemptionId = "r0" },
            new CouponHistoryEntry { Kind = CouponHistoryEntry.RefusedKind, At = new DateTimeOffset(2026, 12, 5, 8, 44, 0, TimeSpan.Zero), Refusal = "below_min_spend", StoreId = "S001", RedemptionId = "r1" },
            new CouponHistoryEntry { Kind = CouponHistoryEntry.StatusKind, At = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), To = "issued" });

        Assert.Equal(expected, InCulture(culture, () => CouponTexts.LastRefusal(Text, coupon, Local)));
        Assert.Null(CouponTexts.LastRefusal(Text, Coupon(), Local));
    }

    [Theory]
    [InlineData("en-US", "through 2026-12-20 (ends 2026-12-21 00:00)")]
    [InlineData("zh-CN", "可用至 2026-12-20 当天（2026-12-21 00:00 失效）")]
    public void ACouponEndingAtLocalMidnightIsValidThroughTheDayBefore(string culture, string expected)
    {
        var until = new DateTimeOffset(2026, 12, 20, 16, 0, 0, TimeSpan.Zero); // 2026-12-21 00:00 in Shanghai

        Assert.Equal(expected, InCulture(culture, () => CouponTexts.ValidThrough(Text, until, Shanghai, Local)));
        Assert.StartsWith("through 2026-12-20 ", InCulture("en-US", () => CouponTexts.ValidThrough(Text, until.AddHours(-6), Shanghai, Local)));
    }
}
