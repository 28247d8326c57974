using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Campaigns;

/// <summary>
/// A broadcast on the real silo with the Azure member index: SIGKILL in the middle of the fan-out, start again over the
/// same storage, and every audience member is reached exactly once, with at most one touch each.
/// </summary>
[Trait("Machine", "Alone")] // needs the machine to itself: kills and restarts the silo mid-campaign
[ExpectedSeconds(50)]
public sealed class CampaignRestartTests
{
    private const int MemberCount = 360;

    [Fact]
    public async Task FanOutResumesAfterSiloKillAndReachesEveryMemberExactlyOnce()
    {
        var (scope, touchQueue, settings) = Setup();
        await using var queues = new EventQueues(settings);
        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            var (campaignId, members) = await SeedAndTriggerAsync(silo, scope, settings.Clock);
            using (var marketing = silo.CreateClient(SiloProcess.MarketingKey))
            {
                // Kill once a good part, but not all, of the audience is reached.
                await UntilQuarterReachedAsync(marketing, campaignId);
            }

            await silo.KillAsync();
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(settings);

            using var http = silo.CreateClient(SiloProcess.MarketingKey);
            var campaign = await UntilCompletedAsync(http, campaignId, "the fan-out completes after the restart");

            await AssertEveryMemberReachedOnceAsync(silo, settings, touchQueue, campaignId, members, campaign["progress"]!.AsObject());
        }
        finally
        {
            await silo.DisposeAsync();
            await DeleteCreatedAsync(settings, touchQueue);
        }
    }

    [Fact]
    public async Task APausedFanOutStaysPausedAcrossASiloKillAndResumesToReachEveryMemberOnce()
    {
        var (scope, touchQueue, settings) = Setup();
        await using var queues = new EventQueues(settings);
        var silo = await SiloProcess.StartAsync(settings);
        try
        {
            var (campaignId, members) = await SeedAndTriggerAsync(silo, scope, settings.Clock);
            long reachedAtPause;
            using (var marketing = silo.CreateClient(SiloProcess.MarketingKey))
            {
                await UntilQuarterReachedAsync(marketing, campaignId);
                using var paused = await marketing.PostAsync($"api/v1/campaigns/{campaignId}/pause", null);
                Assert.Equal(HttpStatusCode.OK, paused.StatusCode);

                // The pages under way finish and are checkpointed; then the counts stand still.
                JsonObject progress = new();
                await Poll.UntilAsync(async () =>
                {
                    progress = (await CampaignAsync(marketing, campaignId))["progress"]!.AsObject();
                    return !progress["fanOutRunning"]!.GetValue<bool>();
                }, TimeSpan.FromSeconds(60), "the fan-out stops at a page boundary");
                reachedAtPause = progress.Int64Of("reached");
                Assert.InRange(reachedAtPause, 1, MemberCount - 1);
            }

            await silo.KillAsync();
            await silo.DisposeAsync();
            silo = await SiloProcess.StartAsync(settings);

            using var http = silo.CreateClient(SiloProcess.MarketingKey);

            // Neither the activation nor the reminder restarts a paused fan-out: watched for 3 s (a page of 20 takes
            // 0.17 s at 120 deliveries/s), the status stays paused and not one more member is reached.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                var still = await CampaignAsync(http, campaignId);
                Assert.Equal("paused", still.Str("status"));
                Assert.Equal(reachedAtPause, still["progress"]!.AsObject().Int64Of("reached"));
                await Poll.PauseAsync();
            }

            using var resumed = await http.PostAsync($"api/v1/campaigns/{campaignId}/resume", null);
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            var campaign = await UntilCompletedAsync(http, campaignId, "the fan-out completes after the resume");

            await AssertEveryMemberReachedOnceAsync(silo, settings, touchQueue, campaignId, members, campaign["progress"]!.AsObject());
        }
        finally
        {
            await silo.DisposeAsync();
            await DeleteCreatedAsync(settings, touchQueue);
        }
    }

    private static (string Scope, string TouchQueue, SiloSettings Settings) Setup()
    {
        var scope = "c" + Guid.NewGuid().ToString("N")[..10];
        var touchQueue = ("touch-" + scope).ToLowerInvariant();
        var settings = SiloSettings.ForTest("campaign") with
        {
            Extra = new Dictionary<string, string>
            {
                ["Engagement__Campaigns__MemberIndexTableName"] = "MIdx" + scope,
                ["Engagement__Campaigns__IndexShardCount"] = "8",
                ["Engagement__Campaigns__FanOutPageSize"] = "20",
                // Slow enough that the kill (or the pause) lands mid-fan-out (a real deployment uses it to spare connectors).
                ["Engagement__Campaigns__MaxDeliveriesPerSecond"] = "120",
                ["Engagement__Storage__TouchQueueName"] = touchQueue,
            },
        };
        return (scope, touchQueue, settings);
    }

    /// <summary>Deletes the touch queue and member-index table <see cref="Setup"/> named for this test, so Azurite does not keep them.</summary>
    private static async Task DeleteCreatedAsync(SiloSettings settings, string touchQueue)
    {
        await new QueueClient(settings.ConnectionString, touchQueue).DeleteIfExistsAsync();
        await new TableServiceClient(settings.ConnectionString).GetTableClient(settings.Extra["Engagement__Campaigns__MemberIndexTableName"]).DeleteAsync();
    }

    /// <summary>Seeds <see cref="MemberCount"/> members in one region, creates a two-arm broadcast over it and triggers it.</summary>
    private static async Task<(string CampaignId, List<string> Members)> SeedAndTriggerAsync(SiloProcess silo, string scope, TimeProvider clock)
    {
        var region = scope + "-east";
        var members = Enumerable.Range(0, MemberCount).Select(i => $"{scope}-{i.ToString("D4", CultureInfo.InvariantCulture)}").ToList();
        using (var admin = silo.CreateClient())
        {
            await SeedMembersAsync(admin, members, region, clock);
        }

        var campaignId = scope + "-winter";
        using var marketing = silo.CreateClient(SiloProcess.MarketingKey);
        var now = clock.GetUtcNow();
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id = campaignId,
            name = "Winter restart test",
            kind = "broadcast",
            audience = new { regions = new[] { region } },
            offer = new { kind = "coupon", code = "WINTER20", unitCost = 20m },
            channel = "push",
            validFrom = now.AddHours(-1),
            validUntil = now.AddDays(2),
            arms = new[] { new { name = "a", weight = 1.0 }, new { name = "b", weight = 1.0 } },
            controlShare = 0.2,
        }, Api.Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var triggered = await marketing.PostAsync($"api/v1/campaigns/{campaignId}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        return (campaignId, members);
    }

    private static async Task<JsonObject> UntilCompletedAsync(HttpClient http, string campaignId, string what)
    {
        JsonObject campaign = new();
        await Poll.UntilAsync(async () =>
        {
            campaign = await CampaignAsync(http, campaignId);
            return campaign.Str("status") == "completed";
        }, TimeSpan.FromSeconds(90), what);
        return campaign;
    }

    private static async Task UntilQuarterReachedAsync(HttpClient marketing, string campaignId)
    {
        JsonObject progress = new();
        await Poll.UntilAsync(async () =>
        {
            progress = (await CampaignAsync(marketing, campaignId))["progress"]!.AsObject();
            return progress.Int64Of("reached") >= MemberCount / 4;
        }, TimeSpan.FromSeconds(60), "a quarter of the audience reached");
        Assert.True(progress.Int64Of("reached") < MemberCount, "the fan-out finished too early; slow it down");
    }

    /// <summary>Every member has exactly one record of the campaign and at most one touch; the counts and the touch queue agree.</summary>
    private static async Task AssertEveryMemberReachedOnceAsync(SiloProcess silo, SiloSettings settings, string touchQueue, string campaignId, List<string> members, JsonObject p)
    {
        Assert.Equal(MemberCount, p.Int64Of("total"));
        Assert.Equal(MemberCount, p.Int64Of("reached"));
        Assert.Equal(
            MemberCount,
            p.Int64Of("sent") + p.Int64Of("deferred") + p.Int64Of("suppressed") + p.Int64Of("control") + p.Int64Of("excluded") + p.Int64Of("ineligible"));

        // Every member has exactly one record of the campaign, and at most one touch decision for it.
        // Members side by side (8 at a time), not 720 reads one after another.
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using var response = await support.GetAsync($"api/v1/campaigns/{campaignId}/members/{id}", ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id} was not reached: {response.StatusCode}");
            var membership = (await response.Content.ReadFromJsonAsync<JsonNode>(Api.Json, ct))!.AsObject();
            var group = membership.Str("group");
            lock (groups)
            {
                groups[group] = groups.GetValueOrDefault(group) + 1;
            }

            var touches = (await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{id}/touches", Api.Json, ct))!
                .Select(t => t!.AsObject())
                .Where(t => t["campaignId"]?.GetValue<string>() == campaignId)
                .ToList();
            Assert.True(touches.Select(t => t.Str("touchId")).Distinct().Count() <= 1, $"{id} has more than one touch id for the campaign");
            Assert.True(touches.Count(t => t.Str("decision") == "sent") <= 1, $"{id} was sent the campaign twice");
            if (group != "arm")
            {
                Assert.Empty(touches);
            }
        });

        Assert.Equal(p.Int64Of("control"), groups.GetValueOrDefault("control"));
        Assert.Equal(p.Int64Of("excluded"), groups.GetValueOrDefault("global_control"));

        // The outbox queue carries each sent touch id for one member only (repeats of one id are allowed by contract).
        var published = await DrainAsync(new QueueClient(settings.ConnectionString, touchQueue));
        var ofCampaign = published.Where(t => t["campaignId"]?.GetValue<string>() == campaignId).ToList();
        Assert.All(ofCampaign.GroupBy(t => t.Str("memberId")), g => Assert.Single(g.Select(t => t.Str("touchId")).Distinct()));
        Assert.Equal(p.Int64Of("sent"), ofCampaign.Select(t => t.Str("memberId")).Distinct().Count());
    }

    private static async Task SeedMembersAsync(HttpClient admin, IReadOnlyList<string> members, string region, TimeProvider clock)
    {
        // The silo's engine clock is pinned to noon in Shanghai (TestClock), so quiet hours do not defer the touches
        // (they would still count once).
        const string zone = "Asia/Shanghai";
        var at = clock.GetUtcNow().AddMinutes(-30);
        foreach (var chunk in members.Chunk(200))
        {
            var events = chunk.SelectMany((id, i) => new object[]
            {
                new { eventId = id + "-profile", type = "profile_update", memberId = id, occurredAt = at, regionId = region, properties = new Dictionary<string, string> { ["timeZone"] = zone } },
                new { eventId = id + "-p0", type = "purchase", memberId = id, occurredAt = at.AddMinutes(1), orderId = id + "-o0", amount = 100m + i, regionId = region },
            }).ToList();
            using var response = await admin.PostEventsAsync(events);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static async Task<JsonObject> CampaignAsync(HttpClient http, string campaignId) =>
        (await http.GetFromJsonAsync<JsonNode>($"api/v1/campaigns/{campaignId}", Api.Json))!.AsObject();

    private static async Task<List<JsonObject>> DrainAsync(QueueClient queue)
    {
        var all = new List<JsonObject>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0)
            {
                return all;
            }

            all.AddRange(batch.Select(m => JsonNode.Parse(m.Body.ToString())!.AsObject()));
        }
    }
}
