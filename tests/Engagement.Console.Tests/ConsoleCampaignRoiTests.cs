using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign page shows what <c>GET /campaigns/{id}/results</c> answers beyond conversion: each arm's cost and ROI, and
/// all arms against the global control with its interval, the same numbers, rounded as the API's own rules say (CNY to
/// the fen, half away from zero; ROI and uplift in percent to one decimal).
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignRoiTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "All arms vs global control", "Sent|Deferred|Suppressed", "ROI (%)")]
    [InlineData("zh-CN", "全部实验组 对比 全局对照组", "已发送|已延迟|已抑制", "投资回报率（%）")]
    public async Task EachArmsCostAndRoiAndTheGlobalControlComparisonAreTheApisNumbers(string locale, string globalLabel, string touchHeaders, string roiHeader)
    {
        var (id, results) = await CampaignResultsSetup.RunAsync(host, "roi", members: 60, controlShare: 0.2, everyNth: 3, buyers: 20, minGlobalControl: 2);
        Assert.True(results["globalControl"]!["audience"]!.GetValue<long>() >= 2);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        await Assertions.Expect(page.GetByTestId("campaign-results")).ToBeVisibleAsync(new() { Timeout = WaitMs });

        // Per arm: cost in CNY and ROI, as the API computed them.
        var arms = results["arms"]!.AsArray();
        Assert.Contains(arms, a => a!["cost"]!.GetValue<decimal>() > 0);
        foreach (var arm in arms)
        {
            var row = page.GetByTestId("result-row").Filter(new() { Has = page.Locator($"[data-group='{arm!["name"]!.GetValue<string>()}']") });
            Assert.Equal(Cny(arm["cost"]!.GetValue<decimal>()), (await row.GetByTestId("result-cost").InnerTextAsync()).Trim());
            Assert.Equal(Percent(arm["roi"]?.GetValue<double>()), (await row.GetByTestId("result-roi").InnerTextAsync()).Trim());
        }

        // Every group's sent, deferred and suppressed, under their own headers, so its cost can be reconciled.
        var headers = (await page.GetByTestId("campaign-results").Locator("thead th").AllInnerTextsAsync()).Select(h => h.Trim()).ToList();
        foreach (var header in touchHeaders.Split('|'))
        {
            Assert.Contains(header, headers);
        }

        // The console's ROI is a percentage, the API's a fraction: the header says which this is.
        Assert.Contains(roiHeader, headers);

        foreach (var group in arms.Select(a => a!).Append(results["control"]!).Append(results["globalControl"]!))
        {
            var row = page.GetByTestId("result-row").Filter(new() { Has = page.Locator($"[data-group='{group["name"]!.GetValue<string>()}']") });
            Assert.Equal(group["sent"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), (await row.GetByTestId("result-sent").InnerTextAsync()).Trim());
            Assert.Equal(group["deferred"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), (await row.GetByTestId("result-deferred").InnerTextAsync()).Trim());
            Assert.Equal(group["suppressed"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), (await row.GetByTestId("result-suppressed").InnerTextAsync()).Trim());
        }

        // All arms against the global control (members are in it), with its 95% interval, as the API computed it.
        var global = page.GetByTestId("global-control-uplift");
        var shown = (await global.InnerTextAsync()).Trim();
        Assert.StartsWith(globalLabel, shown, StringComparison.Ordinal);
        var u = Assert.IsType<JsonObject>(results["treatedVsGlobalControl"]);
        var expected = string.Create(CultureInfo.InvariantCulture,
            $"{u["difference"]!.GetValue<double>() * 100:+0.0;-0.0;0.0} pp [{u["low"]!.GetValue<double>() * 100:0.0}, {u["high"]!.GetValue<double>() * 100:0.0}]");
        Assert.Contains(expected, shown, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("global-control-missing").CountAsync());
    }

    private static string Cny(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(double? value) =>
        value is { } v ? (v * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "–";
}
