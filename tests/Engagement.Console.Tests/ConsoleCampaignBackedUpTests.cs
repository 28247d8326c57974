using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// The campaign page's line about members the fan-out found backed up (<c>campaign-backed-up</c>: skipped, reached later,
/// waiting for a retry, given up; CampaignBackedUpTexts), rendered in a browser from a campaign the real engine ran: two
/// members whose ledger archive is down (<see cref="FlakyLedgerArchive"/>) refuse the delivery as backed up; one's archive
/// comes back, the campaign is paused (the page says nobody is retried until it resumes) and resumed (the waiting
/// members are asked at once: the healed one is reached, the other refused again). Each stage in English and Chinese.
/// </summary>
[Collection(CampaignConsoleHostCollection.Name)]
public sealed class ConsoleCampaignBackedUpTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    /// <summary>How long the engine may take to run the fan-out, a pause or a resume: 60 s each.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    // The longest adjustment reason (the backed-up outbox passes its byte bound in the fewest changes), this test's own:
    // LongAdjustments.Reason is the Grains and Azure tests', so a ledger entry or log line left behind names this case.
    private static readonly string BackedUpPageReason = string.Concat(Enumerable.Repeat("活动页积压测试会员发件箱已满人工补发", 12))[..Engagement.Domain.Points.AdjustmentPolicy.MaxReasonLength];

    [Fact]
    public async Task TheFourBackedUpCountsAndThePauseNoteShowAsTheEngineCountedThemInBothLanguages()
    {
        var percent = host.Services.GetRequiredService<Engagement.Contracts.Search.IAudienceIndex>().GlobalControlPercent;
        var region = "bu" + Guid.NewGuid().ToString("N")[..8];
        var ids = Members(region, percent);
        var delivered = ids.Where(m => !Engagement.Domain.Campaigns.CampaignAssignment.IsGlobalControl(m, percent)).ToList();
        var (healed, stuck) = (delivered[0], delivered[1]);

        var now = host.Clock.GetUtcNow();
        await host.PostEventsAsync(ids.Select(m => (object)new { eventId = m + "-r", type = "register", memberId = m, occurredAt = now.AddDays(-40), regionId = region }));
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var id = "bu-" + region;
        try
        {
            await BackUpAsync(healed);
            await BackUpAsync(stuck);
            await CreateAndTriggerAsync(api, id, region, now);

            // Every page done, both members skipped as backed up and waiting for their retry (due a minute later on the
            // engine's clock, which stays pinned: none comes).
            await ProgressAsync(api, id, p => p["shardsDone"]!.GetValue<int>() == p["shards"]!.GetValue<int>() && Count(p, "backedUpWaiting") == 2, "both members waiting");
            await ExpectAsync(id, "waiting", running: true, ["2 skipped", "0 reached later", "2 waiting for a retry", "0 given up"], ["跳过 2 人", "稍后送达 0 人", "等待重试 2 人", "已放弃 0 人"]);

            // One member's archive is back (a ledger read sends what waited); the campaign is paused: nobody is asked.
            host.Ledger.Heal(healed);
            await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(healed).GetLedgerAsync(new LedgerQuery { Limit = 1 });
            await ControlAsync(api, id, "pause");
            await ProgressAsync(api, id, p => Count(p, "backedUpWaiting") == 2, "the paused campaign");
            await ExpectAsync(id, "paused", running: false, ["2 skipped", "0 reached later", "2 waiting for a retry", "0 given up"], ["跳过 2 人", "稍后送达 0 人", "等待重试 2 人", "已放弃 0 人"]);

            // The resume asks both at once: the healed one is reached, the other refused again and still waits.
            await ControlAsync(api, id, "resume");
            await ProgressAsync(api, id, p => Count(p, "backedUpReachedLater") == 1 && Count(p, "backedUpWaiting") == 1, "the resume's retry");
            await ExpectAsync(id, "resumed", running: true, ["2 skipped", "1 reached later", "1 waiting for a retry", "0 given up"], ["跳过 2 人", "稍后送达 1 人", "等待重试 1 人", "已放弃 0 人"]);
        }
        finally
        {
            host.Ledger.Heal(healed);
            host.Ledger.Heal(stuck);
        }
    }

    /// <summary>
    /// Opens the campaign's page in English and in Chinese and expects the backed-up line's title and four counts in their
    /// places, and the pause note only while the campaign is paused (<paramref name="running"/> false); a screenshot of
    /// each, named by <paramref name="stage"/> and the language.
    /// </summary>
    private async Task ExpectAsync(string id, string stage, bool running, string[] english, string[] chinese)
    {
        foreach (var (locale, title, counts, note) in new[]
        {
            ("en-US", "Backed up (outbox full):", english, "Paused: nobody is retried until the campaign resumes; then the waiting members are asked at once."),
            ("zh-CN", "积压（会员发件箱已满）：", chinese, "已暂停：恢复前不会重试；恢复后立即重试等待中的会员。"),
        })
        {
            var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey, locale);
            try
            {
                await GoAsync(page, $"console/campaigns/{id}");
                var line = page.GetByTestId("campaign-backed-up");
                await Assertions.Expect(line).ToContainTextAsync(title, new() { Timeout = WaitMs });
                await Assertions.Expect(line.GetByTestId("campaign-backed-up-part")).ToHaveTextAsync(counts, new() { Timeout = WaitMs });
                var paused = page.GetByTestId("campaign-backed-up-paused");
                if (running)
                {
                    await Assertions.Expect(paused).ToHaveCountAsync(0);
                }
                else
                {
                    await Assertions.Expect(paused).ToHaveTextAsync(note);
                }

                await ScreenshotAsync(page, $"campaign-backed-up-{stage}-{locale}");
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }
    }

    /// <summary>
    /// The region's members, <c>{region}-000</c> on, up to the second outside the programme's global control (the campaign
    /// delivers to those two; any before them in the control stay members of the region the campaign leaves out).
    /// </summary>
    private static List<string> Members(string region, int percent)
    {
        Assert.InRange(percent, 0, 99);
        var ids = new List<string>();
        for (var (i, outside) = (0, 0); outside < 2; i++)
        {
            ids.Add($"{region}-{i:D3}");
            outside += Engagement.Domain.Campaigns.CampaignAssignment.IsGlobalControl(ids[^1], percent) ? 0 : 1;
        }

        return ids;
    }

    /// <summary>Fails the member's archive and adjusts it with long reasons until it refuses as backed up (the test heals it).</summary>
    private async Task BackUpAsync(string memberId)
    {
        var member = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(memberId);
        await member.GetLedgerAsync(new LedgerQuery { Limit = 1 }); // what its registration sent is out before the archive fails
        host.Ledger.Fail(memberId);
        Assert.NotNull(await LongAdjustments.UntilBackedUpAsync(member, reason: BackedUpPageReason));
    }

    /// <summary>A broadcast over <paramref name="region"/> (no control share, a push coupon), created and triggered through the API.</summary>
    private static async Task CreateAndTriggerAsync(HttpClient api, string id, string region, DateTimeOffset now)
    {
        var definition = new JsonObject
        {
            ["id"] = id,
            ["name"] = "Backed up " + region,
            ["kind"] = "broadcast",
            ["audience"] = new JsonObject { ["regions"] = new JsonArray(region) },
            ["channel"] = "push",
            ["offer"] = new JsonObject { ["kind"] = "coupon", ["code"] = "BU5", ["unitCost"] = 5m },
            ["controlShare"] = 0,
            ["validFrom"] = now.AddHours(-1),
            ["validUntil"] = now.AddDays(14),
        };
        using (var created = await api.PostAsJsonAsync("api/v1/campaigns", definition, ConsoleHostFixture.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        await ControlAsync(api, id, "trigger");
    }

    private static async Task ControlAsync(HttpClient api, string id, string action)
    {
        using var answer = await api.PostAsync($"api/v1/campaigns/{id}/{action}", null);
        Assert.True(answer.IsSuccessStatusCode, $"{action}: {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>Polls the campaign's progress (API) until <paramref name="done"/> holds and no fan-out run is under way.</summary>
    private static Task<JsonObject> ProgressAsync(HttpClient api, string id, Func<JsonObject, bool> done, string what) =>
        Eventually.ReturnsAsync(
            async () => (await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", ConsoleHostFixture.Json))!["progress"]!.AsObject(),
            p => !p["fanOutRunning"]!.GetValue<bool>() && done(p), Within, $"campaign {id}: {what} (its progress)");

    private static long Count(JsonObject progress, string name) => progress[name]!.GetValue<long>();
}
