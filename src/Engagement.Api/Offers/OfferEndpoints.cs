using Engagement.Contracts.Offers;
using Engagement.Domain.Offers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Api.Offers;

/// <summary>Registers the offer endpoints (catalogue, stock, inventory, point value, coupons) and their services.</summary>
public static class OfferEndpoints
{
    /// <summary>The catalogue redemption service and its member side (<see cref="IRewardPointsSide"/>, replaceable).</summary>
    public static IServiceCollection AddEngagementOfferServices(this IServiceCollection services)
    {
        services.TryAddSingleton<IRewardPointsSide, MemberGrainRewardPointsSide>();
        services.TryAddSingleton<CatalogueRedemptions>();
        return services;
    }

    public static IEndpointRouteBuilder MapOfferEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapCatalogueEndpoints();
        routes.MapInventoryEndpoints();
        routes.MapPointValueEndpoints();
        routes.MapCouponEndpoints();
        return routes;
    }
}

/// <summary>Checks of a coupon grant on the wire, by the domain's template rules.</summary>
internal static class CouponGrants
{
    public static IEnumerable<(string Field, string Message)> Validate(CouponGrant grant) =>
        new CouponTemplate
        {
            OfferId = grant.OfferId,
            Kind = grant.Kind,
            Value = grant.Value,
            MinSpend = grant.MinSpend,
            Gift = grant.Gift,
            ValidDays = grant.ValidDays,
            Scope = new CouponScope { Regions = grant.Regions, Stores = grant.Stores, Skus = grant.Skus, Categories = grant.Categories },
        }.Validate();
}
