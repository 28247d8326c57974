using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// A coupon's status reason, as the domain's coupon book writes it, reads in Chinese on the Benefits tab; a reason typed
/// by a person stays as typed, an unknown shape and every English reason as stored.
/// </summary>
public sealed class CouponReasonTextsTests
{
    private static readonly IStringLocalizer<RecordStrings> Text = Localizer<RecordStrings>();

    [Theory]
    [InlineData("issued by grant camp-1:m-7, valid until 2026-12-21 00:00 +08:00", "由发放 camp-1:m-7 发出，有效期至 [2026-12-20 16:00Z]")]
    [InlineData("reissued from C-1 by Li Lei: lost in the app; valid until 2026-12-21 00:00 +08:00", "Li Lei 由 C-1 换发（原因：lost in the app），有效期至 [2026-12-20 16:00Z]")]
    [InlineData("voided: reissued as C-2 by Li Lei: 顾客丢失", "已作废：Li Lei 换发为 C-2（原因：顾客丢失）")]
    [InlineData("redeemed by order O-9 at store S1", "订单 O-9 在门店 S1 使用")]
    [InlineData("redeemed at store S1 by redemption R-3", "在门店 S1 核销（核销单 R-3）")]
    [InlineData("redeemed at store S1 by redemption R-3; confirmed by order O-9", "在门店 S1 核销（核销单 R-3）；订单 O-9 已确认")]
    [InlineData("restored: order O-9 was refunded in full", "已恢复：订单 O-9 已全额退款")]
    [InlineData("validity ended at 2026-12-21 00:00:00 +08:00", "有效期已于 [2026-12-20 16:00Z] 结束")]
    [InlineData("used twice: something new", "used twice: something new")]
    public void CouponReasonsReadInChinese(string stored, string shown) =>
        InCulture("zh-CN", () => Assert.Equal(shown, CouponReasonTexts.Of(Text, stored, Utc)));

    [Fact]
    public void InEnglishAReasonShowsAsStored() => InCulture("en-US", () =>
        Assert.Equal("validity ended at 2026-12-21 00:00:00 +08:00", CouponReasonTexts.Of(Text, "validity ended at 2026-12-21 00:00:00 +08:00", Utc)));

    private static string Utc(DateTimeOffset at) => "[" + at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z]";
}
