using Engagement.Contracts.Campaigns;
using Engagement.Domain.Offers;
using Engagement.Domain.Touches;
using Engagement.Grains.Offers;

namespace Engagement.Grains.Members;

/// <summary>
/// A campaign's offer made real for one member of an arm (CONTRACT.md §2.1; rules in <see cref="OfferFulfilment"/>):
/// a coupon in the member's book, a points lot with its ledger entry, or a benefit grant; and the stock check that holds
/// back a goods-tied coupon where the member's store has none of its goods.
/// </summary>
public static class CampaignOffers
{
    /// <summary>
    /// True when the delivery's offer is a coupon tied to skus and no store near the member has any of them in stock
    /// (<see cref="CouponStock.InStockNearAsync"/>): the member is held back, so nobody holds a coupon no store near them
    /// can honour.
    /// </summary>
    public static async Task<bool> HeldBackForStockAsync(IGrainFactory grains, MemberContext member, CampaignDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.Group != CampaignGroups.Arm || delivery.Offer is not { Kind: OfferKinds.Coupon, Coupon: { Skus.Count: > 0 } coupon })
        {
            return false;
        }

        return !await CouponStock.InStockNearAsync(grains, member.Member, member.Now, coupon.Skus);
    }

    /// <summary>
    /// Why the delivery's coupon could not be issued, decided before its touch: the member's coupon book is full of live
    /// coupons (<see cref="OffersOptions.MaxCouponsPerMember"/>), so the touch would announce a coupon never issued. Null
    /// when there is room, the grant is a retry of one held, or the offer is no coupon.
    /// </summary>
    public static string? NoRoomReason(MemberContext member, CampaignDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Offer is { Kind: OfferKinds.Coupon } && member.Offers is { CanIssue: true } offers
            && !MemberCoupons.Book(member.Member).HasRoomFor("campaign:" + delivery.CampaignId, offers.MaxCouponsPerMember)
            ? $"coupon book full: the member holds {offers.MaxCouponsPerMember} live coupons, the most allowed; the campaign's coupon cannot be issued"
            : null;
    }

    /// <summary>
    /// Grants the delivery's offer after the arm's touch was decided: only a sent or deferred touch holds a grant (what
    /// the campaign's budget counts); a suppressed one grants nothing. The coupon's code rides on the touch
    /// (CONTRACT.md §3 <c>couponCode</c>); its ledger entries are dated at <see cref="MemberContext.OccurredAt"/> when an
    /// event fired the campaign, or at <see cref="MemberContext.TierReachedAt"/> when later and the audience names tiers. Returns the grant, or null when nothing was granted.
    /// </summary>
    public static OfferGrant? Grant(MemberContext member, CampaignDelivery delivery, TouchDecision touch)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(touch);
        if (delivery.Offer is not { } offer || member.Offers is not { } offers || touch.Decision == TouchDecisions.Suppressed)
        {
            return null;
        }

        var template = offer.Coupon?.ToTemplate();
        if (template?.Validate() is { Count: > 0 } errors)
        {
            return new OfferGrant(offer.Kind, null, 0, "the offer's coupon is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")), []);
        }

        var grant = OfferFulfilment.Campaign(member.Member, delivery.CampaignId, offer.Kind, offer.Code, offer.UnitCost, offer.Points, template, offers, member.Options, member.Now,
            OfferFulfilment.EffectiveAt(member.OccurredAt, member.TierReachedAt, delivery.Audience.Tiers, member.TierReachedFrom));
        if (grant.CouponCode is { } code)
        {
            TouchGovernor.AttachCoupon(member.Member, touch.TouchId, code);
        }

        return grant;
    }
}
