using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign pages in Chinese leave no English behind: the header's kind and channel codes, the results' method
/// paragraph and the create form's control share label are worded in the viewer's language; in English they read as before.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignWordingTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("zh-CN", " · 群发 · 短信 · ", "意向治疗：", "Intention to treat", "对照比例")]
    [InlineData("en-US", " · broadcast · sms · ", "Intention to treat: every member assigned to a group counts in its audience", "意向治疗", "controlShare")]
    public async Task TheCampaignPagesCodesMethodAndControlShareLabelReadInTheViewersLanguage(
        string locale, string summary, string method, string otherMethod, string controlLabel)
    {
        var id = "cw-" + Guid.NewGuid().ToString("N")[..10];
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();
        using (var created = await api.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Wording " + id,
            kind = "broadcast",
            audience = new { regions = new[] { "nowhere-" + id } },
            channel = "sms",
            offer = new { kind = "coupon", code = "CW5", unitCost = 5m },
            validFrom = now,
            validUntil = now.AddDays(7),
        }, ConsoleHostFixture.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        // Started (and at once completed: nobody is in its region), so the page shows its results and their method.
        (await api.PostAsync($"api/v1/campaigns/{id}/trigger", null)).Dispose();
        await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/results", ConsoleHostFixture.Json))!,
            r => r["status"]!.GetValue<string>() == "completed", WaitTime, $"campaign {id} completed");

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        await Assertions.Expect(page.GetByTestId("results-method")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        Assert.Contains(id + summary, await page.GetByTestId("campaign-summary").InnerTextAsync(), StringComparison.Ordinal);
        var shownMethod = await page.GetByTestId("results-method").InnerTextAsync();
        Assert.StartsWith(method, shownMethod, StringComparison.Ordinal);
        Assert.DoesNotContain(otherMethod, shownMethod, StringComparison.Ordinal);

        await GoAsync(page, "console/campaigns");
        var form = page.GetByTestId("campaign-form");
        await form.WaitForAsync(new() { Timeout = WaitMs });
        await Assertions.Expect(form.Locator("label", new() { HasText = controlLabel }).First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        if (locale != "en-US")
        {
            Assert.Equal(0, await form.Locator("label", new() { HasText = "controlShare" }).CountAsync());
        }
    }
}
