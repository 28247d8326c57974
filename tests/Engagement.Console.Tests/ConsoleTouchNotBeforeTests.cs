using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// A touch deferred by quiet hours says on the member page until when, as the API's <c>notBefore</c>, in the page's zone.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleTouchNotBeforeTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "Touches", "until {0}")]
    [InlineData("zh-CN", "触达记录", "延至 {0}")]
    public async Task ADeferredTouchShowsUntilWhenInThePagesZone(string locale, string tab, string until)
    {
        // Members in New York: the pinned 04:00 UTC is midnight there, inside quiet hours, so the campaign's touches wait.
        // Several, so that one is in an arm whatever the global and campaign control hold out.
        var region = "nb" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 6).Select(i => $"{region}-{i:D2}").ToList();
        var t0 = ConsoleHostFixture.Now;
        await host.PostEventsAsync(ids.SelectMany(m => new object[]
        {
            new { eventId = m + "-r", type = "register", memberId = m, occurredAt = t0.AddDays(-40), regionId = region },
            new { eventId = m + "-z", type = "profile_update", memberId = m, occurredAt = t0.AddDays(-39), properties = new Dictionary<string, string> { ["timeZone"] = "America/New_York" } },
        }));
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var campaign = "nb-" + region;
        var now = host.Clock.GetUtcNow();
        using (var created = await api.PostAsJsonAsync("api/v1/campaigns", new
        {
            id = campaign,
            name = "Night " + region,
            kind = "broadcast",
            audience = new { regions = new[] { region } },
            channel = "push",
            offer = new { kind = "coupon", code = "NB5", unitCost = 5m },
            validFrom = now.AddHours(-1),
            validUntil = now.AddDays(14),
        }, ConsoleHostFixture.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        (await api.PostAsync($"api/v1/campaigns/{campaign}/trigger", null)).Dispose();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var touches = await Eventually.ReturnsAsync(
            async () => await Task.WhenAll(ids.Select(async m => (await grains.GetGrain<IMemberGrain>(m).GetTouchesAsync(50)).FirstOrDefault(t => t.CampaignId == campaign))),
            found => found.Any(t => t is not null), WaitTime, $"a touch of {campaign}");
        var touch = touches.First(t => t is not null)!;
        var id = ids[Array.IndexOf(touches, touch)];
        Assert.Equal("deferred", touch.Decision);
        Assert.NotNull(touch.NotBefore);
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var expected = string.Format(CultureInfo.InvariantCulture, until,
            TimeZoneInfo.ConvertTime(touch.NotBefore.Value, shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await page.Locator(".mud-tab").Filter(new() { HasText = tab }).First.ClickAsync();
        var row = page.GetByTestId("touch-table").Locator("tbody tr").Filter(new() { HasText = campaign });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains(expected, (await row.GetByTestId("touch-not-before").InnerTextAsync()).Trim(), StringComparison.Ordinal);
    }
}
