using System.Globalization;
using Engagement.Console.Resources;
using Engagement.Console.Services;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Microsoft.Extensions.Localization;
using static Engagement.Console.Tests.Localized;

namespace Engagement.Console.Tests;

/// <summary>
/// The later redemptions a redemption's undo moved onto the sooner lots they would have taken (the domain's
/// <c>LaterRedemptions</c>, docs/offers.md), on the member page's ledger: in Chinese each move reads in words (the
/// redemption, the lots it now takes from, those it no longer takes from, a move within the undo's grace lot with the
/// expired lot and its expiry), each expiry through the viewer's clock; in English, and in a shape the console does not
/// know, the list shows as stored.
/// </summary>
public sealed class UndoMoveTextsTests
{
    private static readonly IStringLocalizer<RecordStrings> Text = Localizer<RecordStrings>();

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private const string Undo = "manual adjustment +700: redemption R-7 undone: its unit was released and none is left (mug at S1); points back to their lots: "
        + "A +600 until 2027-01-01T12:00:00+08:00";

    private const string UndoInChinese = "兑换 R-7 退回 700 积分：门店 S1 的奖品 mug 缺货；积分退回原批次：A +600（有效期至 2027-01-01 12:00）；后续兑换改从本应先扣的更早到期批次扣减：";

    private const string UndoInEnglish = "700 points of redemption R-7 given back: reward mug was out of stock at store S1; points back to their lots: "
        + "A +600 until 2027-01-01T12:00:00+08:00; later redemptions moved to the sooner lots they would have taken: ";

    // A move between two live lots, as LaterRedemptions writes it.
    private const string Moved = "R-8 A -50 until 2027-01-01T12:00:00+08:00 instead of D -50 until 2027-03-03T12:00:00+08:00";

    // A move within the undo's grace lot: named as the grace lot's, the expired lot in brackets; an instant stored in UTC.
    private const string GraceMoved = "R-8 the grace lot -150 (B, expired at 2026-12-01T04:00:00+00:00) instead of the grace lot -100 (C, expired at 2026-12-20T12:00:00+08:00)"
        + " and D -50 until 2027-03-03T12:00:00+08:00";

    /// <summary>As the member page shows an instant (<see cref="ViewerClock.Format"/>): in the viewer's zone, here Asia/Shanghai.</summary>
    private static string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Reason(string moved) =>
        RecordTexts.LedgerReason(Text, "points.adjustment", Undo + LotNames.MovedPrefix + moved, Local, "adjustment|redemption-undo:R-7");

    [Theory]
    [InlineData("zh-CN", Moved, UndoInChinese + "兑换 R-8 改扣 A -50（有效期至 2027-01-01 12:00），原扣 D -50（有效期至 2027-03-03 12:00）")]
    [InlineData("zh-CN", GraceMoved, UndoInChinese + "兑换 R-8 改扣 宽限批次 -150（原批次 B 已于 2026-12-01 12:00 到期），"
        + "原扣 宽限批次 -100（原批次 C 已于 2026-12-20 12:00 到期）、D -50（有效期至 2027-03-03 12:00）")]
    [InlineData("zh-CN", Moved + ", " + GraceMoved, UndoInChinese + "兑换 R-8 改扣 A -50（有效期至 2027-01-01 12:00），原扣 D -50（有效期至 2027-03-03 12:00）；"
        + "兑换 R-8 改扣 宽限批次 -150（原批次 B 已于 2026-12-01 12:00 到期），原扣 宽限批次 -100（原批次 C 已于 2026-12-20 12:00 到期）、D -50（有效期至 2027-03-03 12:00）")]
    [InlineData("zh-CN", "R-8 A -10 until 2027-01-01T12:00:00+08:00 and B -10 until 2027-01-02T12:00:00+08:00 instead of D -20 until 2027-03-03T12:00:00+08:00 and +2 more, +1 more",
        UndoInChinese + "兑换 R-8 改扣 A -10（有效期至 2027-01-01 12:00）、B -10（有效期至 2027-01-02 12:00），原扣 D -20（有效期至 2027-03-03 12:00）、另有 2 个批次；另有 1 笔兑换")]
    [InlineData("en", Moved, UndoInEnglish + Moved)]
    [InlineData("en", GraceMoved, UndoInEnglish + GraceMoved)]
    public void EachMoveReadsInTheViewersLanguageWithItsExpiriesInTheViewersZone(string culture, string moved, string shown) =>
        InCulture(culture, () => Assert.Equal(shown, Reason(moved)));

    [Theory]
    [InlineData("R-8 A -50 until 2027-01-01T12:00:00+08:00 in place of D -50 until 2027-03-03T12:00:00+08:00")]
    [InlineData("R-8 A -50 until not-an-instant instead of D -50 until 2027-03-03T12:00:00+08:00")]
    [InlineData(Moved + ", R-9 something new")]
    public void AMoveListOfAShapeNotKnownShowsAsStoredAfterItsHeading(string moved) =>
        InCulture("zh-CN", () => Assert.Equal(UndoInChinese + moved, Reason(moved)));

    /// <summary>
    /// A redemption id may hold a space (1–128 characters, not blank): where the id ends and the first lot begins is tried
    /// at each space, and a move reads in words only when exactly one split leaves lots that parse. <c>R 2 A -50 until …</c>
    /// could be R taking from lot "2 A" or "R 2" from A: shown as stored, not as 兑换 R 改扣 2 A.
    /// </summary>
    [Theory]
    [InlineData("R 2 A -50 until 2027-01-01T12:00:00+08:00 instead of D -50 until 2027-03-03T12:00:00+08:00")]
    [InlineData("R 2 x y and z -1 until 2027-01-01T12:00:00+08:00 instead of D -1 until 2027-03-03T12:00:00+08:00")]
    [InlineData(Moved + ", R 2 A -50 until 2027-01-01T12:00:00+08:00 instead of D -50 until 2027-03-03T12:00:00+08:00")]
    public void AMoveWhoseRedemptionIdCouldEndAtMoreThanOneSpaceShowsAsStored(string moved) =>
        InCulture("zh-CN", () => Assert.Equal(UndoInChinese + moved, Reason(moved)));

    [Fact]
    public void ARedemptionIdHoldingASpaceReadsInWordsWhenOnlyOneSplitParses() => InCulture("zh-CN", () => Assert.Equal(
        UndoInChinese + "兑换 R 2 改扣 宽限批次 -150（原批次 B 已于 2026-12-01 12:00 到期），原扣 D -50（有效期至 2027-03-03 12:00）",
        Reason("R 2 the grace lot -150 (B, expired at 2026-12-01T04:00:00+00:00) instead of D -50 until 2027-03-03T12:00:00+08:00")));

    /// <summary>
    /// A list of lots whose ids hold " and " and the lot shape, with no <c> instead of </c>: it shows as stored (the moves
    /// are parsed lot by lot where the last ended, so such a text is read once, not tried every way a lazy pattern could
    /// split it).
    /// </summary>
    [Theory]
    [InlineData(20)]
    [InlineData(3)]
    public void AHostileListWithoutInsteadOfShowsAsStored(int lots)
    {
        var moved = "x " + string.Join(" and ", Enumerable.Repeat("x y and z -1 until 2027-01-01T12:00:00+08:00", lots)) + ", y z";
        InCulture("zh-CN", () => Assert.Equal(UndoInChinese + moved, Reason(moved)));
    }

    /// <summary>
    /// The domain's own undo (as RedemptionUndoLaterTests arranges it): R1 takes A 600 and C 100 on 31 Dec 2026, D is bought
    /// an hour later, R2 takes C 100 and D 50, R3 (2 Jan, after A's expiry) D 50; R1 is undone on 2 Feb 2027, after C's
    /// expiry too. R2 now takes 150 within the grace lot (A's) instead of C's 100 there and D's 50, R3 50 within it (C's)
    /// instead of D's 50: the reason the engine wrote reads back move by move.
    /// </summary>
    [Theory]
    [InlineData("zh-CN", "兑换 R1 退回 700 积分：门店 S001 的奖品 kettle 缺货；积分退回原批次："
        + "A +600（已于 2027-01-01 12:00 到期，改为 30 天宽限批次，有效期至 2027-03-04 12:00）；C +100（已于 2027-02-01 12:00 到期，改为 30 天宽限批次，有效期至 2027-03-04 12:00）；"
        + "后续兑换改从本应先扣的更早到期批次扣减："
        + "兑换 R2 改扣 宽限批次 -150（原批次 A 已于 2027-01-01 12:00 到期），原扣 宽限批次 -100（原批次 C 已于 2027-02-01 12:00 到期）、D -50（有效期至 2027-12-31 11:00）；"
        + "兑换 R3 改扣 宽限批次 -50（原批次 C 已于 2027-02-01 12:00 到期），原扣 D -50（有效期至 2027-12-31 11:00）")]
    [InlineData("en", "700 points of redemption R1 given back: reward kettle was out of stock at store S001; points back to their lots: "
        + "A +600 expired at 2027-01-01T12:00:00+08:00, a 30-day grace lot until 2027-03-04T12:00:00+08:00, C +100 expired at 2027-02-01T12:00:00+08:00, a 30-day grace lot until 2027-03-04T12:00:00+08:00"
        + "; later redemptions moved to the sooner lots they would have taken: "
        + "R2 the grace lot -150 (A, expired at 2027-01-01T12:00:00+08:00) instead of the grace lot -100 (C, expired at 2027-02-01T12:00:00+08:00) and D -50 until 2027-12-31T11:00:00+08:00, "
        + "R3 the grace lot -50 (C, expired at 2027-02-01T12:00:00+08:00) instead of D -50 until 2027-12-31T11:00:00+08:00")]
    public void AnUndoTheDomainWroteReadsBackMoveByMove(string culture, string shown) => InCulture(culture, () =>
    {
        var options = new ProgramOptions { LedgerEntriesKept = 1_000 };
        var state = new MemberState { MemberId = "M-moves" };
        Buy(state, options, "A", 300m, At(2026, 1, 1));
        Buy(state, options, "C", 200m, At(2026, 2, 1));
        Redeem(state, options, "R1", 700, At(2026, 12, 31, 10));
        Buy(state, options, "D", 150m, At(2026, 12, 31, 11));
        Redeem(state, options, "R2", 150, At(2026, 12, 31, 13));
        Redeem(state, options, "R3", 50, At(2027, 1, 2));

        var undo = Assert.Single(MemberDecider.Adjust(state, AdjustmentPolicy.RedemptionUndoPrefix + "R1", AdjustmentPolicy.PointsKind, 700,
            "redemption R1 undone: its unit was released and none is left (kettle at S001)", options, At(2027, 2, 2)).Entries);

        Assert.Contains(LotNames.MovedPrefix + "R2 the grace lot -150 (A, ", undo.Reason, StringComparison.Ordinal);
        Assert.Equal(shown, RecordTexts.LedgerReason(Text, undo.RuleId, undo.Reason, Local, undo.EventId));
    });

    private static DateTimeOffset At(int year, int month, int day, int hour = 12) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    private static void Buy(MemberState state, ProgramOptions options, string orderId, decimal amount, DateTimeOffset at) =>
        Assert.Equal(EventStatus.Applied, MemberDecider.Apply(state, new MemberEvent("buy-" + orderId, MemberEventTypes.Purchase, at) { OrderId = orderId, Amount = amount }, options, at).Reply.Status);

    private static void Redeem(MemberState state, ProgramOptions options, string redemptionId, long points, DateTimeOffset at) =>
        Assert.True(MemberDecider.Redeem(state, redemptionId, points, null, "kettle", options, at, storeId: "S001").Reply.Accepted);
}
