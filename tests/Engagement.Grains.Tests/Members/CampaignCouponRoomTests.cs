using Engagement.Contracts.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Members;

namespace Engagement.Grains.Tests.Members;

/// <summary>A campaign never announces a coupon it could not issue: a member whose coupon book is full is suppressed, naming why.</summary>
public sealed class CampaignCouponRoomTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero); // 12:00 in Shanghai

    [Fact]
    public void AMemberWithAFullCouponBookIsSuppressedAndHoldsNoNewCoupon()
    {
        var offers = new OffersOptions { CouponSecret = "campaign-room-tests-secret-0123456789", MaxCouponsPerMember = 1 };
        var options = new ProgramOptions();
        var state = new MemberState { MemberId = "M-FULL" };
        var held = MemberCoupons.Issue(state, new CouponTemplate { OfferId = "goodwill", Kind = CouponKinds.NoThreshold, Value = 10m, ValidDays = 30 }, "goodwill-1", offers, options, Noon);
        Assert.Equal(CouponIssueStatus.Issued, held.Reply.Status);
        var delivery = new CampaignDelivery
        {
            CampaignId = "C-W20", Group = CampaignGroups.Arm, Arm = "A", Channel = "push", ValidUntil = Noon.AddDays(7),
            Offer = new CampaignOffer { Kind = OfferKinds.Coupon, Code = "W20", UnitCost = 20m },
        };

        var membership = CampaignDeliveries.Apply(new MemberContext("M-FULL", state, options, Noon) { Offers = offers }, delivery, checkAudience: false);

        Assert.Equal(TouchDecisions.Suppressed, membership.Outcome);
        var touch = Assert.Single(TouchGovernor.History(state), t => t.CampaignId == "C-W20");
        Assert.Contains("coupon book full", touch.Reason, StringComparison.Ordinal);
        Assert.Null(touch.CouponCode);
        Assert.Single(MemberCoupons.Book(state).Coupons);
    }
}
