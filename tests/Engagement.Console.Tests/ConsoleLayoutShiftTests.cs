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
