using Engagement.Domain.Offers;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Offers;

/// <summary>Registers the offer side (coupons, catalogue, stock, point value) on a silo.</summary>
public static class OffersHostingExtensions
{
    /// <summary>
    /// Binds <see cref="OffersOptions"/> from <c>Engagement:Offers</c>, validated at start (and warned about once at start
    /// when the win-back gift or birthday coupon is tied to skus, <see cref="OffersStockWarning"/>), and the member outbox's handler
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
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OffersStockWarning>());
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

/// <summary>
/// Logs once, when the silo starts, that the win-back L1 gift or the birthday coupon is tied to skus but issued without a
/// stock check (<see cref="OffersOptions.UncheckedStockWarning"/>; docs/offers.md "Store inventory").
/// </summary>
internal sealed partial class OffersStockWarning(IOptions<OffersOptions> offers, ILogger<OffersStockWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (offers.Value.UncheckedStockWarning() is { } warning)
        {
            LogUnchecked(logger, warning);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offers: {Warning}")]
    private static partial void LogUnchecked(ILogger logger, string warning);
}
