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
}
