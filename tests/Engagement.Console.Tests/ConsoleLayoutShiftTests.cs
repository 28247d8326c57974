using System.Net.Http.Json;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// Controls stay where they are while content read after the page opens lands: nothing that arrives late sits above a
/// button or link (a click on its way then missed it, as "Create campaign" did when an estimate landed above it).
/// Positions are page coordinates (<c>top + window.scrollY</c>), so a scroll does not count as a move.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleLayoutShiftTests(ConsoleHostFixture host)
{
    private const string PageTop = "e => e.getBoundingClientRect().top + window.scrollY";

    [Fact]
    public async Task TheOpenAlertsTilesLinkDoesNotMoveWhenTheCountLands()
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await TrackTopAsync(page, "ops-link-Alerts");
        await GoAsync(page, "console/operations");

        // The count is read after the page opens (the circuit's first render has none yet); below it, the link moved
        // down by the count's line as it landed. Every position the link had, from the prerendered page on: one.
        await page.GetByTestId("ops-alerts-open").WaitForAsync(new() { Timeout = WaitMs });
        var link = page.GetByTestId("ops-link-Alerts");
        var tops = await page.EvaluateAsync<double[]>("() => window.__tops");
        Assert.NotEmpty(tops);
        Assert.Equal(new[] { await link.EvaluateAsync<double>(PageTop) }, tops.Distinct());

        // Where the tiles without a late figure have theirs (Funnel: the same row, before it).
        Assert.Equal(await page.GetByTestId("ops-link-Funnel").EvaluateAsync<double>(PageTop), await link.EvaluateAsync<double>(PageTop));
    }

    [Fact]
    public async Task TheMemberPagesFormsAreAboveItsCampaignsWhichAreReadAfterTheMember()
    {
        var (_, page) = await OpenSeededMemberAsync(host, "LS", "member-title");
        var adjust = page.GetByTestId("adjust-submit");
        var consent = page.GetByTestId("consent-submit");
        var (adjustBefore, consentBefore) = (await adjust.EvaluateAsync<double>(PageTop), await consent.EvaluateAsync<double>(PageTop));

        // The campaigns section is read after the member (and again after every action): its rows, however many land,
        // are below both forms' buttons, which stay where they were.
        var campaigns = page.GetByTestId("member-campaigns");
        await Assertions.Expect(campaigns.GetByTestId("member-campaigns-none")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        var campaignsTop = await campaigns.EvaluateAsync<double>(PageTop);
        Assert.True(adjustBefore < campaignsTop && consentBefore < campaignsTop, $"Adjust at {adjustBefore}, Save consent at {consentBefore}, campaigns at {campaignsTop}");
        Assert.Equal((adjustBefore, consentBefore), (await adjust.EvaluateAsync<double>(PageTop), await consent.EvaluateAsync<double>(PageTop)));
    }

    [Fact]
    public async Task CreateStaysPutWhileTheCampaignListLandsAboveTheForm()
    {
        // At least one campaign listed, so the list has rows to land.
        var id = "ls-" + Guid.NewGuid().ToString("N")[..8];
        var now = host.Clock.GetUtcNow();
        using (var api = host.CreateClient())
        {
            api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
            using var created = await api.PostAsJsonAsync("api/v1/campaigns", new
            {
                id,
                name = "Layout " + id,
                kind = "broadcast",
                channel = "push",
                audience = new { regions = new[] { id } },
                offer = new { kind = "coupon", code = "LS5", unitCost = 5m },
                validFrom = now.AddHours(-1),
                validUntil = now.AddDays(7),
            }, ConsoleHostFixture.Json);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.MarketingKey);
        await TrackTopAsync(page, "campaign-create");
        await GoAsync(page, "console/campaigns");
        // (The list reads the first 100 campaigns; other tests of this host may have pushed this one past them.)
        await page.GetByTestId("campaign-list").Locator("tbody tr a").First.WaitForAsync(new() { Timeout = WaitMs });

        // Every position Create had, from the prerendered page through the circuit's first render (no campaigns read yet)
        // to the list's rows: one.
        var tops = await page.EvaluateAsync<double[]>("() => window.__tops");
        Assert.NotEmpty(tops);
        Assert.Single(tops.Distinct());
    }

    // Records the page top (top + scrollY) of the element with the test id at every change of the next pages loaded, from
    // the prerendered page on, in window.__tops: a move between two checks by the test is caught too.
    private static async Task TrackTopAsync(IPage page, string testId) => await page.AddInitScriptAsync($$"""
        (() => {
            window.__tops = [];
            // From DOMContentLoaded on: before it the page's stylesheets may not apply yet (nothing a reader sees).
            const record = () => {
                const e = document.readyState === 'loading' ? null : document.querySelector('[data-testid="{{testId}}"]');
                if (e) {
                    window.__tops.push(e.getBoundingClientRect().top + window.scrollY);
                }
            };
            document.addEventListener('DOMContentLoaded', record);
            new MutationObserver(record).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
        })();
        """);
}
