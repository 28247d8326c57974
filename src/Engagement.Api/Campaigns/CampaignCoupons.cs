using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;

namespace Engagement.Api.Campaigns;

/// <summary>
/// The coupons a campaign definition's offers describe, checked by the domain's <see cref="CouponTemplate.Validate"/>
/// when the campaign is created (CONTRACT.md §2.1: an offer is fulfilled, not only announced): a threshold coupon whose
/// minimum spend is not above its value, a percent of 150, validDays 0. Named as fields of the definition
/// (<c>offer.coupon.minSpend</c>, <c>arms[1].offer.coupon.skus</c>) beside every other bad field of the request. The
/// campaign grain checks the same on its own (<c>CampaignMapping.CouponErrors</c>), for callers other than the API.
/// </summary>
public static class CampaignCoupons
{
    /// <summary>Every problem of the definition's coupons (none when it has none, or is null); null scope lists read as empty.</summary>
    public static IEnumerable<CampaignFieldError> Errors(CampaignDefinition? definition) =>
        definition is null
            ? []
            : from offer in CampaignDefinitions.Coupons(definition)
              from error in TemplateOf(offer.Coupon).Validate()
              select new CampaignFieldError(CampaignDefinitions.CouponField(offer.Field, error.Field), error.Message);

    private static CouponTemplate TemplateOf(CouponGrant coupon) => new()
    {
        OfferId = coupon.OfferId ?? "",
        Kind = coupon.Kind ?? "",
        Value = coupon.Value,
        MinSpend = coupon.MinSpend,
        Gift = coupon.Gift,
        ValidDays = coupon.ValidDays,
        Scope = new CouponScope { Regions = coupon.Regions ?? [], Stores = coupon.Stores ?? [], Skus = coupon.Skus ?? [], Categories = coupon.Categories ?? [] },
    };
}
