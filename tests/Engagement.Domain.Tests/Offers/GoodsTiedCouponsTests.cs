using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using static Engagement.Domain.Tests.Offers.CouponTestKit;

namespace Engagement.Domain.Tests.Offers;

/// <summary>When a touch's coupon tied to skus must find stock near the member first, and what is held back without it.</summary>
public sealed class GoodsTiedCouponsTests
{
    private static readonly CouponTemplate Gift = WakeUpGift with { Scope = new CouponScope { Skus = ["SKU-GIFT"] } };

    private static readonly OffersOptions Offers = new() { CouponSecret = Secret, WinBackGift = Gift, BirthdayCoupon = null };

    private readonly ProgramOptions _options = new();

    private TouchRequest L1 => new() { Kind = _options.Lifecycle.Level1.Kind, Channel = "push", Level = 1, DedupeKey = "2026-11-23" };

    [Fact]
    public void AnL1GiftTiedToSkusIsHeldBackOnlyWhenItsTemplateIsOutOfStockAndItsGrantIsNotHeld()
    {
        var member = new MemberState { MemberId = "M1" };

        Assert.Equal("winback:L1:2026-11-23", GoodsTiedCoupons.HeldBackGrant(member, L1, Offers, _options, t => ReferenceEquals(t, Gift)));
        Assert.Null(GoodsTiedCoupons.HeldBackGrant(member, L1, Offers, _options, _ => false));
        Assert.Null(GoodsTiedCoupons.HeldBackGrant(member, L1 with { Kind = "points.expiry-notice", Level = null }, Offers, _options, _ => true));

        // The grant's coupon already held (a retried tick): it is the grant's, whatever the stock.
        MemberCoupons.Issue(member, Gift, "winback:L1:2026-11-23", Offers, _options, Noon);
        Assert.Null(GoodsTiedCoupons.HeldBackGrant(member, L1, Offers, _options, _ => true));
    }

    [Fact]
    public void ACouponWithoutSkusNeverNeedsStock()
    {
        var member = new MemberState { MemberId = "M1" };
        var plain = new OffersOptions { CouponSecret = Secret, WinBackGift = WakeUpGift, BirthdayCoupon = null };

        Assert.False(GoodsTiedCoupons.NeedsStock(member, [], "g1", Offers));
        Assert.Null(GoodsTiedCoupons.HeldBackGrant(member, L1, plain, _options, _ => true));
        Assert.True(GoodsTiedCoupons.NeedsStock(member, ["SKU-GIFT"], "g1", Offers));
    }
}
