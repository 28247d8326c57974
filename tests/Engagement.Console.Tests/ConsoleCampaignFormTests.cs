using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign create form sets what <c>POST /campaigns</c> takes (budget, arm weights, attribution window, the start
/// of the window), and each problem-details key shows under its own input.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleCampaignFormTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task TheFormStoresTheBudgetArmWeightsAttributionAndTheWindowTheMarketerPicked()
    {
        var id = "cf-" + Guid.NewGuid().ToString("N")[..10];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        // The cost is any offer's (a coupon, points, a benefit), and its help names the API's bounds, read from the contract.
        await Assertions.Expect(FieldOf(page, "f-cost")).ToContainTextAsync("Cost per grant (CNY)", new() { Timeout = WaitMs });
        await Assertions.Expect(FieldOf(page, "f-cost")).ToContainTextAsync(
            $"0–{Engagement.Contracts.Campaigns.CampaignDefinitions.MaxUnitCost.ToString("N0", CultureInfo.InvariantCulture)} CNY, at most {Engagement.Contracts.Campaigns.CampaignDefinitions.MoneyDecimals} decimals");
        await Assertions.Expect(FieldOf(page, "f-attribution")).ToContainTextAsync($"1–{Engagement.Contracts.Campaigns.CampaignDefinitions.MaxAttributionWindowDays};");

        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Budgeted");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("BUDGET7");
        await Input(page, "f-cost").FillAsync("7.5");
        await Input(page, "f-budget").FillAsync("300");
        await Input(page, "f-grants").FillAsync("40");
        await Input(page, "f-arm-weight-0").FillAsync("3");
        await Input(page, "f-attribution").FillAsync("14");

        // The start defaults to now in the programme's zone (the fixture's pinned clock, to the minute).
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var now = host.Clock.GetUtcNow();
        Assert.Equal(TimeZoneInfo.ConvertTime(now, shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), await Input(page, "f-from").InputValueAsync());

        // A window that is over is refused by the engine; the form says so in words, in the programme's zone, not a raw
        // UTC instant; fewer than one day is named before anything is sent.
        await Input(page, "f-days").FillAsync("0");
        await page.GetByTestId("campaign-create").ClickAsync();
        await Assertions.Expect(FieldOf(page, "f-days")).ToContainTextAsync("at least 1 day", new() { Timeout = WaitMs });
        await Input(page, "f-from").FillAsync("2020-01-01 09:00");
        await Input(page, "f-days").FillAsync("1");
        await page.GetByTestId("campaign-create").ClickAsync();
        await Assertions.Expect(FieldOf(page, "f-days")).ToContainTextAsync("would end 2020-01-02 09:00 (Asia/Shanghai), which has passed", new() { Timeout = WaitMs });
        Assert.DoesNotContain("T01:00:00", await FieldOf(page, "f-days").InnerTextAsync(), StringComparison.Ordinal);

        var from = TimeZoneInfo.ConvertTime(now.AddDays(2), shanghai).ToString("yyyy-MM-dd 10:00", CultureInfo.InvariantCulture);
        await Input(page, "f-from").FillAsync(from);
        await Input(page, "f-days").FillAsync("10");
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{id}");

        // The stored definition, as the API answers it.
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var stored = (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", ConsoleHostFixture.Json))!;
        var definition = (stored["definition"] ?? stored)!;
        Assert.Equal(300m, definition["budget"]!["maxCost"]!.GetValue<decimal>());
        Assert.Equal(40, definition["budget"]!["maxGrants"]!.GetValue<long>());
        Assert.Equal([3d, 1d], definition["arms"]!.AsArray().Select(a => a!["weight"]!.GetValue<double>()));
        Assert.Equal(14, definition["attributionWindowDays"]!.GetValue<int>());
        Assert.Equal(7.5m, definition["offer"]!["unitCost"]!.GetValue<decimal>());
        var validFrom = DateTimeOffset.Parse(definition["validFrom"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(DateTimeOffset.ParseExact(from + " +08:00", "yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture), validFrom);
        Assert.Equal(validFrom.AddDays(10), DateTimeOffset.Parse(definition["validUntil"]!.GetValue<string>(), CultureInfo.InvariantCulture));

        // The campaign page's header names what was stored.
        await Assertions.Expect(page.GetByTestId("campaign-budget")).ToContainTextAsync("Budget 300.00 CNY: 0.00 reserved, 300.00 left", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("campaign-window")).ToContainTextAsync($"{from} – ", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("campaign-attribution")).ToContainTextAsync("14 days");
        await Assertions.Expect(page.GetByTestId("campaign-offer")).ToContainTextAsync("BUDGET7");
    }

    [Fact]
    public async Task EachProblemDetailsKeyShowsUnderItsOwnInput()
    {
        var id = "ce-" + Guid.NewGuid().ToString("N")[..10];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Typos");
        await Input(page, "f-regions").FillAsync(new string('r', 65) + ", north"); // over 64 code points: no region
        await Input(page, "f-tiers").FillAsync("V9");
        await Input(page, "f-coupon").FillAsync("TYPO");
        await Input(page, "f-cost").FillAsync("-5");
        await Input(page, "f-arm-weight-1").FillAsync("0");
        await Input(page, "f-budget").FillAsync("-1");
        await page.GetByTestId("campaign-create").ClickAsync();

        await Assertions.Expect(FieldOf(page, "f-regions")).ToContainTextAsync("audience.regions[0]", new() { Timeout = WaitMs });
        await Assertions.Expect(FieldOf(page, "f-tiers")).ToContainTextAsync("audience.tiers[0]");
        await Assertions.Expect(FieldOf(page, "f-cost")).ToContainTextAsync("offer.unitCost");
        await Assertions.Expect(FieldOf(page, "f-cost")).ToContainTextAsync("Cost per grant");
        await Assertions.Expect(FieldOf(page, "f-arm-weight-1")).ToContainTextAsync("arms[1].weight");
        await Assertions.Expect(FieldOf(page, "f-budget")).ToContainTextAsync("budget.maxCost");
        Assert.DoesNotContain("tiers", await FieldOf(page, "f-regions").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("offer", await FieldOf(page, "f-coupon").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("arms", await FieldOf(page, "f-arm-weight-0").InnerTextAsync(), StringComparison.Ordinal);
    }

    // Arm b's weight is refused either by the API (0: "arms[1].weight") or by the form's own check before any request
    // ("abc": "not a number"); both kinds of error are the arms' and are cleared when the arms are renumbered.
    [Theory]
    [InlineData("0", "arms[1].weight", "arms[")]
    [InlineData("abc", "not a number", "not a number")]
    public async Task AddingOrRemovingAnArmClearsTheArmsErrorsWhichNoLongerNameTheArmShown(string weight, string error, string stale)
    {
        var id = "ca-" + Guid.NewGuid().ToString("N")[..10];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Arms");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("ARMS");
        await Input(page, "f-arm-weight-1").FillAsync(weight);
        await page.GetByTestId("campaign-create").ClickAsync();
        await Assertions.Expect(FieldOf(page, "f-arm-weight-1")).ToContainTextAsync(error, new() { Timeout = WaitMs });

        // Arms a, b (the refused weight), c; removing a makes c the arm at index 1, whose weight (1) is fine: the error the API gave
        // for b must not show under it, nor stay in the list.
        await page.GetByTestId("f-arm-add").ClickAsync();
        await Assertions.Expect(Input(page, "f-arm-name-2")).ToHaveValueAsync("c", new() { Timeout = WaitMs });
        await page.GetByTestId("f-arm-remove-0").ClickAsync();
        await Assertions.Expect(Input(page, "f-arm-name-1")).ToHaveValueAsync("c", new() { Timeout = WaitMs });
        await Assertions.Expect(Input(page, "f-arm-weight-1")).ToHaveValueAsync("1");
        await Assertions.Expect(FieldOf(page, "f-arm-weight-1")).Not.ToContainTextAsync(stale);
        await Assertions.Expect(FieldOf(page, "f-arm-weight-0")).Not.ToContainTextAsync(stale);
        Assert.DoesNotContain(error, await page.GetByTestId("campaign-form").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("f-budget", "300元", "not a number")]
    [InlineData("f-cost", "７.５", "not a number")]
    [InlineData("f-arm-weight-0", "abc", "not a number")]
    [InlineData("f-control", "0,1", "not a number")]
    [InlineData("f-grants", "40个", "not a whole number")]
    [InlineData("f-attribution", "7.5", "not a whole number")]
    [InlineData("f-days", "十", "not a whole number")]
    public async Task ANumberThatIsNotOneIsNamedUnderItsInputAndNothingIsCreated(string input, string typed, string named)
    {
        var id = "cn-" + Guid.NewGuid().ToString("N")[..10];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Unreadable");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("NAN");
        await Input(page, input).FillAsync(typed);
        await Input(page, input).BlurAsync();
        await page.GetByTestId("campaign-create").ClickAsync();

        await Assertions.Expect(FieldOf(page, input)).ToContainTextAsync(named, new() { Timeout = WaitMs });
        Assert.EndsWith("/console/campaigns", page.Url, StringComparison.Ordinal);
        Assert.Equal(typed, await Input(page, input).InputValueAsync());
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        using var answer = await api.GetAsync($"api/v1/campaigns/{id}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
    }

    // The MudBlazor field around an input: its label, helper text and error text.
    private static ILocator FieldOf(IPage page, string testId) =>
        Input(page, testId).Locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' mud-input-control ')][1]");
}
