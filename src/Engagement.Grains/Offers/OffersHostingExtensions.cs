using Engagement.Domain.Offers;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>Registers the offer side (coupons, catalogue, stock, point value) on a silo.</summary>
public static class OffersHostingExtensions
{
    /// <summary>
    /// Binds <see cref="OffersOptions"/> from <c>Engagement:Offers</c>, validated at start, and the member outbox's handler
    /// of coupon codes (<see cref="CouponDirectoryHandler"/>). The grains use the silo's grain storage (<c>engagement</c>);
    /// the code directory is <see cref="ICouponCodeDirectory"/>: in memory unless the host registers one (the Azure
    /// storage hosting registers its table, whichever is called first).
    /// </summary>
    public static ISiloBuilder AddEngagementOffers(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<OffersOptions>()
            .Bind(configuration.GetSection(OffersOptions.SectionName))
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OffersOptions>, OffersOptionsValidator>());
        builder.Services.TryAddSingleton<ICouponCodeDirectory, InMemoryCouponCodeDirectory>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Members.Effects.IMemberEffectHandler, CouponDirectoryHandler>());
        return builder;
    }

    private sealed class OffersOptionsValidator : IValidateOptions<OffersOptions>
    {
        public ValidateOptionsResult Validate(string? name, OffersOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => OffersOptions.SectionName + ": " + e));
        }
    }
}
