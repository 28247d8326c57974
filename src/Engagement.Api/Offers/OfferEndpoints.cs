using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Api.Offers;

/// <summary>Registers the offer endpoints (catalogue, stock, inventory, point value, coupons, benefit bookings) and their services.</summary>
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
        routes.MapBenefitEndpoints();
        return routes;
    }
}
