using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>A support agent's coupon reissue: void the old one, issue a fresh one once, refuse a used one.</summary>
public sealed class CouponReissueTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };

    private readonly ProgramOptions _options = new();

    private static MemberState Member() => new() { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60) };

    private MemberOutcome<CouponReissueOutcome> Reissue(MemberState member, string code, DateTimeOffset at, string id = "rx-1") =>
        CouponReissues.Reissue(member, code, id, "Li Na", "member lost the coupon", Offers, _options, at);

    [Fact]
    public void AnIssuedCouponIsVoidedAndAFreshOneOfTheSameOfferRunsTheOriginalLengthFromNow()
    {
        var member = Member();
        var old = MemberCoupons.Issue(member, Spend500Get100, "campaign:C-618", Offers, _options, Noon).Reply.Coupon!;
        var at = Noon.AddDays(2).AddHours(3);

        var outcome = Reissue(member, old.Code.ToLowerInvariant(), at);

        Assert.True(outcome.StateChanged);
        var fresh = outcome.Reply.New!;
        Assert.Equal(Codes.CodeFor("M1", "reissue:" + old.Code), fresh.Code);
        Assert.Equal((old.OfferId, old.Kind, old.Value, old.MinSpend, old.Scope), (fresh.OfferId, fresh.Kind, fresh.Value, fresh.MinSpend, fresh.Scope));
        // Issued 23 Nov 12:00 for 7 days (until 1 Dec 00:00); reissued 25 Nov 15:00: 7 whole days after 25 Nov.
        Assert.Equal((at, new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.FromHours(8))), (fresh.ValidFrom, fresh.ValidUntil));
        Assert.Equal(TimeSpan.FromHours(8), fresh.ValidUntil.Offset);
        var voided = MemberCoupons.Book(member).Find(old.Code)!;
        Assert.Equal(CouponStatuses.Voided, voided.Status);
        Assert.Contains("reissued as " + fresh.Code, voided.StatusReason, StringComparison.Ordinal);
        Assert.Contains("Li Na: member lost the coupon", voided.StatusReason, StringComparison.Ordinal);

        var moves = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).ToList();
        Assert.Equal([(1L, "coupon.issue", 1L), (-1L, "coupon.void", 0L), (1L, "coupon.issue", 1L)], moves.Select(e => (e.Delta, e.RuleId, e.BalanceAfter)));
        Assert.Equal("rx-1", moves[2].EventId);
        Assert.Equal(["coupon-code:" + old.Code, "coupon-code:" + fresh.Code], member.Outbox.Pending.OfType<RegisterCouponCode>().Select(r => r.Id));
    }

    // docs/offers.md §3: a coupon is valid validDays whole days after the day of issue, in the member's time zone, and
    // expires at the start of a local day; docs/http-api.md ("A coupon's life", step 6): a reissue is valid from now "for the original number of whole days". The reissue
    // follows the same rule as a first issue of the same offer at that instant: the same number of whole days, ending at
    // a local midnight, whatever the time of day of the old issue or of the reissue.
    [Theory]
    [InlineData("Asia/Shanghai", 14, 9)]
    [InlineData("America/New_York", 14, 23)]
    [InlineData("America/New_York", 30, 1)]
    public void AReissueEndsAtTheStartOfALocalDayLikeAFirstIssueOfTheSameLength(string zoneId, int validDays, int reissueHour)
    {
        var member = new MemberState { MemberId = "M1", TimeZone = zoneId, FirstSeenAt = Noon.AddDays(-60) };
        var zone = MemberTimeZones.TryFind(zoneId)!;
        var template = WakeUpGift with { ValidDays = validDays };
        var old = MemberCoupons.Issue(member, template, "g", Offers, _options, Noon).Reply.Coupon!;

        // Two days later, at another hour of the member's own day.
        var day = MemberTimeZones.LocalDate(Noon, zone).AddDays(2);
        var at = MemberTimeZones.StartOfDay(day, zone).AddHours(reissueHour).AddMinutes(17);
        var fresh = Reissue(member, old.Code, at).Reply.New!;

        Assert.Equal(CouponTemplate.ExpiryOf(at, validDays, zone), fresh.ValidUntil);
        Assert.Equal(TimeSpan.Zero, TimeZoneInfo.ConvertTime(fresh.ValidUntil, zone).TimeOfDay);
        Assert.Equal(day.AddDays(validDays + 1), MemberTimeZones.LocalDate(fresh.ValidUntil, zone));
        Assert.Equal(zone.GetUtcOffset(fresh.ValidUntil), fresh.ValidUntil.Offset);
        Assert.EndsWith($"valid until {fresh.ValidUntil:yyyy-MM-dd HH:mm zzz}", fresh.StatusReason, StringComparison.Ordinal);

        // Reissued again the next day: still the same whole days.
        var again = Reissue(member, fresh.Code, at.AddDays(1).AddHours(-reissueHour), "rx-2").Reply.New!;
        Assert.Equal(CouponTemplate.ExpiryOf(at.AddDays(1).AddHours(-reissueHour), validDays, zone), again.ValidUntil);
    }

    [Fact]
    public void ARetryAnswersTheSameNewCouponAndChangesNothing()
    {
        var member = Member();
        var old = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var first = Reissue(member, old.Code, Noon.AddHours(1));
        var effects = member.Outbox.Count;

        var again = Reissue(member, old.Code, Noon.AddHours(2), "rx-2");

        Assert.False(again.StateChanged);
        Assert.True(again.Reply.Replayed);
        Assert.Equal(first.Reply.New!.Code, again.Reply.New!.Code);
        Assert.Equal(effects, member.Outbox.Count);
        Assert.Equal(2, MemberCoupons.Book(member).Coupons.Count);
    }

    [Fact]
    public void AnExpiredCouponStaysExpiredAndItsReissueIsLiveWhileARedeemedOneIsRefused()
    {
        var member = Member();
        var gift = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var spent = MemberCoupons.Issue(member, WakeUpGift, "h", Offers, _options, Noon).Reply.Coupon!;
        Assert.True(MemberCoupons.Redeem(member, spent.Code, "r1", At("S001", 80m), _options, Noon.AddHours(1)).Reply.Accepted);
        var later = gift.ValidUntil.AddDays(1);

        var reissued = Reissue(member, gift.Code, later);
        var refused = Reissue(member, spent.Code, later, "rx-3");
        var unknown = Reissue(member, "ZZZZZZZZZZZZZZZZ", later, "rx-4");

        Assert.Equal(CouponStatuses.Expired, MemberCoupons.Book(member).Find(gift.Code)!.Status);
        Assert.True(reissued.Reply.New!.IsUsableAt(later));
        Assert.Equal(CouponRefusals.Used, refused.Reply.Refusal!.Reason);
        Assert.Contains("redeemed", refused.Reply.Refusal.Detail, StringComparison.Ordinal);
        Assert.False(refused.StateChanged);
        Assert.Equal(CouponRefusals.NotFound, unknown.Reply.Refusal!.Reason);

        // The expiry (−1, as of its instant) and the reissue (+1) are in the ledger; no void row for an expired coupon.
        var rules = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).Select(e => e.RuleId).ToList();
        Assert.Equal(["coupon.issue", "coupon.issue", "coupon.redeem", "coupon.expire", "coupon.issue"], rules);
    }
    private static MemberEvent LatePurchase(string eventId, DateTimeOffset occurredAt, string code) =>
        new(eventId, MemberEventTypes.Purchase, occurredAt) { OrderId = "O-" + eventId, Amount = 120m, StoreId = "S009", RegionId = "east", Coupons = [code] };

    // CONTRACT.md §1.1, §2.1: an offline POS gave C's discount at 23:00, C expired at midnight, support reissued it the
    // next day (an expired coupon stays expired), then the upload arrived. Judged as of 23:00, C was valid: the use stands
    // on C and the replacement, still issued, is voided naming the late purchase, so the member gets the value once.
    [Fact]
    public void ALatePurchaseUsingAnExpiredCouponSinceReissuedRedeemsItAndVoidsTheReplacement()
    {
        var member = Member();
        var old = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var fresh = Reissue(member, old.Code, old.ValidUntil.AddHours(10)).Reply.New!;

        var step = MemberCoupons.AfterEvent(member, LatePurchase("pos-late", old.ValidUntil.AddHours(-1), old.Code), Offers, _options, old.ValidUntil.AddHours(12));

        Assert.Empty(step.Reply);
        AssertUsedOnceOnTheOriginal(member, old.Code, fresh.Code);
    }

    // The same when C was still issued at the reissue (voided by it): the purchase happened before the void, at the till.
    [Fact]
    public void ALatePurchaseBeforeTheReissueUsesTheVoidedOriginalAndVoidsTheReplacement()
    {
        var member = Member();
        var old = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var fresh = Reissue(member, old.Code, Noon.AddDays(1)).Reply.New!;

        // A purchase after the reissue cannot use the voided original, and changes nothing.
        var after = MemberCoupons.AfterEvent(member, LatePurchase("pos-after", Noon.AddDays(1).AddHours(1), old.Code), Offers, _options, Noon.AddDays(2));
        Assert.Equal(CouponRefusals.Voided, Assert.Single(after.Reply).Reason);
        // The voided coupon's reason names its replacement: a log shows neither code (docs/offers.md step 5).
        Assert.Contains(fresh.Code, after.Reply[0].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh.Code, after.Reply[0].Masked, StringComparison.Ordinal);
        Assert.DoesNotContain(old.Code, after.Reply[0].Masked, StringComparison.Ordinal);
        Assert.Equal(CouponStatuses.Issued, MemberCoupons.Book(member).Find(fresh.Code)!.Status);

        var step = MemberCoupons.AfterEvent(member, LatePurchase("pos-late", Noon.AddHours(20), old.Code), Offers, _options, Noon.AddDays(2));

        Assert.Empty(step.Reply);
        AssertUsedOnceOnTheOriginal(member, old.Code, fresh.Code);
    }

    // The replacement was redeemed before the upload arrived: both discounts were given, nothing can take one back, so
    // the double use is recorded (coupon.double-use, naming both codes and the purchase), not left silent.
    [Fact]
    public void ALatePurchaseUsingTheOriginalOfARedeemedReplacementRecordsTheDoubleUse()
    {
        var member = Member();
        var old = MemberCoupons.Issue(member, WakeUpGift, "g", Offers, _options, Noon).Reply.Coupon!;
        var fresh = Reissue(member, old.Code, old.ValidUntil.AddHours(10)).Reply.New!;
        Assert.True(MemberCoupons.Redeem(member, fresh.Code, "r1", At("S001", 80m), _options, old.ValidUntil.AddHours(11)).Reply.Accepted);

        MemberCoupons.AfterEvent(member, LatePurchase("pos-late", old.ValidUntil.AddHours(-1), old.Code), Offers, _options, old.ValidUntil.AddHours(12));

        var book = MemberCoupons.Book(member);
        Assert.Equal((CouponStatuses.Redeemed, CouponStatuses.Redeemed), (book.Find(old.Code)!.Status, book.Find(fresh.Code)!.Status));
        var twice = Assert.Single(member.Ledger, e => e.RuleId == "coupon.double-use");
        Assert.Equal((0L, "pos-late"), (twice.Delta, twice.EventId));
        Assert.Contains("used twice", twice.Reason, StringComparison.Ordinal);
        // Both codes by their last 4 characters only: the ledger is support's to read (CouponCodes.Mask).
        Assert.Contains("…" + old.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.Contains("…" + fresh.Code[^4..], twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(old.Code, twice.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh.Code, twice.Reason, StringComparison.Ordinal);
    }

    private static void AssertUsedOnceOnTheOriginal(MemberState member, string oldCode, string freshCode)
    {
        var book = MemberCoupons.Book(member);
        var (original, replacement) = (book.Find(oldCode)!, book.Find(freshCode)!);
        Assert.Equal(CouponStatuses.Redeemed, original.Status);
        Assert.Equal(CouponStatuses.Voided, replacement.Status);
        Assert.Contains("late purchase pos-late", replacement.StatusReason, StringComparison.Ordinal);
        Assert.DoesNotContain(book.Coupons, c => c.Status == CouponStatuses.Issued);

        var moves = member.Ledger.Where(e => e.Kind == MemberCoupons.LedgerKind).ToList();
        var last = moves[^1];
        Assert.Equal((-1L, CouponReissues.VoidRule, "pos-late", 0L), (last.Delta, last.RuleId, last.EventId, last.BalanceAfter));
        Assert.Equal(0L, moves.Sum(e => e.Delta));
    }
}
