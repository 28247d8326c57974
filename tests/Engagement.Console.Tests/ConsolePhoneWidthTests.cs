using System.Net.Http.Json;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// Support agents and store staff open the console on phones: on a 390 px wide screen no page is wider than the screen
/// (no sideways scroll of the whole page). A wide table may scroll inside a container of its own; nothing else may push
/// the page wider. The campaign page is measured with results (several arms, control, global control, both charts) and
/// as a draft (Trigger beside the audience estimate).
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsolePhoneWidthTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private const int Phone = 390;

    // The outermost elements reaching past the screen's right edge that are not inside a scroll container of their own
    // (what makes the page wider than the screen), described for the failure message.
    private const string Overflowing = """
        () => {
            const w = document.documentElement.clientWidth;
            const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) { const s = getComputedStyle(p).overflowX; if ((s === 'auto' || s === 'scroll' || s === 'hidden') && p !== document.documentElement && p !== document.body) return true; } return false; };
            const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 0.5 && !scrolls(e));
            return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 8)
                .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}[${e.getAttribute('data-testid') ?? ''}] right ${Math.round(e.getBoundingClientRect().right)}`)
                .join('; ');
        }
        """;

    [Fact]
    public async Task OnA390PxPhoneNoPageIsWiderThanTheScreen()
    {
        // A campaign of three arms that ran to completion, with buyers: its page has the results table and both charts.
        var (campaign, _) = await CampaignResultsSetup.RunAsync(
            host, "pw", members: 40, controlShare: 0.2, everyNth: 3, buyers: 10, minGlobalControl: 1, arms: ["a", "b", "c"]);
        // A draft of three arms with a long name: its page has Trigger beside the audience estimate.
        var draft = "pwd-" + Guid.NewGuid().ToString("N")[..8];
        using (var api = host.CreateClient())
        {
            api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
            var now = host.Clock.GetUtcNow();
            using var created = await api.PostAsJsonAsync("api/v1/campaigns", new
            {
                id = draft,
                name = "Spring comeback for lapsed members of the east region " + draft,
                kind = "broadcast",
                channel = "push",
                audience = new { regions = new[] { "east" } },
                offer = new { kind = "coupon", code = "SPRINGCOMEBACK10", unitCost = 5m },
                arms = new[] { new { name = "a", weight = 1.0 }, new { name = "b", weight = 1.0 }, new { name = "c", weight = 2.0 } },
                validFrom = now.AddHours(-1),
                validUntil = now.AddDays(7),
            }, ConsoleHostFixture.Json);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var member = "PW" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync(
        [
            new { eventId = member + "-r", type = "register", memberId = member, occurredAt = ConsoleHostFixture.Now.AddDays(-10), regionId = "east" },
            new { eventId = member + "-o", type = "purchase", memberId = member, occurredAt = ConsoleHostFixture.Now.AddDays(-5), orderId = "O1", amount = 120m },
        ]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.AdminKey);
        await page.SetViewportSizeAsync(Phone, 844);

        var pages = new (string Path, string WaitFor)[]
        {
            ("console", "home-members"),
            ("console/members", "member-search"),
            ($"console/members/{member}", "consent-form"),
            ("console/audit", "audit-table"),
            ("console/campaigns", "campaign-create"),
            ($"console/campaigns/{campaign}", "uplift-chart"),
            ($"console/campaigns/{draft}", "campaign-trigger"),
            ("console/operations", "ops-tile"),
            ("console/programme", "programme-how-counted"),
        };
        var tooWide = new List<string>();
        foreach (var (path, waitFor) in pages)
        {
            await GoAsync(page, path);
            await page.GetByTestId(waitFor).First.WaitForAsync(new() { Timeout = WaitMs });
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (width > Phone)
            {
                tooWide.Add($"{path}: {width} px ({await page.EvaluateAsync<string>(Overflowing)})");
            }
        }

        Assert.True(tooWide.Count == 0, "pages wider than a 390 px phone: " + string.Join(" | ", tooWide));
        await ScreenshotAsync(page, "campaign-results-phone");
    }
}
