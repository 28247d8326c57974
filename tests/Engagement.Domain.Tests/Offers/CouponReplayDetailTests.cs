using Engagement.Domain.Offers;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>
/// A replayed coupon redemption (the same redemptionId again) describes the redemption replayed — its store, order,
/// order amount, discount and when — and apart from it what the coupon is now, never the coupon's present status reason
/// as if it were the replayed call's (it answered "restored: order … refunded", later "redeemed … by redemption R2").
/// </summary>
public class CouponReplayDetailTests
{
    [Fact]
    public void AReplayAfterARefundRestoredTheCouponAndAnotherRedemptionUsedItDescribesTheReplayedRedemption()
    {
        var coupon = Issue(WakeUpGift);
        var first = BookWith(coupon).Redeem(coupon.Code, "R1", At("S001", 80m), Noon);
        var confirmed = first.Book.ConfirmByPurchase(coupon.Code, "O1", At("S001", 80m), Noon.AddMinutes(1)).Book;
        var restored = confirmed.RestoreForFullRefund("O1", Noon.AddHours(2), restore: true).Book;
        var afterRefund = restored.Redeem(coupon.Code, "R1", At("S001", 80m), Noon.AddHours(3)).Outcome;
        var usedAgain = restored.Redeem(coupon.Code, "R2", At("S001", 90m), Noon.AddHours(4)).Book;
        var afterReuse = usedAgain.Redeem(coupon.Code, "R1", At("S001", 80m), Noon.AddHours(5)).Outcome;

        Assert.True(afterRefund.Replayed);
        Assert.Equal(("R1", "S001", 80m, 20m, Noon), (afterRefund.Redemption!.RedemptionId, afterRefund.Redemption.StoreId, afterRefund.Redemption.OrderAmount, afterRefund.Redemption.Discount, afterRefund.Redemption.At));
        Assert.Equal("O1", CouponReplays.OrderOf(afterRefund.Coupon!, afterRefund.Redemption));
        Assert.StartsWith("replayed: redemption R1 redeemed this coupon at store S001 at 2026-11-23T04:00:00Z, order O1 of 80.00 CNY, discount 20.00 CNY; since then: issued (restored: order O1 was refunded in full", afterRefund.ReplayDetail, StringComparison.Ordinal);
        Assert.False(CouponReplays.StillHolds(afterRefund.Coupon!, afterRefund.Redemption));

        Assert.True(afterReuse.Replayed);
        Assert.Equal(20m, afterReuse.Discount);
        Assert.Equal("O1", CouponReplays.OrderOf(afterReuse.Coupon!, afterReuse.Redemption!));
        Assert.StartsWith("replayed: redemption R1 redeemed this coupon at store S001 at 2026-11-23T04:00:00Z, order O1 of 80.00 CNY, discount 20.00 CNY; since then: redeemed (redeemed at store S001 by redemption R2", afterReuse.ReplayDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplayOfTheRedemptionStillHoldingTheCouponSaysNothingChanged()
    {
        var coupon = Issue(WakeUpGift);
        var book = BookWith(coupon).Redeem(coupon.Code, "R1", At("S001", 80m), Noon).Book;

        var replay = book.Redeem(coupon.Code, "R1", At("S001", 80m), Noon.AddMinutes(5)).Outcome;

        Assert.True(CouponReplays.StillHolds(replay.Coupon!, replay.Redemption!));
        Assert.Equal("replayed: redemption R1 redeemed this coupon at store S001 at 2026-11-23T04:00:00Z, order of 80.00 CNY, discount 20.00 CNY", replay.ReplayDetail);
    }
}
