using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// A campaign create that is not confirmed locks the form's definition: Create sends it again as sent, so an edit under
/// its id cannot be silently dropped; "Start a new campaign" frees the form for another id.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignCreateLockTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task WhileACreateIsNotConfirmedItsDefinitionIsLockedAndSaysWhySoCreateSendsItAsSent()
    {
        var (id, page) = await CreateUnconfirmedAsync("cl");

        // Every field of the definition is locked, with the reason shown: nothing typed now could be lost.
        await Assertions.Expect(page.GetByTestId("campaign-form-locked")).ToContainTextAsync($"locked while campaign {id} is not confirmed", new() { Timeout = WaitMs });
        foreach (var field in new[] { "f-id", "f-name", "f-channel", "f-regions", "f-tiers", "f-arm-name-0", "f-arm-weight-1", "f-control", "f-from", "f-days", "f-coupon", "f-cost", "f-budget", "f-grants", "f-attribution", "f-kind", "f-offer-kind" })
        {
            Assert.True(await IsFrozenAsync(page, field), $"{field} is editable while the create is pending");
        }

        // Create sends the pending definition: it answers "exists", writes the missing audit row once and opens it.
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{id}");
        Assert.Single(await ReadAuditAsync(host, id, "campaign.create"));
        Assert.Equal("Locked while pending", await NameOfAsync(id));
    }

    [Fact]
    public async Task StartingANewCampaignLeavesThePendingOneAndCreatesTheEditedDefinitionUnderANewId()
    {
        var (id, page) = await CreateUnconfirmedAsync("cn");

        // Start new first sends the pending definition once more: it answers "exists", writes the missing audit row once.
        await page.GetByTestId("campaign-start-new").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-confirmed")).ToContainTextAsync($"Campaign {id} is confirmed", new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "campaign.create"));
        await Assertions.Expect(page.GetByTestId("campaign-list")).ToContainTextAsync(id, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("campaign-create-unconfirmed").CountAsync());
        Assert.Equal(0, await page.GetByTestId("campaign-not-confirmed").CountAsync());
        Assert.True(await Input(page, "f-name").IsEditableAsync());
        Assert.Equal("", await Input(page, "f-id").InputValueAsync());

        // The edited definition goes out under the new id, as a new campaign.
        var next = "cm-" + Guid.NewGuid().ToString("N")[..8];
        await Input(page, "f-id").FillAsync(next);
        await Input(page, "f-name").FillAsync("Edited after the lost answer");
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{next}");
        Assert.Equal("Edited after the lost answer", await NameOfAsync(next));
        Assert.Equal("Locked while pending", await NameOfAsync(id));
    }

    [Fact]
    public async Task WhileACreateIsOnItsWayTheFieldsAndCreateAreDisabledAndAFailedOneShowsWhatWasSent()
    {
        var id = "cw-" + Guid.NewGuid().ToString("N")[..8];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("As sent");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("CW5");
        var gate = host.Audit.HoldThenFailNextAppend(id);
        await page.GetByTestId("campaign-create").ClickAsync();

        // While the audit write hangs (a storage timeout is long), nothing can be typed and Create cannot be pressed again.
        await Assertions.Expect(page.GetByTestId("campaign-create")).ToBeDisabledAsync(new() { Timeout = WaitMs });
        foreach (var field in new[] { "f-id", "f-name", "f-channel", "f-regions", "f-tiers", "f-arm-name-0", "f-arm-weight-1", "f-control", "f-from", "f-days", "f-coupon", "f-cost", "f-budget", "f-grants", "f-attribution", "f-kind", "f-offer-kind" })
        {
            Assert.True(await IsFrozenAsync(page, field), $"{field} is editable while the create is on its way");
        }

        gate.SetResult();
        await Assertions.Expect(page.GetByTestId("campaign-create-unconfirmed")).ToContainTextAsync($"Campaign {id} not confirmed", new() { Timeout = WaitMs });
        Assert.Equal(id, await Input(page, "f-id").InputValueAsync());
        Assert.Equal("As sent", await Input(page, "f-name").InputValueAsync());
        Assert.Equal("nowhere-" + id, await Input(page, "f-regions").InputValueAsync());

        // Create sends what was sent: it answers "exists", writes the audit row once and opens the campaign.
        await Assertions.Expect(page.GetByTestId("campaign-create")).ToBeEnabledAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{id}");
        Assert.Single(await ReadAuditAsync(host, id, "campaign.create"));
        Assert.Equal("As sent", await NameOfAsync(id));
    }

    [Fact]
    public async Task APendingCreateThatStartNewCannotConfirmStaysListedWithItsOwnCreateAgain()
    {
        var (id, page) = await CreateUnconfirmedAsync("cs");

        // Sent once more by Start new, its audit write fails again: the form is freed, the create stays listed.
        host.Audit.FailNextAppend(id);
        await page.GetByTestId("campaign-start-new").ClickAsync();
        var listed = page.Locator($"[data-testid=campaign-not-confirmed][data-id='{id}']");
        await Assertions.Expect(listed).ToContainTextAsync($"Campaign {id} is still not confirmed", new() { Timeout = WaitMs });
        Assert.True(await Input(page, "f-name").IsEditableAsync());
        Assert.Equal("", await Input(page, "f-id").InputValueAsync());
        Assert.Empty(await ReadAuditAsync(host, id, "campaign.create"));

        // Its own Create again confirms it: one audit row, and it leaves the list.
        await listed.GetByTestId("campaign-not-confirmed-retry").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-confirmed")).ToContainTextAsync($"Campaign {id} is confirmed", new() { Timeout = WaitMs });
        await Assertions.Expect(listed).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "campaign.create"));
    }

    // A create whose campaign is stored and whose audit write then fails: the page says it is not confirmed.
    private async Task<(string Id, IPage Page)> CreateUnconfirmedAsync(string prefix)
    {
        var id = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Locked while pending");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("CL5");
        host.Audit.FailNextAppend(id);
        await page.GetByTestId("campaign-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-create-unconfirmed")).ToContainTextAsync($"Campaign {id} not confirmed", new() { Timeout = WaitMs });
        return (id, page);
    }

    // A text field's input is not editable; the channel's select (no text input of its own) is rendered disabled.
    private static async Task<bool> IsFrozenAsync(IPage page, string testId)
    {
        if (await page.Locator($"input[data-testid={testId}], [data-testid={testId}] input:not([type=hidden])").CountAsync() > 0)
        {
            return !await Input(page, testId).IsEditableAsync();
        }

        var html = await page.EvaluateAsync<string?>(
            "id => { const e = document.querySelector(`[data-testid=${id}]`); return e ? (e.closest('.mud-disabled, [aria-disabled=true]') || e.querySelector('.mud-disabled, [aria-disabled=true], [disabled]') ? 'disabled' : e.outerHTML) : null; }",
            testId);
        Assert.True(html is not null, $"{testId} is not on the page");
        return html == "disabled" ? true : throw new Xunit.Sdk.XunitException($"{testId} is not disabled: {html}");
    }

    private async Task<string> NameOfAsync(string campaignId)
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var campaign = await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{campaignId}", ConsoleHostFixture.Json);
        return (campaign!["definition"]?["name"] ?? campaign["name"])!.GetValue<string>();
    }
}
