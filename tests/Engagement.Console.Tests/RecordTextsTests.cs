using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// The ledger and audit wordings the browser tests do not reach (an expiry needs a year to pass): each stored English
/// shape, as the domain and API write it, reads in Chinese; an unknown shape and English stay as stored.
/// </summary>
public sealed class RecordTextsTests
{
    private static readonly IStringLocalizer<RecordStrings> Text = Localizer<RecordStrings>();

    [Theory]
    [InlineData("points.expire", "1360 points of purchase O1 expired at 2027-02-18T04:00:00+00:00", "订单 O1 的 1360 积分于 [2027-02-18T04:00:00.0000000+00:00] 到期")]
    [InlineData("points.redeem", "redemption R-9 of 500 points (5.00 CNY)", "兑换 R-9：500 积分（5.00 CNY）")]
    [InlineData("points.redeem", "redemption R-9 of 500 points (5.00 CNY) + 20.00 CNY cash for reward mug", "兑换 R-9：500 积分（5.00 CNY），另付现金 20.00 CNY，奖品 mug")]
    [InlineData("points.redeem", "redemption R-9 of 500 points (5.00 CNY) at store S001", "兑换 R-9：500 积分（5.00 CNY），门店 S001")]
    [InlineData("growth.share", "share 2 of 3 on 2026-03-08", "分享：2026-03-08 第 2 次（每日上限 3 次）")]
    [InlineData("tier.upgrade", "V1 → V2: trailing growth 1043 reached 1000", "V1 → V2：近期成长值 1043 达到 1000")]
    [InlineData("tier.downgrade.refund", "V2 → V1: refund on order O-88 left trailing growth 966 below 1000", "V2 → V1：订单 O-88 退款后近期成长值 966 低于 1000")]
    [InlineData("tier.downgrade.refund", "V3 → V2: refund on order O-9 at 2026-03-01T04:00:00Z (a late event) left trailing growth 4100 below 5000",
        "V3 → V2：订单 O-9 于 [2026-03-01T04:00:00.0000000+00:00] 的退款（迟到事件）使近期成长值 4100 低于 5000")]
    [InlineData("tier.downgrade.grace", "V2 → V1: trailing growth 900 below 1000 through the 30-day grace from 2026-02-01T04:00:00Z",
        "V2 → V1：自 [2026-02-01T04:00:00.0000000+00:00] 起 30 天宽限期内近期成长值 900 仍低于 1000")]
    [InlineData("points.earn", "purchase O7 of 100 USD at 7.1 = 710.00 CNY at V2 ×1.5", "订单 O7 消费 100 USD（汇率 7.1）= 710.00 CNY，V2 等级 ×1.5")]
    [InlineData("growth.adjustment", "manual adjustment -5: 顾客投诉 at store 12: refund of 3", "人工调整 -5：顾客投诉 at store 12: refund of 3")]
    [InlineData("points.earn.correction", "purchase O2 earns 640 points at V1 ×1.0 (was 1280): late event E1, purchase O1 of 680.00 CNY that occurred 2026-03-01T04:00:00Z",
        "订单 O2 改按 V1 等级 ×1.0 计 640 积分（原 1280）：迟到事件 E1（订单 O1 消费 680.00 CNY，发生于 [2026-03-01T04:00:00.0000000+00:00]）")]
    [InlineData("points.earn.correction", "purchase O2 earns 2560 points at V2 ×1.2, first purchase ×2 (was 1280): late event E2, refund of 80.00 CNY on order O1 (680.00 CNY) that occurred 2026-03-01T04:00:00Z",
        "订单 O2 改按 V2 等级 ×1.2，首单 ×2 计 2560 积分（原 1280）：迟到事件 E2（订单 O1（680.00 CNY）退款 80.00 CNY，发生于 [2026-03-01T04:00:00.0000000+00:00]）")]
    [InlineData("growth.share.correction", "share S5 is past the daily cap of 5 on 2026-03-08: late share S0 occurred earlier that day",
        "分享 S5 超出 2026-03-08 每日上限 5 次：同日更早发生的 S0 迟到送达")]
    [InlineData("points.earn.correction", "purchase O2 earns 640 points (a shape not known)", "purchase O2 earns 640 points (a shape not known)")]
    [InlineData("points.earn", "something the console has not seen", "something the console has not seen")]
    public void LedgerReasonsReadInChinese(string ruleId, string stored, string shown) =>
        InCulture("zh-CN", () => Assert.Equal(shown, RecordTexts.LedgerReason(Text, ruleId, stored, Bracketed)));

    [Theory]
    [InlineData("member.adjustment", "growth -20", "成长值 -20")]
    [InlineData("member.coupon_reissue", "coupon C-1 → C-2", "优惠券 C-1 换发为 C-2")]
    [InlineData("member.consent", "consent call default→no, push default→no", "联系同意：电话 默认→不允许，推送 默认→不允许")]
    [InlineData("member.consent", "consent sms no→yes, wechat yes→default", "联系同意：短信 不允许→允许，微信 允许→默认")]
    [InlineData("member.consent", "consent push →no, sms →yes (recorded by a retry)", "联系同意：推送 →不允许，短信 →允许（由重试记录）")]
    [InlineData("member.consent", "consent fax default→no", "联系同意：fax 默认→不允许")]
    [InlineData("campaign.pause", "pause 1: paused, 40 of 100 reached", "第 1 次暂停：[paused]，已触达 40 / 100")]
    [InlineData("programme.point-value", "0.02 CNY per point from now", "每积分 0.02 CNY，自 即时 起")]
    [InlineData("catalogue.put", "created: 'Mug', 500 points", "created: 'Mug', 500 points")]
    public void AuditDetailsReadInChinese(string action, string stored, string shown) =>
        InCulture("zh-CN", () => Assert.Equal(shown, RecordTexts.AuditDetail(Text, action, stored, s => "[" + s + "]")));

    [Theory]
    [InlineData("within caps and outside quiet hours (attempt 2)", "未超触达上限，且不在免打扰时段（第 2 次尝试）")]
    [InlineData("service touch, marketing caps do not apply", "服务类触达，不受营销上限限制")]
    [InlineData("channel sms opted out", "会员已关闭渠道 sms")]
    [InlineData("offer expired at 2026-03-10 12:00 +08:00", "优惠已于 2026-03-10 12:00 +08:00 过期")]
    [InlineData("quiet hours 22:00–08:00 Asia/Shanghai; marketing cap 1/day reached", "免打扰时段 22:00–08:00 Asia/Shanghai；已达营销触达每日上限 1 次")]
    [InlineData("marketing cap 3 per 7 days reached; channel push cap 2/day reached; channel call cap 1/week reached",
        "已达营销触达 7 日上限 3 次；渠道 push 已达每日上限 2 次；渠道 call 已达每周上限 1 次")]
    [InlineData("marketing cap 1/day reached; next allowed 2026-03-11 08:00 +08:00, after the offer ends 2026-03-10 23:59 +08:00",
        "已达营销触达每日上限 1 次；最早可于 2026-03-11 08:00 +08:00 发送，晚于优惠结束时间 2026-03-10 23:59 +08:00")]
    [InlineData("a reason of a new shape; channel sms opted out", "a reason of a new shape；会员已关闭渠道 sms")]
    public void TouchReasonsReadInChinese(string stored, string shown) =>
        InCulture("zh-CN", () => Assert.Equal(shown, RecordTexts.TouchReason(Text, stored)));

    [Theory]
    [InlineData("zh-CN", "兑换 R-7 退回 500 积分：门店 S1 的奖品 mug 缺货")]
    [InlineData("en", "500 points of redemption R-7 given back: reward mug was out of stock at store S1")]
    public void TheEnginesGiveBackOfALostRedemptionReadsAsARedemptionRefundNotAStaffAdjustment(string culture, string shown) => InCulture(culture, () =>
    {
        // As CatalogueRedemptions gives the points back: adjustment redemption-undo:{id}, no staff, no audit row.
        const string stored = "manual adjustment +500: redemption R-7 undone: its unit was released and none is left (mug at S1)";
        Assert.Equal(shown, RecordTexts.LedgerReason(Text, "points.adjustment", stored, Bracketed, "adjustment|redemption-undo:R-7"));
        Assert.Equal("Rule_points.redemption-undo", RecordTexts.LedgerRuleKey("points.adjustment", "adjustment|redemption-undo:R-7"));
        var rules = Localizer<Strings>();
        Assert.False(rules["Rule_points.redemption-undo"].ResourceNotFound);

        // Since the points go back to their own lots, the entry names them: worded in Chinese, as stored in English.
        const string lots = "O-1 +300 until 2026-12-10T12:00:00+08:00, O-0 +200 expired at 2026-12-01T12:00:00+08:00, a 30-day grace lot until 2027-01-03T12:00:00+08:00";
        var named = RecordTexts.LedgerReason(Text, "points.adjustment", stored + "; points back to their lots: " + lots, Bracketed, "adjustment|redemption-undo:R-7");
        Assert.Equal(shown + (culture == "en" ? "; points back to their lots: " + lots
            : "；积分退回原批次：O-1 +300（有效期至 [2026-12-10T12:00:00.0000000+08:00]）；O-0 +200（已于 [2026-12-01T12:00:00.0000000+08:00] 到期，改为 30 天宽限批次，有效期至 [2027-01-03T12:00:00.0000000+08:00]）"), named);

        // Lot ids may hold parentheses (any order id is one), and the list may end "+N more": still the give-back.
        const string odd = "O(1) +300 until 2026-12-10T12:00:00+08:00, (gift) at S9) +5 until 2027-01-03T12:00:00+08:00, +12 more";
        var oddNamed = RecordTexts.LedgerReason(Text, "points.adjustment", stored + "; points back to their lots: " + odd, Bracketed, "adjustment|redemption-undo:R-7");
        Assert.Equal(shown + (culture == "en" ? "; points back to their lots: " + odd
            : "；积分退回原批次：O(1) +300（有效期至 [2026-12-10T12:00:00.0000000+08:00]）；(gift) at S9) +5（有效期至 [2027-01-03T12:00:00.0000000+08:00]）；另有 12 个批次"), oddNamed);

        // A staff adjustment, even one whose reason reads the same, stays a manual adjustment.
        Assert.Equal("Rule_points.adjustment", RecordTexts.LedgerRuleKey("points.adjustment", "adjustment|console-1"));
        Assert.DoesNotContain("R-7 退回", RecordTexts.LedgerReason(Text, "points.adjustment", stored, Bracketed, "adjustment|console-1"), StringComparison.Ordinal);
    });

    [Theory]
    [InlineData("zh-CN", "兑换 R-7 退回 1000 积分：门店 S1 的奖品 mug 缺货；积分退回原批次：O-1 的 600 分用于抵扣欠分 600；"
        + "O-2 +100（有效期至 [2026-12-10T12:00:00.0000000+08:00]），其余 50 分用于抵扣欠分 10、O-3 +20（有效期至 [2026-12-11T12:00:00.0000000+08:00]）、单独批次 +20（有效期至 [2026-12-10T12:00:00.0000000+08:00]）、另有 2 个批次；"
        + "其余批次 +200（有效期至 [2027-01-01T12:00:00.0000000+08:00]，单独成批）；另有 1 个批次")]
    [InlineData("en", "1000 points of redemption R-7 given back: reward mug was out of stock at store S1; points back to their lots: " + UndoLots)]
    public void AnUndosLotsThatWentToTheDebtOtherLotsOrALotOfTheirOwnReadInChinese(string culture, string shown) => InCulture(culture, () =>
        Assert.Equal(shown, RecordTexts.LedgerReason(Text, "points.adjustment",
            "manual adjustment +1000: redemption R-7 undone: its unit was released and none is left (mug at S1); points back to their lots: " + UndoLots,
            Bracketed, "adjustment|redemption-undo:R-7")));

    [Theory]
    [InlineData("zh-CN", "points.redeem", "redemption R-9 of 500 points (5.00 CNY) for reward mug", "兑换 R-9：500 积分（5.00 CNY），奖品 mug")]
    [InlineData("zh-CN", "points.redeem", "redemption R-9 of 350 points (3.50 CNY) + 20.00 CNY cash for reward mug" + Taken,
        "兑换 R-9：350 积分（3.50 CNY），另付现金 20.00 CNY，奖品 mug" + TakenInChinese)]
    [InlineData("zh-CN", "points.redeem", "redemption R-9 of 350 points (3.50 CNY)" + Taken, "兑换 R-9：350 积分（3.50 CNY）" + TakenInChinese)]
    [InlineData("zh-CN", "points.adjustment", "manual adjustment -250: 重复积分", "人工调整 -250：重复积分")]
    [InlineData("zh-CN", "points.adjustment", "manual adjustment -350: 重复积分; see ticket 7" + Taken, "人工调整 -350：重复积分; see ticket 7" + TakenInChinese)]
    [InlineData("en", "points.redeem", "redemption R-9 of 500 points (5.00 CNY) for reward mug", "redemption R-9 of 500 points (5.00 CNY) for reward mug")]
    [InlineData("en", "points.redeem", "redemption R-9 of 350 points (3.50 CNY)" + Taken, "redemption R-9 of 350 points (3.50 CNY)" + Taken)]
    [InlineData("en", "points.adjustment", "manual adjustment -350: 重复积分" + Taken, "manual adjustment -350: 重复积分" + Taken)]
    public void ASpendsLotsReadInChineseAndEntriesFromBeforeTheyWereNamedStillRead(string culture, string ruleId, string stored, string shown) =>
        InCulture(culture, () => Assert.Equal(shown, RecordTexts.LedgerReason(Text, ruleId, stored, Bracketed, "adjustment|adj-1")));

    [Theory]
    [InlineData("en", "points back to their lots: adjustment|redemption-undo␟2:R-1 +30 until 2026-12-10T12:00:00+08:00 in a lot of its own")]
    [InlineData("zh-CN", "积分退回原批次：adjustment|redemption-undo␟2:R-1 +30（有效期至 [2026-12-10T12:00:00.0000000+08:00]，单独成批）")]
    public void AControlCharacterInALotIdShowsVisibly(string culture, string shown) => InCulture(culture, () =>
        Assert.EndsWith(shown, RecordTexts.LedgerReason(Text, "points.adjustment",
            "manual adjustment +30: redemption R-1 undone: its unit was released and none is left (mug at S1); points back to their lots: "
            + "adjustment|redemption-undo\u001F2:R-1 +30 until 2026-12-10T12:00:00+08:00 in a lot of its own", Bracketed, "adjustment|redemption-undo:R-1"), StringComparison.Ordinal));

    [Theory]
    [InlineData("en", "redemption R-1 of 70 points (0.70 CNY) for reward mug; points taken from lots: {0}", "O-1 -20 until {1}, {2} -10 until {3}, gift… -10 until {4}, O|7␟x -10 until {5}, +2 more",
        "70 points of redemption R-1 given back: reward mug was out of stock at store S1; points back to their lots: ",
        "O-1 +20 until {1}, {2} +10 until {3}, gift… +10 until {4}, O|7␟x +10 until {5}, +2 more")]
    [InlineData("zh-CN", "兑换 R-1：70 积分（0.70 CNY），奖品 mug；积分扣自批次：{0}", "O-1 -20（有效期至 {1}）；{2} -10（有效期至 {3}）；gift… -10（有效期至 {4}）；O|7␟x -10（有效期至 {5}）；另有 2 个批次",
        "兑换 R-1 退回 70 积分：门店 S1 的奖品 mug 缺货；积分退回原批次：",
        "O-1 +20（有效期至 {1}）；{2} +10（有效期至 {3}）；gift… +10（有效期至 {4}）；O|7␟x +10（有效期至 {5}）；另有 2 个批次")]
    public void ARealSpendOfSixLotsAndItsUndoReadBackAsTheDomainWroteThem(string culture, string spendShape, string taken, string undoShape, string back) => InCulture(culture, () =>
    {
        // Lots as the domain names them: a 46-character order id by the key it is kept as (longer than a GUID: its head,
        // "~" and a hash; OrderIds), an id that itself ends in "…", one holding "|" and U+001F (shown as ␟), each expiring
        // an hour after the one before.
        const string longId = "store-S001-till-07-receipt-RDM-20261204-000123";
        string[] ids = ["O-1", longId, "gift…", "O|7\u001Fx", "O-5", "O-6"];
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-lots" };
        var start = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(8));
        for (var i = 0; i < ids.Length; i++)
        {
            var at = start.AddHours(i);
            MemberDecider.Apply(state, new MemberEvent($"p{i}", MemberEventTypes.Purchase, at) { OrderId = ids[i], Amount = 10m }, options, at);
        }

        var now = start.AddMonths(5);
        var points = PointsWallet.Balance(state);
        var spend = Assert.Single(MemberDecider.Redeem(state, "R-1", points, null, "mug", options, now, storeId: "S1").Entries);
        var undo = Assert.Single(MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + "R-1", AdjustmentPolicy.PointsKind, points,
            "redemption R-1 undone: its unit was released and none is left (mug at S1)", options, now.AddMinutes(1)).Entries);
        var until = Enumerable.Range(0, 4).Select(i => culture == "en" ? $"2027-01-01T{12 + i}:00:00+08:00" : Bracketed(start.AddHours(i).AddYears(1))).ToArray();
        string Lots(string shape) => string.Format(CultureInfo.InvariantCulture, shape, "", until[0], OrderIds.Key(longId), until[1], until[2], until[3]);

        Assert.Equal(string.Format(CultureInfo.InvariantCulture, spendShape, Lots(taken)), RecordTexts.LedgerReason(Text, spend.RuleId, spend.Reason, Bracketed, spend.EventId));
        Assert.Equal(undoShape + Lots(back), RecordTexts.LedgerReason(Text, undo.RuleId, undo.Reason, Bracketed, undo.EventId));
    });

    [Fact]
    public void TheResumeRowAPauseWritesForAnEarlierPauseReadsInChinese() => InCulture("zh-CN", () =>
    {
        // CampaignCommands.PauseAsync writes the missing resume row of pause n as "pause n: resumed, …": "resumed" is
        // no campaign status the API returns, so it needs a wording of its own.
        var statuses = Localizer<Strings>();
        Assert.Equal(
            "第 1 次暂停：已恢复，已触达 40 / 100",
            RecordTexts.AuditDetail(Text, "campaign.resume", "pause 1: resumed, 40 of 100 reached", s => CodeTexts.Of(statuses, CodeTexts.CampaignStatus, s)));
    });

    [Fact]
    public void InEnglishEverythingShowsAsStored() => InCulture("en", () =>
    {
        Assert.Equal("purchase O1 of 680.00 CNY", RecordTexts.LedgerReason(Text, "growth.purchase", "purchase O1 of 680.00 CNY", Bracketed));
        Assert.Equal("points +30", RecordTexts.AuditDetail(Text, "member.adjustment", "points +30", s => s));
        Assert.Equal("consent call default→no, push default→no", RecordTexts.AuditDetail(Text, "member.consent", "consent call default→no, push default→no", s => s));
        Assert.Equal("member.adjustment", RecordTexts.AuditAction(Text, "member.adjustment"));
        Assert.Equal("channel sms opted out", RecordTexts.TouchReason(Text, "channel sms opted out"));
    });

    // As LotNames writes a spend's lots (the first two of three named here with a bound of two, for brevity).
    private const string Taken = "; points taken from lots: O-1 -200 until 2026-01-01T12:00:00+08:00, O,2 -100 until 2026-01-02T12:00:00+00:00, +1 more";

    private const string TakenInChinese =
        "；积分扣自批次：O-1 -200（有效期至 [2026-01-01T12:00:00.0000000+08:00]）；O,2 -100（有效期至 [2026-01-02T12:00:00.0000000+00:00]）；另有 1 个批次";

    // As RedemptionUndo writes a lot that paid debt, one refilled through others, and the merged rest of its lots.
    private const string UndoLots = "O-1's 600 to the debt +600, O-2 +100 until 2026-12-10T12:00:00+08:00 and its other 50 to the debt +10 and "
        + "O-3 +20 until 2026-12-11T12:00:00+08:00 and a lot of its own +20 until 2026-12-10T12:00:00+08:00 and +2 more, "
        + "the rest of its lots +200 until 2027-01-01T12:00:00+08:00 in a lot of its own, +1 more";

    [Fact]
    public void AuditDetailInstantsShowThroughTheViewersClockInEveryLanguage()
    {
        static string Shanghai(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        const string stored = "0.02 CNY per point from 2026-12-05T06:17:27.4053937+00:00";
        InCulture("zh-CN", () => Assert.Equal("每积分 0.02 CNY，自 2026-12-05 14:17:27 起", RecordTexts.AuditDetail(Text, "programme.point-value", stored, s => s, Shanghai)));
        InCulture("en-US", () => Assert.Equal("0.02 CNY per point from 2026-12-05 14:17:27", RecordTexts.AuditDetail(Text, "programme.point-value", stored, s => s, Shanghai)));
        InCulture("zh-CN", () => Assert.Equal("created: 'Mug' at 2026-12-05 08:00:00", RecordTexts.AuditDetail(Text, "catalogue.put", "created: 'Mug' at 2026-12-05T00:00Z", s => s, Shanghai)));
    }

    private static string Bracketed(DateTimeOffset at) => "[" + at.ToString("O", CultureInfo.InvariantCulture) + "]";
}
