using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// A consent change the engine saved whose page reload then failed: the form knows the member's consent from the
/// engine's answer, so saving again sends nothing (the member already has it) instead of the same change once more.
/// </summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleConsentResaveTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task SavingAgainAfterTheReloadFailedSendsNothingAndSaysThereIsNothingToSave()
    {
        var (id, page) = await OpenSeededMemberAsync(host, "CRS", "consent-form");

        // The member stores sms → no and answers; the page's reload (its ledger read) then times out.
        // The page's own opening reads are over, and the fault takes the first ledger read sent after the consent change was
        // answered: the reload it targets, whatever the load on the machine.
        await WaitForMemberReadsAsync(page);
        host.MemberCalls.FailLedgerReadAfterConsent(id, what => new TimeoutException(what));
        await page.GetByTestId("consent-sms").ClickAsync();
        await Input(page, "consent-reason").FillAsync("member asked: no SMS");
        await page.GetByTestId("consent-submit").ClickAsync();
        var shown = page.GetByTestId("consent-message");
        await Assertions.Expect(shown).ToContainTextAsync("The page could not refresh to show it", new() { Timeout = WaitMs });
        var first = Assert.Single(await ReadAuditAsync(host, id, "member.consent"));
        Assert.Equal(1, host.MemberCalls.ConsentCalls(id));

        // Unsure, the agent saves again with the switch as it is: the form compares it with the consent the engine
        // answered (sms off), not with the page's last successful read (sms on), so no change is sent.
        await Input(page, "consent-reason").FillAsync("saving again to be sure");
        await page.GetByTestId("consent-submit").ClickAsync();
        await Assertions.Expect(shown).ToContainTextAsync("Nothing to save", new() { Timeout = WaitMs });
        Assert.DoesNotContain("Saved", await shown.InnerTextAsync(), StringComparison.Ordinal);
        var rows = await ReadAuditAsync(host, id, "member.consent");
        Assert.Equal(first.AuditId, Assert.Single(rows).AuditId);
        Assert.Equal("member asked: no SMS", rows[0].Reason);

        // Nothing was sent the second time: the member got exactly the one consent change.
        Assert.Equal(1, host.MemberCalls.ConsentCalls(id));
        await ScreenshotAsync(page, "consent-resave-after-failed-reload");
    }
}
