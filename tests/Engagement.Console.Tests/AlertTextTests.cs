using System.Reflection;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// Every alert rule's text on the console (<see cref="AlertTexts.Message"/>), in English and in Chinese, with each
/// placeholder where it belongs: the value, the threshold, the window's length and its local days (the judged days and,
/// for the liability rule, the baseline's days and the judged day's end). Only the complaints text was checked, on the
/// page; a swapped argument in any other rule's text (the baseline days where the judged days go) went unseen. The days
/// are the window recorded on the alert, not worked out from the options in force when it is shown.
/// </summary>
public sealed class AlertTextTests
{
    private static readonly IStringLocalizer<ProgrammeStrings> Text = Localizer<ProgrammeStrings>();

    /// <summary>10:00 on 2026-12-05 in Asia/Shanghai (the default zone): the last complete local day is 2026-12-04.</summary>
    private static readonly DateTimeOffset RaisedAt = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    /// <summary>The window each rule judged at <see cref="RaisedAt"/> with the default options, as the engine records it.</summary>
    private static AlertWindowView? WindowOf(string rule, double? threshold)
    {
        var last = new DateOnly(2026, 12, 4);
        AlertWindowView Last(int days) => new() { From = last.AddDays(-(days - 1)), To = last, Days = days, Threshold = threshold };
        return rule switch
        {
            AlertRules.ActivityBelowBaseline => Last(14),
            AlertRules.BenefitsRedemptionLow => Last(30),
            AlertRules.ComplaintsHigh => Last(7),
            AlertRules.PointsRedemptionBand => Last(90) with { BandLow = 0.28, BandHigh = 0.32 },
            AlertRules.PointsLiabilityJump => Last(7) with { BaselineFrom = last.AddDays(-34), BaselineTo = last.AddDays(-7) },
            _ => null,
        };
    }

    private static AlertView Alert(string rule, string region, double? value, double? threshold) => new()
    {
        Window = WindowOf(rule, threshold),
        AlertId = rule + ":" + region + ":1",
        Rule = rule,
        RegionId = region,
        State = AlertStates.Open,
        Value = value,
        Threshold = threshold,
        RaisedAt = RaisedAt,
        Message = rule == AlertRules.DataAnomaly ? "manifest unreadable" : "the engine's English text",
        MessageId = rule + ":" + region + ":1:open",
    };

    [Theory]
    [InlineData("en", "activity.below-baseline", "east", 0.04, 0.05, "Active share (MAU / members) 4% against baseline 5%, below it on each of the 14 local days 2026-11-21–2026-12-04: churn-warning analysis: find the segments, stores and channels that lost active members and start win-back")]
    [InlineData("en", "benefits.redemption-low", "east", 0.05, 0.15, "coupon redemption 5% over the 30 local days 2026-11-05–2026-12-04 (floor 15%): benefit audit: check that the offers reach members, are worth using and can be used in store before they expire")]
    [InlineData("en", "complaints.high", "all", 0.04, 0.03, "complaint rate 4% over the 7 local days 2026-11-28–2026-12-04 (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent")]
    [InlineData("en", "points.redemption-band", "east", 0.2, 0.28, "points redemption 20% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances")]
    [InlineData("en", "points.redemption-band", "east", 0.4, 0.32, "points redemption 40% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions")]
    [InlineData("en", "points.liability-jump", "all", 0.16, 0.15, "points outstanding at the end of 2026-12-04 16% above their median over the 28 local days 2026-10-31–2026-11-27 (ceiling +15%): check the earn rules, bonus campaigns and manual adjustments of the 7 days 2026-11-28–2026-12-04 for points issued in error, and tell finance the liability grew")]
    [InlineData("en", "data.anomaly", "backup", null, null, "fault seen by backup: check backups and storage (manifest unreadable)")]
    [InlineData("zh-CN", "activity.below-baseline", "east", 0.04, 0.05, "活跃占比（月活 / 会员数） 为 4%，低于基线 5%，已连续 14 个本地日（2026-11-21–2026-12-04）：请开展流失预警分析，找出活跃会员流失的细分人群、门店和渠道并启动召回")]
    [InlineData("zh-CN", "benefits.redemption-low", "east", 0.05, 0.15, "2026-11-05–2026-12-04 这 30 个本地日的优惠券核销率 5%（下限 15%）：请审查权益，确认优惠券送达会员、有吸引力且能在到期前于门店使用")]
    [InlineData("zh-CN", "complaints.high", "all", 0.04, 0.03, "2026-11-28–2026-12-04 这 7 个本地日的投诉率 4%（上限 3%）：请复盘服务流程，按门店和原因查看这些天的投诉并解决最常见的问题")]
    [InlineData("zh-CN", "points.redemption-band", "east", 0.2, 0.28, "2026-09-06–2026-12-04 这 90 个本地日的积分兑换率（已兑换积分 / 已发放积分）为 20%（健康区间 28%–32%）：请审查积分囤积，会员未使用积分；请检查兑换商品的吸引力与积分价格，并提醒会员积分余额")]
    [InlineData("zh-CN", "points.redemption-band", "east", 0.4, 0.32, "2026-09-06–2026-12-04 这 90 个本地日的积分兑换率（已兑换积分 / 已发放积分）为 40%（健康区间 28%–32%）：请审查积分通胀，兑换超出区间；请检查积分发放比例、兑换商品的积分价格与兑换促销")]
    [InlineData("zh-CN", "points.liability-jump", "all", 0.16, 0.15, "2026-12-04 结束时的未兑换积分比 2026-10-31–2026-11-27 这 28 个本地日的中位数高出 16%（上限 +15%）：请检查 2026-11-28–2026-12-04 这 7 天的积分规则、加倍积分活动与人工调整是否误发积分，并告知财务积分负债已增加")]
    [InlineData("zh-CN", "data.anomaly", "backup", null, null, "backup 发现故障：请检查备份与存储（manifest unreadable）")]
    public void EveryRuleTextPutsItsFiguresAndDaysInTheirPlaces(string culture, string rule, string region, double? value, double? threshold, string shown) => InCulture(culture, () =>
        Assert.Equal(shown, AlertTexts.Message(Text, Alert(rule, region, value, threshold), new AlertOptions())));

    [Fact]
    public void EveryRuleTheEngineRaisesHasAText()
    {
        // The theory above covers each of these; a rule added to AlertRules without a text would show the English message.
        var rules = typeof(AlertRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(AlertRules.AllRegions)).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(6, rules.Count);
        foreach (var culture in new[] { "en", "zh-CN" })
        {
            InCulture(culture, () => Assert.All(rules, rule =>
                Assert.NotEqual(Alert(rule, "east", 0.5, 0.1).Message, AlertTexts.Message(Text, Alert(rule, "east", 0.5, 0.1), new AlertOptions()))));
        }
    }

    /// <summary>
    /// An alert shows the days its rule judged when it was raised, after an operator changed the windows: with the
    /// complaint window set from 7 to 14 days and the activity run from 14 to 21, an alert raised on 7 (14) days said 14
    /// (21) and listed days the rule never looked at, because the console worked the days out from the options in force.
    /// </summary>
    [Theory]
    [InlineData("en", "complaints.high", "complaint rate 4% over the 7 local days 2026-11-28–2026-12-04 (ceiling 3%)")]
    [InlineData("zh-CN", "complaints.high", "2026-11-28–2026-12-04 这 7 个本地日的投诉率 4%（上限 3%）")]
    [InlineData("en", "activity.below-baseline", "below it on each of the 14 local days 2026-11-21–2026-12-04")]
    [InlineData("en", "points.liability-jump", "over the 28 local days 2026-10-31–2026-11-27 (ceiling +3%): check the earn rules, bonus campaigns and manual adjustments of the 7 days 2026-11-28–2026-12-04")]
    public void AnAlertShowsTheWindowItWasJudgedOnAfterTheOptionsChanged(string culture, string rule, string shown)
    {
        var changed = new AlertOptions { ComplaintWindowDays = 14, ActivityDays = 21, PointsLiabilityDays = 10, PointsLiabilityBaselineDays = 40 };
        var alert = Alert(rule, "east", 0.04, 0.03);
        InCulture(culture, () => Assert.Contains(shown, AlertTexts.Message(Text, alert with { RaisedAt = RaisedAt.AddDays(20) }, changed), StringComparison.Ordinal));
    }

    /// <summary>
    /// A resolved alert shows the resolving judgement's value, days and threshold together: the threshold used to be the
    /// raised one (<see cref="AlertView.Threshold"/>) beside the resolving days. A low points-redemption alert raised
    /// against 28% and resolved at 30% against the band's high end (32%) was shown as an inflation alert (30% is not
    /// below the raised 28%); a complaints alert raised against 3% and resolved on 14 days against a ceiling of 5% said
    /// "ceiling 3%" beside those 14 days.
    /// </summary>
    [Theory]
    [InlineData("en", "points.redemption-band", 0.3, 0.28, 0.32, 90, "points redemption 30% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04, back within the band 28%–32%: the low-redemption (hoarding) alert is resolved")]
    [InlineData("zh-CN", "points.redemption-band", 0.3, 0.28, 0.32, 90, "2026-09-06–2026-12-04 这 90 个本地日的积分兑换率（已兑换积分 / 已发放积分）为 30%，已回到健康区间 28%–32%：积分兑换过低（囤积）告警已解除")]
    [InlineData("en", "complaints.high", 0.04, 0.03, 0.05, 14, "complaint rate 4% over the 14 local days 2026-11-21–2026-12-04 (ceiling 5%)")]
    [InlineData("zh-CN", "complaints.high", 0.04, 0.03, 0.05, 14, "2026-11-21–2026-12-04 这 14 个本地日的投诉率 4%（上限 5%）")]
    public void AResolvedAlertShowsTheThresholdOfTheJudgementThatResolvedIt(string culture, string rule, double value, double raisedThreshold, double resolvingThreshold, int days, string shown)
    {
        var last = new DateOnly(2026, 12, 4);
        var resolved = Alert(rule, "east", value, raisedThreshold) with
        {
            State = AlertStates.Resolved,
            ResolvedAt = RaisedAt,
            Window = new AlertWindowView { From = last.AddDays(-(days - 1)), To = last, Days = days, Threshold = resolvingThreshold },
        };
        InCulture(culture, () => Assert.Contains(shown, AlertTexts.Message(Text, resolved, new AlertOptions()), StringComparison.Ordinal));
    }

    /// <summary>
    /// Each direction of the points band, raised and resolved, and the liability rule raised and resolved, say what they
    /// are in both languages. A resolved high (inflation) alert, its value back at 30% against the resolving window's
    /// threshold (the band's high end, 32%), was worded "points hoarding review"; a resolved low one asked for the review
    /// too, and a resolved liability alert said the liability grew. A low alert resolved without a judgement (its rule
    /// turned off) keeps its raised value, so its raised wording.
    /// </summary>
    [Theory]
    [InlineData("en", "points.redemption-band", AlertStates.Open, 0.2, 0.28, 0.28, "(band 28%–32%): points hoarding review: members keep their points")]
    [InlineData("en", "points.redemption-band", AlertStates.Open, 0.4, 0.32, 0.32, "(band 28%–32%): points inflation review: members spend more than the band")]
    [InlineData("en", "points.redemption-band", AlertStates.Resolved, 0.3, 0.28, 0.32, "back within the band 28%–32%: the low-redemption (hoarding) alert is resolved; no review needed")]
    [InlineData("en", "points.redemption-band", AlertStates.Resolved, 0.3, 0.32, 0.32, "back within the band 28%–32%: the high-redemption (inflation) alert is resolved; no review needed")]
    [InlineData("en", "points.redemption-band", AlertStates.Resolved, 0.2, 0.28, 0.28, "(band 28%–32%): points hoarding review")]
    [InlineData("en", "points.liability-jump", AlertStates.Resolved, 0.05, 0.15, 0.15, "points outstanding at the end of 2026-12-04 5% against their median over the 28 local days 2026-10-31–2026-11-27, within the ceiling (+15%) for the 7 days 2026-11-28–2026-12-04: the liability rise is resolved; no check needed")]
    [InlineData("zh-CN", "points.redemption-band", AlertStates.Open, 0.2, 0.28, 0.28, "（健康区间 28%–32%）：请审查积分囤积")]
    [InlineData("zh-CN", "points.redemption-band", AlertStates.Open, 0.4, 0.32, 0.32, "（健康区间 28%–32%）：请审查积分通胀")]
    [InlineData("zh-CN", "points.redemption-band", AlertStates.Resolved, 0.3, 0.28, 0.32, "为 30%，已回到健康区间 28%–32%：积分兑换过低（囤积）告警已解除，无需审查")]
    [InlineData("zh-CN", "points.redemption-band", AlertStates.Resolved, 0.3, 0.32, 0.32, "为 30%，已回到健康区间 28%–32%：积分兑换过高（通胀）告警已解除，无需审查")]
    [InlineData("zh-CN", "points.liability-jump", AlertStates.Resolved, 0.05, 0.15, 0.15, "2026-12-04 结束时的未兑换积分相对 2026-10-31–2026-11-27 这 28 个本地日的中位数变化 5%，2026-11-28–2026-12-04 这 7 天未超过上限（+15%）：积分负债上涨告警已解除，无需检查")]
    public void ThePointsAlertsSayTheirDirectionAndWhetherTheyAreResolved(string culture, string rule, string state, double value, double raisedThreshold, double windowThreshold, string shown)
    {
        var alert = Alert(rule, "east", value, raisedThreshold);
        alert = alert with
        {
            State = state,
            ResolvedAt = state == AlertStates.Resolved ? RaisedAt : null,
            Window = alert.Window! with { Threshold = windowThreshold },
        };

        var text = "";
        InCulture(culture, () => text = AlertTexts.Message(Text, alert, new AlertOptions()));

        Assert.Contains(shown, text, StringComparison.Ordinal);
        // A resolved text asks for no review; a raised one (or one resolved without a judgement) says nothing is resolved.
        var saysResolved = shown.Contains("resolved", StringComparison.Ordinal) || shown.Contains("已解除", StringComparison.Ordinal);
        var other = culture == "en" ? (saysResolved ? "review:" : "resolved") : (saysResolved ? "请审查" : "已解除");
        Assert.DoesNotContain(other, text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The points band's direction is the one recorded when the alert was raised (<see cref="AlertView.Direction"/>), not
    /// inferred from the band in force, and its band is the one its window recorded (<see cref="AlertWindowView.BandLow"/>,
    /// <see cref="AlertWindowView.BandHigh"/>), not today's: with the band moved from 28–32% to 20–25%, the nearest end of
    /// the new band (25%) made a hoarding alert read as inflation; an alert raised or resolved under 28–32% said "band
    /// 20%–25%"; and one resolved at 22% inside the moved band (its resolving window records 20–25%) was judged by the
    /// bound it was raised against (28%) and read as still wanting a review. An alert resolved by a judgement is over. An
    /// alert stored before the direction and band were recorded keeps the inference from the band in force.
    /// </summary>
    [Theory]
    [InlineData(AlertDirections.Below, AlertStates.Open, 0.2, 0.28, 0.28, 0.32, "points redemption 20% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances")]
    [InlineData(AlertDirections.Below, AlertStates.Resolved, 0.22, 0.25, 0.2, 0.25, "points redemption 22% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04, back within the band 20%–25%: the low-redemption (hoarding) alert is resolved; no review needed")]
    [InlineData(AlertDirections.Below, AlertStates.Resolved, 0.3, 0.32, 0.28, 0.32, "points redemption 30% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04, back within the band 28%–32%: the low-redemption (hoarding) alert is resolved; no review needed")]
    [InlineData(AlertDirections.Below, AlertStates.Resolved, 0.2, 0.28, 0.28, 0.32, "points redemption 20% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points hoarding review: members keep their points; check the catalogue's appeal and prices in points and remind members of their balances")]
    [InlineData(AlertDirections.Above, AlertStates.Open, 0.4, 0.32, 0.28, 0.32, "points redemption 40% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 28%–32%): points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions")]
    [InlineData(null, AlertStates.Open, 0.2, 0.28, null, null, "points redemption 20% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 20%–25%): points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions")]
    [InlineData(null, AlertStates.Resolved, 0.3, 0.32, null, null, "points redemption 30% (points redeemed / points issued) over the 90 local days 2026-09-06–2026-12-04 (band 20%–25%): points inflation review: members spend more than the band; check the earn rates, catalogue prices in points and redemption promotions")]
    public void ThePointsAlertSaysTheDirectionAndBandItWasJudgedOnAfterTheBandMoved(string? direction, string state, double value, double windowThreshold, double? bandLow, double? bandHigh, string shown)
    {
        var raisedThreshold = direction == AlertDirections.Above ? 0.32 : 0.28;
        var alert = Alert(AlertRules.PointsRedemptionBand, "east", value, raisedThreshold);
        alert = alert with
        {
            Direction = direction,
            State = state,
            ResolvedAt = state == AlertStates.Resolved ? RaisedAt : null,
            Window = alert.Window! with { Threshold = windowThreshold, BandLow = bandLow, BandHigh = bandHigh },
        };
        var moved = new AlertOptions { PointsBandLow = 0.20, PointsBandHigh = 0.25 };

        var text = "";
        InCulture("en", () => text = AlertTexts.Message(Text, alert, moved));

        Assert.Equal(shown, text);
    }

    /// <summary>An alert stored before windows were recorded says so, in both languages, and shows no days at all.</summary>
    [Theory]
    [InlineData("en", "High complaint rate (complaints.high): 4% (threshold 3%); window not recorded: the alert was raised before its judged days were stored with it")]
    [InlineData("zh-CN", "投诉率过高 (complaints.high)：4%（阈值 3%）；未记录判定窗口：该告警产生时尚未随告警保存其判定的本地日")]
    public void AnAlertStoredWithoutItsWindowSaysTheWindowWasNotRecorded(string culture, string shown) => InCulture(culture, () =>
        Assert.Equal(shown, AlertTexts.Message(Text, Alert(AlertRules.ComplaintsHigh, "east", 0.04, 0.03) with { Window = null }, new AlertOptions())));
}
