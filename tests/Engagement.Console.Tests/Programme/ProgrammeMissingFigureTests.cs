using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// A programme figure the engine leaves null (ARPU, the repurchase rate: CONTRACT.md §5 divides by the period's distinct
/// purchasers) is shown as a dash with the reason beside it, in words, and the range that would give a figure.
/// </summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class ProgrammeMissingFigureTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task ARegionWhereNobodyBoughtShowsWhyArpuAndTheRepurchaseRateAreBlank()
    {
        // A region whose only member logged in today: active, but no purchaser in the 30 days shown.
        var region = "nf" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        var contributions = MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = region + "-m",
            EffectId = "e0",
            Day = today,
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions;
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("programme-region").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(region, new() { Exact = true }).ClickAsync();

        var arpu = page.GetByTestId("programme-tile").Filter(new() { HasText = "ARPU" });
        await Assertions.Expect(arpu).ToContainTextAsync("No member bought in these", new() { Timeout = WaitMs });
        Assert.Contains("—", await arpu.InnerTextAsync(), StringComparison.Ordinal);
        var repurchase = page.GetByTestId("programme-tile").Filter(new() { HasText = "Repurchase rate (distinct buyers)" });
        Assert.Contains("No member bought in these", await repurchase.InnerTextAsync(), StringComparison.Ordinal);

        // A figure the engine gives has no reason beside it (the activity tiles' caption is today so far, not a reason).
        var shares = page.GetByTestId("programme-tile").Filter(new() { HasText = "Share rate" });
        Assert.Equal(0, await shares.GetByTestId("programme-tile-why").CountAsync());
        await ScreenshotAsync(page, "programme-missing-figure");
    }
}
