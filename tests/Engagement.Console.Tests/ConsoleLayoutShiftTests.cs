using System.Net.Http.Json;
using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// Controls stay where they are while content read after the page opens lands: nothing that arrives late sits above a
/// button or link (a click on its way then missed it, as "Create campaign" did when an estimate landed above it).
/// Positions are page coordinates (<c>top + window.scrollY</c>), so a scroll does not count as a move.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleLayoutShiftTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private const string PageTop = "e => e.getBoundingClientRect().top + window.scrollY";

    private const string PageBottom = "e => e.getBoundingClientRect().bottom + window.scrollY";

    [Fact]
    public async Task TheOpenAlertsTilesLinkDoesNotMoveWhenTheCountLands()
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
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
        // A member in a region of its own, assigned by a campaign over that region: its row lands after the member.
        var region = "lsm" + Guid.NewGuid().ToString("N")[..8];
        var member = region + "-m";
        var campaign = "ls-" + region;
        await host.PostEventsAsync([new { eventId = member + "-r", type = "register", memberId = member, occurredAt = ConsoleHostFixture.Now.AddDays(-10), regionId = region }]);
        var now = host.Clock.GetUtcNow();
        using (var api = host.CreateClient())
        {
            api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
            using var created = await api.PostAsJsonAsync("api/v1/campaigns", new
            {
                id = campaign,
                name = "Layout " + campaign,
                kind = "broadcast",
                channel = "push",
                audience = new { regions = new[] { region } },
                offer = new { kind = "coupon", code = "LS5", unitCost = 5m },
                validFrom = now.AddHours(-1),
                validUntil = now.AddDays(7),
            }, ConsoleHostFixture.Json);
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            using var triggered = await api.PostAsync($"api/v1/campaigns/{campaign}/trigger", null);
            Assert.True(triggered.IsSuccessStatusCode, await triggered.Content.ReadAsStringAsync());
        }

        var grains = host.Services.GetRequiredService<IGrainFactory>();
        await Eventually.ReturnsAsync(
            () => grains.GetGrain<IMemberGrain>(member).GetCampaignMembershipAsync(campaign),
            found => found is not null, WaitTime, $"{member} assigned by {campaign}");

        // Every position Adjust had, from the prerendered page to the campaign's row landing (the campaigns are read after
        // the member): one. Above the forms, the row pushed them down as it landed.
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await TrackTopAsync(page, "adjust-submit");
        await GoAsync(page, $"console/members/{member}");
        var row = page.GetByTestId("member-campaign-" + campaign);
        await row.WaitForAsync(new() { Timeout = WaitMs });
        var adjust = page.GetByTestId("adjust-submit");
        var tops = await page.EvaluateAsync<double[]>("() => window.__tops");
        Assert.NotEmpty(tops);
        Assert.Equal(new[] { await adjust.EvaluateAsync<double>(PageTop) }, tops.Distinct());
        Assert.True(await page.GetByTestId("consent-submit").EvaluateAsync<double>(PageTop) < await row.EvaluateAsync<double>(PageTop), "Save consent is above the campaign's row");
    }

    [Fact]
    public async Task CreateStaysPutWhileTheCampaignListLandsAboveTheForm()
    {
        // At least one campaign listed, so the list has rows to land.
        await CreateCampaignAsync("ls-");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
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

    /// <summary>
    /// The answer to a click on Create (here a conflict: the id is taken by another definition) lands below Create: above
    /// it, the message pushed Create down by its height as it landed, so a second click went where the button had been.
    /// </summary>
    [Fact]
    public async Task CreatesAnswerLandsBelowCreateWhichStaysWhereItWasClicked()
    {
        var id = await CreateCampaignAsync("lsc-");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Another definition under " + id);
        await Input(page, "f-regions").FillAsync(id);
        await Input(page, "f-coupon").FillAsync("OTHER7");
        var create = page.GetByTestId("campaign-create");
        await Assertions.Expect(create).ToBeVisibleAsync(new() { Timeout = WaitMs }); // measured once laid out, not before
        var before = await create.EvaluateAsync<double>(PageTop);

        await create.ClickAsync();
        var conflict = page.GetByTestId("campaign-conflict");
        await conflict.WaitForAsync(new() { Timeout = WaitMs });

        Assert.Equal(before, await create.EvaluateAsync<double>(PageTop));
        Assert.True(
            await conflict.EvaluateAsync<double>(PageTop) >= await create.EvaluateAsync<double>(PageBottom),
            "the conflict is below Create");
    }

    /// <summary>
    /// On a 390 px wide phone the campaign's progress line has the screen's width and wraps between its figures only, each
    /// label beside its number: the navigation menu, open beside the page, left the line a column of 86 px, where it broke
    /// a word a line, a label at the end of one line and its number on the next, "counting the audience…" past its edge.
    /// </summary>
    [Fact]
    public async Task OnANarrowScreenTheProgressLineWrapsOnlyBetweenItsFigures()
    {
        var id = await CreateCampaignAsync("lsp-");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await page.SetViewportSizeAsync(390, 844);
        await GoAsync(page, $"console/campaigns/{id}");
        var line = page.GetByTestId("campaign-progress-text");
        await line.WaitForAsync(new() { Timeout = WaitMs });

        var parts = await page.GetByTestId("campaign-progress-part").AllAsync();
        Assert.Equal(6, parts.Count);
        var right = await line.EvaluateAsync<double>("e => e.getBoundingClientRect().right");

        // The line has the screen's width, not a column beside the menu (the menu open beside the page left it ~90 px).
        Assert.True(await line.EvaluateAsync<double>("e => e.getBoundingClientRect().width") >= 300, "the progress line has the screen's width");
        Assert.True(right <= 390, "the progress line ends inside the screen");
        foreach (var part in parts)
        {
            var text = await part.InnerTextAsync();
            var boxes = await part.EvaluateAsync<int>("e => e.getClientRects().length");
            Assert.True(boxes == 1, $"'{text}' is in one box, not broken across lines ({boxes})");
            Assert.True(await part.EvaluateAsync<double>("e => e.getBoundingClientRect().right") <= right + 0.5, $"'{text}' ends inside its line");
        }

        Assert.Matches(@"^\d+% · .+ · sent 0 · deferred 0 · suppressed 0 · Control 0$", (await line.TextContentAsync())!.Trim());

        // Below Trigger (Pause, Resume), and Trigger stays where it is as the line's figures grow and it takes more lines:
        // above the buttons, a figure gaining digits wrapped the line once more and pushed them down.
        var trigger = page.GetByTestId("campaign-trigger");
        Assert.True(await line.EvaluateAsync<double>(PageTop) >= await trigger.EvaluateAsync<double>(PageBottom), "the progress line is below Trigger");
        var triggerTop = await trigger.EvaluateAsync<double>(PageTop);
        var lineHeight = await line.EvaluateAsync<double>("e => e.getBoundingClientRect().height");
        await line.EvaluateAsync("e => e.querySelectorAll('[data-testid=\"campaign-progress-part\"]').forEach(p => p.textContent += '123456789')");
        Assert.True(await line.EvaluateAsync<double>("e => e.getBoundingClientRect().height") > lineHeight, "the grown line takes more lines");
        Assert.Equal(triggerTop, await trigger.EvaluateAsync<double>(PageTop));
    }

    /// <summary>
    /// On a 390 px phone the menu is closed and opens over the page from the menu button; a link in it navigates and the
    /// menu closes again, leaving the page its whole width.
    /// </summary>
    [Fact]
    public async Task OnANarrowScreenTheMenuButtonOpensTheMenuWhoseLinkNavigatesAndClosesIt()
    {
        var page = await host.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        var link = page.GetByTestId("nav-members");

        // On the screen: laid out, not hidden, and inside the viewport (a closed drawer sits beside it, off-screen).
        const string OnScreen = "(() => { const e = document.querySelector('[data-testid=\"nav-members\"]'); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && getComputedStyle(e).visibility !== 'hidden'; })()";
        var wait = new PageWaitForFunctionOptions { Timeout = WaitMs };
        await page.WaitForFunctionAsync($"!{OnScreen}", null, wait);

        await page.GetByTestId("nav-toggle").ClickAsync();
        await page.WaitForFunctionAsync(OnScreen, null, wait);

        await link.ClickAsync();
        await ExpectUrlEndsWithAsync(page, "/console/members");
        await page.WaitForFunctionAsync($"!{OnScreen}", null, wait);
        Assert.EndsWith("/console/members", page.Url, StringComparison.Ordinal);
    }

    /// <summary>A draft broadcast over a region of its own (its id), created through the API; returns its id.</summary>
    private async Task<string> CreateCampaignAsync(string prefix)
    {
        var id = prefix + Guid.NewGuid().ToString("N")[..8];
        var now = host.Clock.GetUtcNow();
        using var api = host.CreateClient();
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
        return id;
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
