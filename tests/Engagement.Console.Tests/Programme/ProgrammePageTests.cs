using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>The programme health page in Debian's Chromium, fed through the aggregators as the member outbox does.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ProgrammePageTests(ConsoleHostFixture host)
{
    [Fact]
    public async Task SupportSeesTheProgrammesNumbersChartsAndSegments()
    {
        var region = "ui" + Guid.NewGuid().ToString("N")[..6];
        var today = new MetricsOptions().LocalDay(ConsoleHostFixture.Now, region);
        var contributions = new[] { "login", "purchase", "share" }.SelectMany((type, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = today,
            EventType = type,
            Joined = true,
            FirstPurchase = type == "purchase",
            Revenue = type == "purchase" ? 268.50m : 0m,
            PointsIssued = type == "purchase" ? 536 : 0,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = type == "purchase" ? 536 : 0 },
        }, new MetricsOptions()).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        Assert.True(await page.GetByTestId("nav-programme").IsVisibleAsync());
        await GoAsync(page, "console/programme");

        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(10, await page.GetByTestId("programme-tile").CountAsync());
        Assert.True(await page.GetByTestId("programme-trend").Locator("svg").CountAsync() > 0);
        Assert.Contains("Outstanding", await page.GetByTestId("programme-points").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("exactly once", await page.GetByTestId("programme-how-counted").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "programme-health");
    }
}
