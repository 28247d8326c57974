using Engagement.Domain.Offers;
using Engagement.Grains.Offers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Tests.Offers;

/// <summary>
/// The win-back L1 gift and the birthday coupon are issued on the tick without a stock check (docs/offers.md "Store
/// inventory", known limitation): a silo whose templates are tied to skus says so once at start, naming the settings.
/// </summary>
public sealed class OffersStockWarningTests
{
    [Fact]
    public async Task A_silo_whose_gift_or_birthday_coupon_names_skus_warns_once_at_start_naming_the_settings()
    {
        var offers = new OffersOptions { CouponSecret = "a-secret-that-must-not-be-logged-0123" };
        offers.WinBackGift = offers.WinBackGift! with { Scope = new() { Skus = ["SKU-TEA"] } };
        offers.BirthdayCoupon = offers.BirthdayCoupon! with { Scope = new() { Skus = ["SKU-CAKE"] } };

        var warning = Assert.Single(await StartWarningsAsync(offers));

        Assert.StartsWith("Offers: Engagement:Offers:WinBackGift:Scope:Skus and Engagement:Offers:BirthdayCoupon:Scope:Skus are set", warning, StringComparison.Ordinal);
        Assert.Contains("without a stock check", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("a-secret", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("SKU-TEA", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_without_skus_or_none_at_all_start_without_a_warning()
    {
        Assert.Empty(await StartWarningsAsync(new OffersOptions()));
        Assert.Empty(await StartWarningsAsync(new OffersOptions { WinBackGift = null, BirthdayCoupon = null }));
    }

    private static async Task<List<string>> StartWarningsAsync(OffersOptions offers)
    {
        var log = new WarningLog();
        await new OffersStockWarning(Options.Create(offers), log).StartAsync(CancellationToken.None);
        return log.Warnings;
    }

    /// <summary>The warning's log, keeping its warnings.</summary>
    private sealed class WarningLog : ILogger<OffersStockWarning>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
