using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The consent form after a save whose page reload failed shows the engine's answer; when the member's app then changes
/// the consent back to what the page last read, saving again reads the member once more and shows that, instead of
/// answering "Nothing to save" over switches that no longer match the member.
/// </summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleConsentStaleTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task AConsentChangedByTheMembersAppAfterASaveIsShownBeforeNothingToSave()
    {
        var (id, page) = await OpenSeededMemberAsync(host, "CST", "consent-form");

        // Support turns sms off; the engine answers, the page's reload (its ledger read) times out.
        // The page's own opening reads are over, and the fault takes the first ledger read sent after the consent change was
        // answered: the reload it targets, whatever the load on the machine.
        await WaitForMemberReadsAsync(page);
        host.MemberCalls.FailLedgerReadAfterConsent(id, what => new TimeoutException(what));
        var sms = page.GetByTestId("consent-sms").Locator("input");
        await page.GetByTestId("consent-sms").ClickAsync();
        await Input(page, "consent-reason").FillAsync("member asked: no SMS");
        await page.GetByTestId("consent-submit").ClickAsync();
        var shown = page.GetByTestId("consent-message");
        await Assertions.Expect(shown).ToContainTextAsync("The page could not refresh to show it", new() { Timeout = WaitMs });
        Assert.False(await sms.IsCheckedAsync());

        // The member's app turns sms back on: the member is sms-on again, as the page last read it.
        await host.PostEventsAsync([new { eventId = id + "-sms-on", type = "profile_update", memberId = id, occurredAt = host.Clock.GetUtcNow(), properties = new Dictionary<string, string> { ["consent.sms"] = "true" } }]);
        var member = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(id);
        await Eventually.ReturnsAsync(
            async () => string.Join(",", (await member.GetViewAsync())!.Caps.OptedOutChannels),
            optedOut => !optedOut.Split(',').Contains("sms"),
            WaitTime,
            "the member applying the app's consent.sms=true (opted-out channels)");

        // Saving with the switch as it shows (off): the form reads the member again and shows sms on, saving nothing.
        await page.GetByTestId("consent-submit").ClickAsync();
        await Assertions.Expect(shown).ToContainTextAsync("had changed since it was shown here", new() { Timeout = WaitMs });
        await Assertions.Expect(sms).ToBeCheckedAsync(new() { Timeout = WaitMs });
        Assert.DoesNotContain("sms", (await member.GetViewAsync())!.Caps.OptedOutChannels);
        Assert.Single(await ReadAuditAsync(host, id, "member.consent"));
        Assert.Equal(1, host.MemberCalls.ConsentCalls(id));

        // Now the switches match the member: nothing to save.
        await page.GetByTestId("consent-submit").ClickAsync();
        await Assertions.Expect(shown).ToContainTextAsync("Nothing to save", new() { Timeout = WaitMs });
        await ScreenshotAsync(page, "consent-changed-since-shown");
    }
}
