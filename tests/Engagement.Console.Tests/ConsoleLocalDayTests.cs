using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Pages that count days count the programme's local days (Asia/Shanghai), also when UTC is still on the day before.</summary>
[Collection(EveningConsoleHostCollection.Name)]
public sealed class ConsoleLocalDayTests(EveningConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task TheWinBackReportEndsOnTheProgrammesLocalDayAsTheApiDoes()
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var report = await api.GetFromJsonAsync<JsonObject>("api/v1/reports/winback", ConsoleHostFixture.Json);
        Assert.Equal("2026-03-11", report!["to"]!.GetValue<string>());

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/operations");
        var title = page.GetByTestId("winback-report").Locator("h6").First;
        Assert.Equal("Win-back report 2025-12-12 – 2026-03-11", (await title.InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task TodaySoFarOnAllRegionsNamesItsFiguresDayAndTheZonesOnAnotherDate()
    {
        // 20:00 UTC: Shanghai is on 2026-03-11, region ny (America/New_York) still on 2026-03-10. The range ends on
        // Shanghai's today, so the part-day figure is 2026-03-11's: New York's activity today (03-10) is not in it. The
        // last day complete in every zone is 2026-03-09.
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        var tile = page.GetByTestId("programme-tile").Filter(new() { HasText = "DAU · WAU · MAU" });
        await tile.GetByTestId("programme-tile-why").WaitForAsync(new() { Timeout = WaitMs });
        Assert.StartsWith(
            "2026-03-09, the last complete day · today so far (2026-03-11; America/New_York still on 2026-03-10, not in this figure): ",
            await tile.GetByTestId("programme-tile-why").InnerTextAsync(),
            StringComparison.Ordinal);

        // A region's own zone has one part-day: its date alone.
        await GoAsync(page, $"console/programme?region={EveningConsoleHostFixture.NewYork}");
        var regionTile = page.GetByTestId("programme-tile").Filter(new() { HasText = "DAU · WAU · MAU" });
        await Microsoft.Playwright.Assertions.Expect(regionTile.GetByTestId("programme-tile-why")).ToContainTextAsync("today so far (2026-03-10): ", new() { Timeout = WaitMs });
    }

    [Fact]
    public async Task TodaySoFarOnAllRegionsForARangeEndingOnTheDayBehindNamesThatDayNotShanghaisToday()
    {
        // A range ending 2026-03-10: still a part-day (New York's today), so "today so far" is 03-10's figure. Its
        // caption names 03-10, and Shanghai, already on 03-11, as not in it (it used to lead with "2026-03-11 Asia/Shanghai").
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme?from=2026-03-04&to=2026-03-10");
        var tile = page.GetByTestId("programme-tile").Filter(new() { HasText = "DAU · WAU · MAU" });
        await tile.GetByTestId("programme-tile-why").WaitForAsync(new() { Timeout = WaitMs });
        Assert.StartsWith(
            "2026-03-09, the last complete day · today so far (2026-03-10; Asia/Shanghai already on 2026-03-11, not in this figure): ",
            await tile.GetByTestId("programme-tile-why").InnerTextAsync(),
            StringComparison.Ordinal);
    }
}
