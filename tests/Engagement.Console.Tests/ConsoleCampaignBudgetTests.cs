using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign header's budget: money with its digits grouped, as the rest of the console shows CNY, and "approximate"
/// only while the campaign is being sent, never on a draft or a completed campaign whose figures stand.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignBudgetTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "Budget 1,000,000.00 CNY: 0.00 reserved, 1,000,000.00 left", "approximate")]
    [InlineData("zh-CN", "预算 1,000,000.00 元：已预留 0.00，剩余 1,000,000.00", "近似")]
    public async Task ADraftsBudgetIsGroupedAndNotCalledApproximate(string locale, string budget, string approximate)
    {
        var id = "bd-" + Guid.NewGuid().ToString("N")[..10];
        using var api = await CreateAsync(id);

        var text = await BudgetTextAsync(id, locale, "draft");
        Assert.Contains(budget, text, StringComparison.Ordinal);
        Assert.DoesNotContain(approximate, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "left", "approximate")]
    [InlineData("zh-CN", "剩余", "近似")]
    public async Task ACompletedCampaignsBudgetIsNotCalledApproximate(string locale, string left, string approximate)
    {
        var id = "bc-" + Guid.NewGuid().ToString("N")[..10];
        using var api = await CreateAsync(id);

        // An audience nobody is in: the fan-out completes at once, and nothing more will be reserved.
        (await api.PostAsync($"api/v1/campaigns/{id}/trigger", null)).Dispose();
        await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", ConsoleHostFixture.Json))!,
            c => c["status"]!.GetValue<string>() == "completed", WaitTime, $"campaign {id} completed");

        var text = await BudgetTextAsync(id, locale, "completed");
        Assert.Contains(left, text, StringComparison.Ordinal);
        Assert.DoesNotContain(approximate, text, StringComparison.Ordinal);
    }

    // A broadcast with a budget of 1 000 000 CNY whose audience is a region no member is in; the client is marketing's.
    private async Task<HttpClient> CreateAsync(string id)
    {
        var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();
        using var created = await api.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Budget " + id,
            kind = "broadcast",
            audience = new { regions = new[] { "nowhere-" + id } },
            channel = "sms",
            offer = new { kind = "coupon", code = "BG5", unitCost = 5m },
            budget = new { maxCost = 1000000m },
            validFrom = now,
            validUntil = now.AddDays(7),
        }, ConsoleHostFixture.Json);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return api;
    }

    // The campaign header's budget line as marketing reads it in the locale, once the page shows the campaign's status.
    private async Task<string> BudgetTextAsync(string id, string locale, string status)
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        var statusText = status == "draft" ? (locale == "zh-CN" ? "草稿" : "draft") : (locale == "zh-CN" ? "已完成" : "completed");
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToContainTextAsync(statusText, new() { Timeout = WaitMs, IgnoreCase = true });
        return await page.GetByTestId("campaign-budget").InnerTextAsync();
    }
}
