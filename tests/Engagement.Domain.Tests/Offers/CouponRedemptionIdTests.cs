using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// A POS redemptionId names one coupon redemption of the member (<see cref="CouponRedemptionIds"/>): the same id on a
/// second coupon was accepted as a new redemption; it is refused naming <c>redemptionId</c>, while a first redemption and an
/// exact retry answer as before. Every instant is pinned (<see cref="CouponTestKit.Noon"/>).
/// </summary>
public class CouponRedemptionIdTests
{
    private static readonly OffersOptions Offers = new() { CouponSecret = Secret };
    private readonly ProgramOptions _options = new();

    [Fact]
    public void TheSameRedemptionIdOnAnotherCouponIsRefusedNamingRedemptionIdAndWhatItRedeemed()
    {
        var gift = Issue(WakeUpGift, grant: "a");
        var other = Issue(WakeUpGift, grant: "b");
        var (book, first) = BookWith(gift, other).Redeem(gift.Code, "pos-S001-42", At("S001", 168m), Noon.AddHours(1));

        var (after, reused) = book.Redeem(other.Code, "pos-S001-42", At("S001", 168m), Noon.AddHours(2));

        Assert.Equal((true, false, 20m), (first.Accepted, first.Replayed, first.Discount));
        Assert.Equal((false, 0m, false), (reused.Accepted, reused.Discount, reused.Replayed));
        Assert.Equal((CouponRefusals.RedemptionIdReused, "redemptionId"), (reused.Refusal!.Reason, reused.Refusal.Field));
        Assert.Equal(
            $"redemptionId: pos-S001-42 was already used to redeem coupon {CouponCodes.Tail(gift.Code)} at store S001 at 2026-11-23T05:00:00Z, order of 168.00 CNY; "
            + "a retry sends the same request for the same coupon, another redemption takes another redemptionId",
            reused.Refusal.Detail);
        Assert.DoesNotContain(gift.Code, reused.Refusal.Detail, StringComparison.Ordinal);
        Assert.Same(book, after);
        Assert.Equal(CouponStatuses.Issued, after.Find(other.Code)!.Status);
        Assert.Equal(other.Code, reused.Coupon!.Code);
    }

    [Fact]
    public void AnExactRetryStillReplaysAndANewIdStillRedeemsTheOtherCoupon()
    {
        var gift = Issue(WakeUpGift, grant: "a");
        var other = Issue(WakeUpGift, grant: "b");
        var (book, _) = BookWith(gift, other).Redeem(gift.Code, "R1", At("S001", 168m), Noon.AddHours(1));

        var (same, retry) = book.Redeem(gift.Code, "R1", At("S001", 168m), Noon.AddHours(2));
        var (next, fresh) = book.Redeem(other.Code, "R2", At("S001", 168m), Noon.AddHours(2));

        Assert.Equal((true, true, 20m, null), (retry.Accepted, retry.Replayed, retry.Discount, retry.Refusal));
        Assert.Same(book, same);
        Assert.Equal((true, false, 20m), (fresh.Accepted, fresh.Replayed, fresh.Discount));
        Assert.Equal(CouponStatuses.Redeemed, next.Find(other.Code)!.Status);
    }

    [Fact]
    public void TheIdIsNamedBeforeTheOtherCouponsOwnRefusalAndStaysUsedAfterAFullRefundRestoredItsCoupon()
    {
        // A coupon expired since answers "expired" to a new id; to the reused one it answers what the till got wrong.
        var gift = Issue(WakeUpGift, grant: "a");
        var other = Issue(new CouponTemplate { OfferId = "short", Kind = CouponKinds.NoThreshold, Value = 5m, ValidDays = 1 }, grant: "b");
        var (book, _) = BookWith(gift, other).Redeem(gift.Code, "R1", At("S001", 50m), Noon.AddHours(1));
        book = book.Replace(book.Find(gift.Code)! with { OrderId = "O-1" }); // the purchase naming it confirmed it by O-1
        var (restored, back) = book.RestoreForFullRefund("O-1", Noon.AddHours(3), restore: true);
        var late = other.ValidUntil.AddHours(1);

        var onExpired = restored.Redeem(other.Code, "R1", At("S001", 50m), late).Outcome;
        var newId = restored.Redeem(other.Code, "R9", At("S001", 50m), late).Outcome;
        var (afterRetry, retry) = restored.Redeem(gift.Code, "R1", At("S001", 50m), Noon.AddHours(4));

        Assert.Equal(gift.Code, Assert.Single(back).Code);
        Assert.Equal(CouponStatuses.Issued, restored.Find(gift.Code)!.Status);
        Assert.Equal((CouponRefusals.RedemptionIdReused, "redemptionId"), (onExpired.Refusal!.Reason, onExpired.Refusal.Field));
        Assert.Equal(CouponRefusals.Expired, newId.Refusal!.Reason);
        // The exact retry of the spent call on the restored coupon is its replay, not a reuse, and leaves it issued.
        Assert.Equal((true, true, 20m, null), (retry.Accepted, retry.Replayed, retry.Discount, retry.Refusal));
        Assert.Same(restored, afterRetry);
        Assert.Equal(CouponStatuses.Issued, afterRetry.Find(gift.Code)!.Status);
    }

    [Fact]
    public void AnIdAcceptedOnTwoCouponsBeforeThisRuleReplaysOnEachOnItsExactRetry()
    {
        // Old data: before ids were the member's, one id could redeem two coupons. Each exact retry is still that
        // coupon's replay (its own redemption answers first), never a 409 for the other coupon holding the id.
        var gift = Issue(WakeUpGift, grant: "a");
        var other = Issue(new CouponTemplate { OfferId = "five", Kind = CouponKinds.NoThreshold, Value = 5m, ValidDays = 14 }, grant: "b");
        var book = BookWith(gift, other);
        book = book.Replace(BookWith(gift).Redeem(gift.Code, "R1", At("S001", 168m), Noon.AddHours(1)).Book.Find(gift.Code)!);
        book = book.Replace(BookWith(other).Redeem(other.Code, "R1", At("S002", 90m), Noon.AddHours(2)).Book.Find(other.Code)!);

        var (afterFirst, first) = book.Redeem(gift.Code, "R1", At("S001", 168m), Noon.AddHours(3));
        var (afterSecond, second) = book.Redeem(other.Code, "R1", At("S002", 90m), Noon.AddHours(3));

        Assert.Equal((true, true, 20m, null), (first.Accepted, first.Replayed, first.Discount, first.Refusal));
        Assert.Equal((true, true, 5m, null), (second.Accepted, second.Replayed, second.Discount, second.Refusal));
        Assert.Same(book, afterFirst);
        Assert.Same(book, afterSecond);
    }

    [Fact]
    public void ACouponRedeemedBeforeRedemptionsWereKeptStillHoldsItsId()
    {
        var legacy = Issue(WakeUpGift, grant: "a").MoveTo(CouponStatuses.Redeemed, "redeemed at store S001 by redemption R1", Noon.AddHours(1))
            with { RedemptionId = "R1", StoreId = "S001" };
        var other = Issue(WakeUpGift, grant: "b");

        var reused = BookWith(legacy, other).Redeem(other.Code, "R1", At("S002", 90m), Noon.AddHours(2)).Outcome;

        Assert.Equal((CouponRefusals.RedemptionIdReused, "redemptionId"), (reused.Refusal!.Reason, reused.Refusal.Field));
        Assert.Equal(
            $"redemptionId: R1 was already used to redeem coupon {CouponCodes.Tail(legacy.Code)} at store S001 at 2026-11-23T05:00:00Z; "
            + "a retry sends the same request for the same coupon, another redemption takes another redemptionId",
            reused.Refusal.Detail);
    }

    [Fact]
    public void TheSameIdFromAnotherStoreOrWithAnotherAmountOnTheSameCouponNamesTheFieldThatDiffers()
    {
        var gift = Issue(WakeUpGift);
        var (book, _) = BookWith(gift).Redeem(gift.Code, "R1", At("S001", 168m), Noon.AddHours(1));

        var otherStore = book.Redeem(gift.Code, "R1", At("S002", 168m), Noon.AddHours(2)).Outcome;
        var otherAmount = book.Redeem(gift.Code, "R1", At("S001", 169m), Noon.AddHours(2)).Outcome;

        Assert.Equal((CouponRefusals.Used, "storeId"), (otherStore.Refusal!.Reason, otherStore.Refusal.Field));
        Assert.Equal((CouponRefusals.RedemptionIdReused, "orderAmount"), (otherAmount.Refusal!.Reason, otherAmount.Refusal.Field));
    }

    [Fact]
    public void OnTheMemberTheReuseSpendsNothingKeepsOneNoteDescribedInWordsAndItsRetryChangesNothing()
    {
        var member = new MemberState { MemberId = "M1", FirstSeenAt = Noon.AddDays(-60) };
        var first = MemberCoupons.Issue(member, WakeUpGift, "campaign:A", Offers, _options, Noon).Reply.Coupon!.Code;
        var second = MemberCoupons.Issue(member, WakeUpGift, "campaign:B", Offers, _options, Noon).Reply.Coupon!.Code;
        Assert.True(MemberCoupons.Redeem(member, first, "pos-S001-42", At("S001", 168m), _options, Noon.AddHours(1)).Reply.Accepted);
        var ledger = member.Ledger.Count;
        var outbox = member.Outbox.Count;

        var reused = MemberCoupons.Redeem(member, second, "pos-S001-42", At("S001", 168m), _options, Noon.AddHours(2));
        var again = MemberCoupons.Redeem(member, second, "pos-S001-42", At("S001", 168m), _options, Noon.AddHours(3));

        Assert.Equal(CouponRefusals.RedemptionIdReused, reused.Reply.Refusal!.Reason);
        Assert.True(reused.StateChanged); // the refusal note, as for any refusal of a held coupon
        Assert.False(again.StateChanged);
        Assert.Equal(CouponRefusals.RedemptionIdReused, again.Reply.Refusal!.Reason);
        Assert.Equal((ledger, outbox), (member.Ledger.Count, member.Outbox.Count)); // no coupon.redeem, no confirmation touch
        var coupon = MemberCoupons.Book(member).Find(second)!;
        Assert.Equal(CouponStatuses.Issued, coupon.Status);
        var note = Assert.Single(coupon.Refusals!);
        Assert.Equal("redemptionId", note.Field);
        Assert.Equal(
            "redemptionId pos-S001-42 had already redeemed another of the member's coupons; this order of 168.00 CNY takes a new redemptionId",
            note.Describe(coupon));
    }

    [Fact]
    public void TheIdIsRememberedAsLongAsItsCouponIsKeptAndNoLonger()
    {
        // The bound (docs/http-api.md "A coupon's life"): the ids live on the coupons they redeemed; once a spent coupon is forgotten
        // (SpentCouponsKeptDays after it was spent) its ids go with it and the same id redeems another coupon.
        var gift = Issue(WakeUpGift, grant: "a");
        var other = Issue(WakeUpGift, grant: "b");
        var (book, _) = BookWith(gift, other).Redeem(gift.Code, "R1", At("S001", 50m), Noon.AddHours(1));
        var spentAt = Noon.AddHours(1);

        var kept = book.ForgetSpentBefore(spentAt);
        var forgotten = book.ForgetSpentBefore(spentAt.AddTicks(1));

        Assert.Equal(CouponRefusals.RedemptionIdReused, kept.Redeem(other.Code, "R1", At("S001", 50m), Noon.AddHours(2)).Outcome.Refusal?.Reason);
        Assert.Null(forgotten.Find(gift.Code));
        Assert.True(forgotten.Redeem(other.Code, "R1", At("S001", 50m), Noon.AddHours(2)).Outcome.Accepted);
        Assert.Equal(CouponRefusals.NotFound, forgotten.Redeem(gift.Code, "R1", At("S001", 50m), Noon.AddHours(2)).Outcome.Refusal?.Reason);
    }
}
