using Engagement.Domain.Offers;
using Microsoft.Extensions.Options;

namespace Engagement.Silo;

/// <summary>
/// Says at start, as an Error, that a silo outside Development has no <c>Engagement:Offers:CouponSecret</c> (docs/production.md,
/// "Settings every production silo needs"). Such a silo runs, but issues no coupon: an API grant
/// answers 409 problem details naming the setting, a campaign's coupon offer grants nothing (its delivery records that
/// reason), and the win-back L1 and birthday touches go out without their coupon; before this, nothing in the log said so. Development has its own secret
/// (<c>appsettings.Development.json</c>) and stays silent.
/// </summary>
public sealed partial class CouponSecretCheck(IHostEnvironment environment, IOptions<OffersOptions> offers, ILogger<CouponSecretCheck> logger) : IHostedService
{
    /// <summary>The setting checked.</summary>
    public const string Setting = OffersOptions.SectionName + ":CouponSecret";

    /// <summary>Adds the check (a hosted service that logs once at start and does nothing else).</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHostedService<CouponSecretCheck>();
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() && !offers.Value.CanIssue)
        {
            LogMissing(logger, Setting, CouponCodes.MinSecretLength);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} is not set: this silo issues no coupons (API grants answer 409, campaign coupon offers grant nothing, win-back and birthday touches go out without their coupon). Set it to a secret of at least {MinLength} characters, the same on every silo, and never change it")]
    private static partial void LogMissing(ILogger logger, string setting, int minLength);
}
