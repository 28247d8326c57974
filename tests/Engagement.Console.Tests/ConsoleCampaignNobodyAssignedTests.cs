using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// A started campaign that assigned nobody yet (paused at once, or an audience still empty) has no uplift because nobody
/// was assigned, and the page says that first: not that the control group is empty, nor to raise the control share.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignNobodyAssignedTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Theory]
    [InlineData("en-US", "no member has been assigned to an arm or the control group yet", "control group is empty")]
    [InlineData("zh-CN", "还没有会员被分配", "对照组为空")]
    public async Task ACampaignPausedBeforeAnyoneWasAssignedSaysNobodyWasAssignedNotThatTheControlGroupIsEmpty(string locale, string reason, string wrongReason)
    {
        var id = "na-" + Guid.NewGuid().ToString("N")[..10];
        using var api = await CreateWithNoAudienceAsync(id, "broadcast");

        // Triggered and paused at once: whether the pause lands before the (empty) fan-out ends or after, nobody is assigned.
        (await api.PostAsync($"api/v1/campaigns/{id}/trigger", null)).Dispose();
        (await api.PostAsync($"api/v1/campaigns/{id}/pause", null)).Dispose();
        await NobodyAssignedAsync(api, id, "paused", "completed");

        var (text, _) = await MissingTextsAsync(id, locale);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongReason, text, StringComparison.Ordinal);
        Assert.DoesNotContain("controlShare", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "the campaign finished without assigning any member to an arm or the control group (its audience was empty when it was sent)", "yet", "hold-out")]
    [InlineData("zh-CN", "活动已结束，没有任何会员被分配到实验组或对照组（发送时受众为空）", "目前还没有", "留出组")]
    public async Task ABroadcastThatFinishedWithNobodyAssignedSaysItsAudienceWasEmptyNotThatNobodyWasAssignedYet(string locale, string reason, string wrongReason, string holdOut)
    {
        var id = "nf-" + Guid.NewGuid().ToString("N")[..10];
        using var api = await CreateWithNoAudienceAsync(id, "broadcast");

        // An empty audience: the fan-out completes having assigned nobody, and nobody will be assigned later.
        (await api.PostAsync($"api/v1/campaigns/{id}/trigger", null)).Dispose();
        await NobodyAssignedAsync(api, id, "completed");

        var (text, global) = await MissingTextsAsync(id, locale);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongReason, text, StringComparison.Ordinal);

        // The global-control comparison is missing for the same reason: nobody was assigned, not that the hold-out is empty.
        Assert.Contains(reason, global, StringComparison.Ordinal);
        Assert.DoesNotContain(holdOut, global, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "no member triggered the campaign before its window closed", "audience was empty", "hold-out")]
    [InlineData("zh-CN", "活动有效期结束前没有任何会员触发该活动", "发送时受众为空", "留出组")]
    public async Task ATriggeredCampaignWhoseWindowClosedWithNobodyAssignedSaysNoMemberTriggeredItNotThatItsAudienceWasEmpty(string locale, string reason, string wrongReason, string holdOut)
    {
        var id = "nt-" + Guid.NewGuid().ToString("N")[..10];
        using var api = await CreateWithNoAudienceAsync(id, "triggered");
        await NobodyAssignedAsync(api, id, "active");

        // The engine refuses a window already over at creation, and the shared clock stays pinned: the campaign's reads
        // answer "ended" (as StatusAt does once the window closes) while all else is the real campaign's, nobody assigned.
        host.CampaignCalls.ShowEnded(id, true);
        try
        {
            await NobodyAssignedAsync(api, id, "ended");
            var (text, global) = await MissingTextsAsync(id, locale);
            Assert.Contains(reason, text, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongReason, text, StringComparison.Ordinal);
            Assert.DoesNotContain("yet", text, StringComparison.Ordinal);
            Assert.Contains(reason, global, StringComparison.Ordinal);
            Assert.DoesNotContain(holdOut, global, StringComparison.Ordinal);
        }
        finally
        {
            host.CampaignCalls.ShowEnded(id, false);
        }
    }

    // A campaign of the given kind whose audience is a region no member is in, valid for 7 days from the pinned clock;
    // the returned client is marketing's.
    private async Task<HttpClient> CreateWithNoAudienceAsync(string id, string kind)
    {
        var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();
        using var created = await api.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Nobody " + kind,
            kind,
            audience = new { regions = new[] { "nowhere-" + id } },
            channel = "push",
            offer = new { kind = "coupon", code = "NA5", unitCost = 5m },
            controlShare = 0.2,
            trigger = kind == "triggered" ? new { eventType = "purchase" } : null,
            validFrom = now,
            validUntil = now.AddDays(7),
        }, ConsoleHostFixture.Json);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return api;
    }

    // Waits until the campaign's results have one of the statuses, then checks nobody is treated or in the control group.
    private static async Task NobodyAssignedAsync(HttpClient api, string id, params string[] statuses)
    {
        var results = await Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/results", ConsoleHostFixture.Json))!,
            r => statuses.Contains(r["status"]!.GetValue<string>()), WaitTime, $"campaign {id} {string.Join(" or ", statuses)}");
        Assert.Equal(0, results["treated"]!["audience"]!.GetValue<long>());
        Assert.Equal(0, results["control"]!["audience"]!.GetValue<long>());
    }

    // The campaign page's reasons for missing uplifts and for the missing global-control comparison, as marketing reads
    // them in the locale.
    private async Task<(string Uplift, string Global)> MissingTextsAsync(string id, string locale)
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
        await GoAsync(page, $"console/campaigns/{id}");
        var missing = page.GetByTestId("uplift-missing");
        await Assertions.Expect(missing.First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        var global = page.GetByTestId("global-control-missing");
        await Assertions.Expect(global).ToBeVisibleAsync(new() { Timeout = WaitMs });
        return (string.Join("\n", await missing.AllInnerTextsAsync()), await global.InnerTextAsync());
    }
}
