using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// Campaign statuses and refusals as marketing reads them on the campaign pages. These tests move the engine clock past
/// campaign windows, so they have a host of their own: the other console tests read times at the pinned instant.
/// </summary>
[Collection(ClockMovingConsoleHostCollection.Name)]
public sealed class ConsoleCampaignStatusTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "active", "ended")]
    [InlineData("zh-CN", "生效中", "已结束")]
    public async Task ATriggeredCampaignActiveOrEndedShowsItsStatusInWordsNotAResourceKey(string locale, string active, string ended)
    {
        var id = "st-" + Guid.NewGuid().ToString("N")[..8];
        var now = host.Clock.GetUtcNow();
        using var api = MarketingClient();
        await CreateAsync(api, id + "-a", "triggered", now.AddHours(-1), now.AddDays(7));
        await CreateAsync(api, id + "-e", "triggered", now.AddHours(-1), now.AddMinutes(1));

        // The second one's window passes (a window must end in the future when it is created).
        host.Clock.Advance(TimeSpan.FromMinutes(2));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, "console/campaigns");
        var list = page.GetByTestId("campaign-list");
        await Assertions.Expect(list.Locator("tr", new() { HasTextString = id + "-a" })).ToContainTextAsync(active, new() { Timeout = WaitMs });
        await Assertions.Expect(list.Locator("tr", new() { HasTextString = id + "-e" })).ToContainTextAsync(ended, new() { Timeout = WaitMs });
        Assert.DoesNotContain("Status_", await list.InnerTextAsync(), StringComparison.Ordinal);

        await GoAsync(page, $"console/campaigns/{id}-e");
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToHaveTextAsync(ended, new() { Timeout = WaitMs });
    }

    [Fact]
    public async Task AnActiveTriggeredCampaignCanBePausedAndResumedFromItsPage()
    {
        var id = "ap-" + Guid.NewGuid().ToString("N")[..8];
        var (page, status) = await OpenActiveTriggeredCampaignAsync(id);

        // Inside its window a triggered campaign grants on every matching event: marketing can stop it here, as the API allows.
        await page.GetByTestId("campaign-pause").ClickAsync(new() { Timeout = WaitMs });
        await Assertions.Expect(status).ToHaveTextAsync("paused", new() { Timeout = WaitMs });
        await page.GetByTestId("campaign-resume").ClickAsync(new() { Timeout = WaitMs });
        await Assertions.Expect(status).ToHaveTextAsync("active", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("campaign-pause")).ToBeVisibleAsync(new() { Timeout = WaitMs });
    }

    [Theory]
    [InlineData("write error")]
    [InlineData("storage timeout")]
    public async Task APauseWhoseAuditWriteFailsSaysNotConfirmedAndPausingAgainWritesItsAuditRowOnce(string failure)
    {
        var id = "pf-" + Guid.NewGuid().ToString("N")[..8];
        var (page, status) = await OpenActiveTriggeredCampaignAsync(id);

        // The campaign pauses, then the audit write fails: the page says so (not the page error) and offers the pause again.
        // A timeout of the audit table's SDK is a TaskCanceledException nobody on the page asked for: the same failure.
        host.Audit.FailNextAppend(id, failure == "storage timeout" ? what => new TaskCanceledException(what) : what => new IOException(what));
        await page.GetByTestId("campaign-pause").ClickAsync();
        var unconfirmed = page.GetByTestId("campaign-control-unconfirmed");
        await Assertions.Expect(unconfirmed).ToContainTextAsync("Pause not confirmed", new() { Timeout = WaitMs });
        Assert.Contains("Retrying is safe", await unconfirmed.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        await Assertions.Expect(status).ToHaveTextAsync("paused", new() { Timeout = WaitMs });
        Assert.Empty(await ReadAuditAsync(host, id, "campaign.pause"));

        // Pausing again answers "already" and writes the pause's row, once; then it resumes as usual.
        await page.GetByTestId("campaign-control-retry").ClickAsync();
        await Assertions.Expect(unconfirmed).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "campaign.pause"));
        await page.GetByTestId("campaign-resume").ClickAsync();
        await Assertions.Expect(status).ToHaveTextAsync("active", new() { Timeout = WaitMs });
    }

    [Fact]
    public async Task APauseWhoseAuditWriteFailsKeepsItsRowWhenTheCampaignIsResumedInsteadOfPausedAgain()
    {
        var id = "pr-" + Guid.NewGuid().ToString("N")[..8];
        var (page, status) = await OpenActiveTriggeredCampaignAsync(id);

        // The pause's audit write fails; the page is reloaded (the offer to pause again is gone) and the campaign resumed.
        host.Audit.FailNextAppend(id);
        await page.GetByTestId("campaign-pause").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-control-unconfirmed")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        await page.ReloadAsync();
        await WaitForCircuitAsync(page); // a click on the prerendered page, before the circuit, is lost
        await Assertions.Expect(status).ToHaveTextAsync("paused", new() { Timeout = WaitMs });
        await page.GetByTestId("campaign-resume").ClickAsync(new() { Timeout = WaitMs });
        await Assertions.Expect(status).ToHaveTextAsync("active", new() { Timeout = WaitMs });

        // The resume wrote the missing row of the pause it ended, once; a later pause is pause 2, with its own row.
        var pause = Assert.Single(await ReadAuditAsync(host, id, "campaign.pause"));
        Assert.StartsWith("pause 1:", pause.Detail, StringComparison.Ordinal);
        Assert.Single(await ReadAuditAsync(host, id, "campaign.resume"));
        await page.GetByTestId("campaign-pause").ClickAsync(new() { Timeout = WaitMs });
        await Assertions.Expect(status).ToHaveTextAsync("paused", new() { Timeout = WaitMs });
        Assert.Equal(2, (await ReadAuditAsync(host, id, "campaign.pause")).Count);
        Assert.Single(await ReadAuditAsync(host, id, "campaign.resume"));
    }

    [Fact]
    public async Task TriggeringABroadcastWhoseWindowHasPassedShowsWhyItWasRefused()
    {
        var id = "tr-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromMinutes(1));
        await page.GetByTestId("campaign-trigger").WaitForAsync(new() { Timeout = WaitMs });

        // The window passes while the page is open; the marketer clicks Trigger and is told why nothing started.
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await page.GetByTestId("campaign-trigger").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-control-refused")).ToContainTextAsync("the campaign runs from", new() { Timeout = WaitMs });
        await ScreenshotAsync(page, "campaign-trigger-refused");
    }

    [Fact]
    public async Task InChineseATriggerRefusedForAPassedWindowSaysWhyInChineseWithTheWindow()
    {
        var id = "zr-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromMinutes(1), "zh-CN");
        await page.GetByTestId("campaign-trigger").WaitForAsync(new() { Timeout = WaitMs });
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await page.GetByTestId("campaign-trigger").ClickAsync();
        var refused = page.GetByTestId("campaign-control-refused");
        await Assertions.Expect(refused).ToContainTextAsync("活动有效期已过", new() { Timeout = WaitMs });
        Assert.DoesNotContain("the campaign runs from", await refused.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response timeout")]
    [InlineData("storage timeout")]
    public async Task LiveProgressSurvivesAFailedReadMarksItStaleAndKeepsFollowingTheCampaign(string failure)
    {
        // A storage SDK timeout behind the read reaches the page as a TaskCanceledException the page never asked for:
        // a failed read like a TimeoutException, not the page closing.
        Func<string, Exception> fault = failure == "storage timeout" ? what => new TaskCanceledException(what) : what => new TimeoutException(what);
        var id = "lp-" + Guid.NewGuid().ToString("N")[..8];
        var now = host.Clock.GetUtcNow();
        using var api = MarketingClient();
        await CreateAsync(api, id, "broadcast", now.AddHours(-1), now.AddDays(7));
        host.CampaignCalls.ShowRunning(id, true);
        try
        {
            var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
            await GoAsync(page, $"console/campaigns/{id}");
            var status = page.GetByTestId("campaign-status");
            await Assertions.Expect(status).ToHaveTextAsync("running", new() { Timeout = WaitMs });

            // Two reads fail while the page follows the campaign: it says the figures are stale, and polls on. The warning
            // lands below Pause (page coordinates): above the progress bar it pushed Pause down as a click was on its way.
            const string PageTop = "e => e.getBoundingClientRect().top + window.scrollY";
            var pause = page.GetByTestId("campaign-pause");
            await Assertions.Expect(pause).ToBeVisibleAsync(new() { Timeout = WaitMs }); // measured once laid out, not before
            var before = await pause.EvaluateAsync<double>(PageTop);
            host.CampaignCalls.FailReads(id, 2, fault);
            await Assertions.Expect(page.GetByTestId("campaign-stale")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.Equal(before, await pause.EvaluateAsync<double>(PageTop));

            // The next read that works shows the campaign as it is (here: back to its draft), and the warning goes.
            host.CampaignCalls.ShowRunning(id, false);
            await Assertions.Expect(status).ToHaveTextAsync("draft", new() { Timeout = WaitMs });
            await Assertions.Expect(page.GetByTestId("campaign-stale")).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        }
        finally
        {
            host.CampaignCalls.ShowRunning(id, false);
            host.CampaignCalls.FailReads(id, 0);
        }
    }

    [Fact]
    public async Task AnAudienceEstimateWhoseIndexReadsTimeOutSaysUnavailableInsteadOfSpinningForever()
    {
        // The index table's SDK times out (a TaskCanceledException the page never asked for): not the page closing.
        var id = "ae-" + Guid.NewGuid().ToString("N")[..8];
        host.AudienceIndex.ReadsTimeOut = true;
        try
        {
            var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromDays(7));
            await Assertions.Expect(page.GetByTestId("audience-unavailable")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.Equal(0, await page.GetByTestId("audience-estimating").CountAsync());
            Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        }
        finally
        {
            host.AudienceIndex.ReadsTimeOut = false;
        }
    }

    [Fact]
    public async Task APauseWhoseReadBackTimesOutKeepsThePageAliveAndMarksItStale()
    {
        // The pause is confirmed; the read of the campaign after it times out (a TaskCanceledException nobody asked for).
        var id = "pt-" + Guid.NewGuid().ToString("N")[..8];
        var (page, status) = await OpenActiveTriggeredCampaignAsync(id);
        host.CampaignCalls.FailReads(id, 1, what => new TaskCanceledException(what));
        try
        {
            await page.GetByTestId("campaign-pause").ClickAsync();
            await Assertions.Expect(page.GetByTestId("campaign-stale")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());

            // The circuit lives on: pausing again (it answers "already") reads the campaign as it is, paused.
            await page.GetByTestId("campaign-pause").ClickAsync(new() { Timeout = WaitMs });
            await Assertions.Expect(status).ToHaveTextAsync("paused", new() { Timeout = WaitMs });
            await Assertions.Expect(page.GetByTestId("campaign-stale")).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        }
        finally
        {
            host.CampaignCalls.FailReads(id, 0);
        }
    }

    [Theory]
    [InlineData("en-US", "Trigger not confirmed", "draft", "response timeout")]
    [InlineData("zh-CN", "触发未确认", "草稿", "storage timeout")]
    public async Task ATriggerWhoseAnswerTimesOutAfterItStartedTheCampaignSaysTheOutcomeIsUnknownAndShowsItStarted(
        string locale, string unknown, string draft, string failure)
    {
        // The campaign starts its fan-out; the answer is lost on the way back (an Orleans response timeout, or a storage
        // SDK's TaskCanceledException nobody on the page asked for). It must not read as "not triggered".
        var id = "tu-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromDays(7), locale);
        await page.GetByTestId("campaign-trigger").WaitForAsync(new() { Timeout = WaitMs });
        host.CampaignCalls.FailNextTrigger(id, reached: true, TriggerFault(failure));
        await page.GetByTestId("campaign-trigger").ClickAsync();

        var shown = page.GetByTestId("campaign-trigger-unconfirmed");
        await Assertions.Expect(shown).ToContainTextAsync(unknown, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());

        // The page read the campaign again: no longer a draft, so no Trigger button, and the trigger is offered again.
        var status = page.GetByTestId("campaign-status");
        await Assertions.Expect(status).Not.ToHaveTextAsync(draft, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("campaign-trigger").CountAsync());
        Assert.Empty(await ReadAuditAsync(host, id, "campaign.trigger"));

        // Triggering again answers "already" and writes the trigger's audit row the lost answer kept from being written.
        await page.GetByTestId("campaign-trigger-retry").ClickAsync();
        await Assertions.Expect(shown).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "campaign.trigger"));
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
    }

    [Fact]
    public async Task ATriggerThatTimesOutBeforeReachingTheCampaignSaysTheOutcomeIsUnknownAndTheDraftCanBeTriggeredAgain()
    {
        var id = "tn-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromDays(7));
        var trigger = page.GetByTestId("campaign-trigger");
        await trigger.WaitForAsync(new() { Timeout = WaitMs });
        host.CampaignCalls.FailNextTrigger(id, reached: false, what => new TaskCanceledException(what));
        await trigger.ClickAsync();

        // The page cannot tell it never arrived: it says the outcome is unknown and shows the campaign as read again, a draft.
        var shown = page.GetByTestId("campaign-trigger-unconfirmed");
        await Assertions.Expect(shown).ToContainTextAsync("may or may not have started", new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        var status = page.GetByTestId("campaign-status");
        await Assertions.Expect(status).ToHaveTextAsync("draft", new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("campaign-trigger-retry").CountAsync());

        // The circuit lives on: the draft's own Trigger button starts it, once.
        await trigger.ClickAsync();
        await Assertions.Expect(status).Not.ToHaveTextAsync("draft", new() { Timeout = WaitMs });
        await Assertions.Expect(shown).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "campaign.trigger"));
    }

    [Fact]
    public async Task ATriggerNotConfirmedIsStillOfferedAfterAPauseAndTriggeringAgainWritesItsAuditRowOnce()
    {
        // The trigger starts the campaign; its answer is lost. The page shows it running (so Pause is offered).
        var id = "tp-" + Guid.NewGuid().ToString("N")[..8];
        var page = await OpenNewCampaignAsync(id, "broadcast", TimeSpan.FromDays(7));
        await page.GetByTestId("campaign-trigger").WaitForAsync(new() { Timeout = WaitMs });
        host.CampaignCalls.ShowRunning(id, true);
        try
        {
            host.CampaignCalls.FailNextTrigger(id, reached: true, what => new TimeoutException(what));
            await page.GetByTestId("campaign-trigger").ClickAsync();
            var unknown = page.GetByText("Trigger not confirmed");
            await Assertions.Expect(unknown).ToBeVisibleAsync(new() { Timeout = WaitMs });

            // The operator pauses before triggering again (the campaign pauses, or refuses if its fan-out of nobody has
            // ended): whatever the pause answers, the trigger is still not confirmed and still offered.
            await page.GetByTestId("campaign-pause").ClickAsync(new() { Timeout = WaitMs });
            await Eventually.ReturnsAsync(
                async () => (Refused: await page.GetByTestId("campaign-control-refused").CountAsync(), PauseRows: (await ReadAuditAsync(host, id, "campaign.pause")).Count),
                seen => seen.Refused > 0 || seen.PauseRows > 0, WaitTime,
                "the pause answered: its refusal shown, or its campaign.pause audit row (refusals shown, audit rows)");

            // Shown as it is again: a paused campaign offers Resume (the page has rendered the pause's answer).
            host.CampaignCalls.ShowRunning(id, false);
            if ((await ReadAuditAsync(host, id, "campaign.pause")).Count > 0)
            {
                await Assertions.Expect(page.GetByTestId("campaign-resume")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            }

            await Assertions.Expect(unknown).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.Empty(await ReadAuditAsync(host, id, "campaign.trigger"));

            // Triggering again answers "already" and writes the trigger's missing row, once.
            await page.GetByRole(AriaRole.Button, new() { Name = "Trigger again" }).ClickAsync(new() { Timeout = WaitMs });
            await Assertions.Expect(unknown).ToHaveCountAsync(0, new() { Timeout = WaitMs });
            Assert.Single(await ReadAuditAsync(host, id, "campaign.trigger"));
        }
        finally
        {
            host.CampaignCalls.ShowRunning(id, false);
        }
    }

    [Fact]
    public async Task ACampaignCreateNotConfirmedIsSentAgainAsSentByTheFormsOwnCreateButtonAfterTheClockMoved()
    {
        // In this class because it moves the engine clock: a definition rebuilt from the form a minute later has another
        // window, which the campaign would refuse as a conflict with the one the first attempt stored.
        var id = "cc-" + Guid.NewGuid().ToString("N")[..8];
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");
        await Input(page, "f-id").FillAsync(id);
        await Input(page, "f-name").FillAsync("Create not confirmed, created again");
        await Input(page, "f-regions").FillAsync("nowhere-" + id);
        await Input(page, "f-coupon").FillAsync("CC5");

        // The campaign is stored, then its audit write fails: not confirmed.
        host.Audit.FailNextAppend(id);
        await page.GetByTestId("campaign-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-create-unconfirmed")).ToContainTextAsync($"Campaign {id} not confirmed", new() { Timeout = WaitMs });
        Assert.Empty(await ReadAuditAsync(host, id, "campaign.create"));

        // A minute on, the marketer presses the form's own Create (not "Create again"): the pending create is sent as it
        // was, answers "exists", writes the missing row once and opens the campaign.
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{id}");
        Assert.Single(await ReadAuditAsync(host, id, "campaign.create"));
    }

    private static Func<string, Exception> TriggerFault(string failure) =>
        failure == "storage timeout" ? what => new TaskCanceledException(what) : what => new TimeoutException(what);

    /// <summary>
    /// Creates a campaign whose window began an hour ago (host clock) and ends <paramref name="endsIn"/> from now, and
    /// opens its page signed in as marketing.
    /// </summary>
    private async Task<IPage> OpenNewCampaignAsync(string id, string kind, TimeSpan endsIn, string locale = "en-US")
    {
        var now = host.Clock.GetUtcNow();
        using (var api = MarketingClient())
        {
            await CreateAsync(api, id, kind, now.AddHours(-1), now.Add(endsIn));
        }

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        return page;
    }

    /// <summary>A triggered campaign inside its week-long window, its page open and showing it active.</summary>
    private async Task<(IPage Page, ILocator Status)> OpenActiveTriggeredCampaignAsync(string id)
    {
        var page = await OpenNewCampaignAsync(id, "triggered", TimeSpan.FromDays(7));
        var status = page.GetByTestId("campaign-status");
        await Assertions.Expect(status).ToHaveTextAsync("active", new() { Timeout = WaitMs });
        return (page, status);
    }

    private HttpClient MarketingClient()
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        return client;
    }

    private static async Task CreateAsync(HttpClient marketing, string id, string kind, DateTimeOffset validFrom, DateTimeOffset validUntil)
    {
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Status " + id,
            kind,
            audience = new { regions = new[] { "nowhere-" + id } },
            channel = "push",
            offer = new { kind = "coupon", code = "ST5", unitCost = 5m },
            validFrom,
            validUntil,
            trigger = kind == "triggered" ? new { eventType = "purchase" } : null,
        }, ConsoleHostFixture.Json);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
    }
}

// Alone, after the parallel collections, as the evening host's: its first page load is a fresh host's, and beside another
// host and browser on 2 cores under load it once took over the 30 s a page load may take.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClockMovingConsoleHostCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console host, clock moved by its tests";
}
