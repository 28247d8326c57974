using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// A consent switch the agent turned but has not saved survives the page reading the member again after another action
/// (a points adjustment): the switch stays off, an info line says so, and Save sends the opt-out exactly once.
/// </summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleConsentUnsavedTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task AnUnsavedSwitchIsKeptWhenAnAdjustmentReloadsTheMember()
    {
        var (id, page) = await OpenSeededMemberAsync(host, "CUS", "consent-form");
        var sms = page.GetByTestId("consent-sms").Locator("input");
        await Assertions.Expect(sms).ToBeCheckedAsync(new() { Timeout = WaitMs });

        // The agent turns sms off but first saves a goodwill adjustment: the page reads the member again.
        await page.GetByTestId("consent-sms").ClickAsync();
        await Assertions.Expect(sms).Not.ToBeCheckedAsync(new() { Timeout = WaitMs });
        await Input(page, "adjust-reason").FillAsync("goodwill before the opt-out");
        await Input(page, "adjust-delta").FillAsync("30");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var ledgerRow = page.GetByTestId("ledger-table").Locator("tr", new() { HasText = "goodwill before the opt-out" });
        await ledgerRow.WaitForAsync(new() { Timeout = WaitMs, State = WaitForSelectorState.Attached });

        // The switch the agent turned is kept, and the form says so.
        var shown = page.GetByTestId("consent-message");
        await Assertions.Expect(shown).ToContainTextAsync("your unsaved change to sms is kept", new() { Timeout = WaitMs });
        Assert.False(await sms.IsCheckedAsync());
        Assert.Equal(0, host.MemberCalls.ConsentCalls(id));

        // Save sends the opt-out, once.
        await Input(page, "consent-reason").FillAsync("member asked: no SMS");
        await page.GetByTestId("consent-submit").ClickAsync();
        await Assertions.Expect(shown).ToContainTextAsync("Saved", new() { Timeout = WaitMs });
        Assert.Equal(1, host.MemberCalls.ConsentCalls(id));
        var member = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(id);
        Assert.Contains("sms", (await member.GetViewAsync())!.Caps.OptedOutChannels);
        Assert.False(await sms.IsCheckedAsync());
        await ScreenshotAsync(page, "consent-unsaved-kept-after-adjustment");
    }
}
