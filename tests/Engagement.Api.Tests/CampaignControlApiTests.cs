using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>CONTRACT.md §4 campaign control: pause, resume and trigger by marketing, each audited; ids that are path tricks refused.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class CampaignControlApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task MarketingPausesAndResumesATriggeredCampaignIdempotentlyAndTheAuditSaysWhoOnce()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var id = "ctl-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        using var support = host.Client(ApiHostFixture.SupportKey);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id, "triggered")).StatusCode);

        using var forbidden = await support.PostAsync($"api/v1/campaigns/{id}/pause", null);
        using var paused = await marketing.PostAsync($"api/v1/campaigns/{id}/pause", null);
        using var pausedAgain = await marketing.PostAsync($"api/v1/campaigns/{id}/pause", null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", (await paused.Content.ReadFromJsonAsync<JsonObject>(Json))!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, pausedAgain.StatusCode);
        Assert.Equal("paused", (await marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json))!["status"]!.GetValue<string>());

        using var resumed = await marketing.PostAsync($"api/v1/campaigns/{id}/resume", null);
        using var resumedAgain = await marketing.PostAsync($"api/v1/campaigns/{id}/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal("active", (await resumed.Content.ReadFromJsonAsync<JsonObject>(Json))!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, resumedAgain.StatusCode);

        var audit = await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json);
        var mine = audit!.Where(a => a!["target"]!.GetValue<string>() == id).Select(a => a!.AsObject()).ToList();
        Assert.Equal(["campaign.create", "campaign.pause", "campaign.resume"], mine.Select(a => a["action"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(mine, a => Assert.Equal("marketing", a["role"]!.GetValue<string>()));
        Assert.All(mine.Where(a => a["action"]!.GetValue<string>() != "campaign.create"), a => Assert.StartsWith("pause 1:", a["detail"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TransitionsThatAreNotAllowedAre409sSayingWhyAndTheApiTriggerIsAudited()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var id = "ctl-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id, "broadcast")).StatusCode);

        using var pauseDraft = await marketing.PostAsync($"api/v1/campaigns/{id}/pause", null);
        using var resumeDraft = await marketing.PostAsync($"api/v1/campaigns/{id}/resume", null);
        using var missing = await marketing.PostAsync($"api/v1/campaigns/{id}-none/pause", null);

        Assert.Equal(HttpStatusCode.Conflict, pauseDraft.StatusCode);
        var problem = (await pauseDraft.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("The campaign cannot be paused", problem["title"]!.GetValue<string>());
        Assert.Contains("draft: trigger it first", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("draft", problem["campaignStatus"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, resumeDraft.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var triggered = await marketing.PostAsync($"api/v1/campaigns/{id}/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var audit = await admin.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json);
        // Its creation has a row of its own (campaign.create); the trigger is one more.
        var row = Assert.Single(audit!, a => a!["target"]!.GetValue<string>() == id && a["action"]!.GetValue<string>() != "campaign.create")!;
        Assert.Equal("campaign.trigger", row["action"]!.GetValue<string>());
        Assert.Equal("marketing", row["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryCampaign409NamesAStableReasonBesideTheDetail()
    {
        var id = "rsn-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id + "-d", "broadcast")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id + "-t", "triggered")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id + "-s", "broadcast", now.AddDays(1), now.AddDays(2))).StatusCode);

        await AssertRefusedAsync(await CreateAsync(marketing, id + "-d", "triggered"), "definition_differs", "definitions are immutable");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-d/pause", null), "draft", "trigger it first");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-d/resume", null), "draft", "trigger it first");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-t/trigger", null), "not_broadcast", "only broadcasts are triggered");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-s/trigger", null), "not_started", "the campaign runs from");

        // A broadcast whose audience is nobody completes at once: pausing or resuming it is refused as completed.
        Assert.Equal(HttpStatusCode.Accepted, (await marketing.PostAsync($"api/v1/campaigns/{id}-d/trigger", null)).StatusCode);
        await Poll.UntilAsync(() => marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}-d", Json), c => c["status"]!.GetValue<string>() == "completed");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-d/pause", null), "completed", "every audience member was reached");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-d/resume", null), "completed", "every audience member was reached");

        // Windows that end in five seconds of the host's clock, read now (the steps above may take seconds on a loaded
        // machine, and a window already over is refused at creation): one paused before, one left active, one
        // broadcast never triggered.
        var end = host.Clock.GetUtcNow().AddSeconds(5);
        foreach (var (suffix, kind) in new[] { ("-p", "triggered"), ("-a", "triggered"), ("-b", "broadcast") })
        {
            Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id + suffix, kind, now.AddHours(-1), end)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await marketing.PostAsync($"api/v1/campaigns/{id}-p/pause", null)).StatusCode);
        await Poll.UntilAsync(() => marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}-a", Json), c => c["status"]!.GetValue<string>() == "ended");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-p/resume", null), "ended", "validity is over");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-a/pause", null), "ended", "validity is over");
        await AssertRefusedAsync(await marketing.PostAsync($"api/v1/campaigns/{id}-b/trigger", null), "ended", "the campaign runs from");
    }

    [Fact]
    public async Task TheOpenApiDocumentListsTheCampaign409sAndTheirReasons()
    {
        using var anonymous = host.Client(null);
        var paths = (await anonymous.GetFromJsonAsync<JsonObject>("openapi/v1.json", Json))!["paths"]!;
        foreach (var (path, reasons) in new[]
        {
            ("/api/v1/campaigns", new[] { "definition_differs" }),
            ("/api/v1/campaigns/{campaignId}/trigger", ["not_broadcast", "not_started", "ended"]),
            ("/api/v1/campaigns/{campaignId}/pause", ["draft", "completed", "ended"]),
            ("/api/v1/campaigns/{campaignId}/resume", ["draft", "completed", "ended"]),
        })
        {
            var post = paths[path]!["post"]!;
            Assert.NotNull(post["responses"]!["409"]);
            Assert.All(reasons, r => Assert.Contains(r, post["summary"]!.GetValue<string>(), StringComparison.Ordinal));
        }
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason, string detail)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
            Assert.Equal(reason, problem["reason"]?.GetValue<string>());
            Assert.Contains(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(".", HttpStatusCode.MethodNotAllowed)]
    [InlineData("..", HttpStatusCode.NotFound)]
    public async Task DotIdsAreRefusedNamingTheField(string id, HttpStatusCode pauseAnswer)
    {
        using var marketing = host.Client(ApiHostFixture.MarketingKey);

        using var created = await CreateAsync(marketing, id, "broadcast");
        var escaped = id.Replace(".", "%2E", StringComparison.Ordinal);
        using var paused = await marketing.PostAsync($"api/v1/campaigns/{escaped}/pause", null);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.True((await created.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().ContainsKey("id"));

        // In a path a dot segment is resolved away before routing, so it never names a campaign: …/campaigns/%2E/pause is
        // …/campaigns/pause, a GET-only route (405); …/campaigns/%2E%2E/pause is …/api/v1/pause, which no endpoint answers
        // (404; it was a 405 while the GET-only static-asset development fallback was on, before appsettings.json set
        // DisableStaticAssetNotFoundRuntimeFallback).
        Assert.Equal(pauseAnswer, paused.StatusCode);
    }

    [Fact]
    public async Task ACampaignWhoseWindowHasEndedIsRefusedAtCreationNamingValidUntil()
    {
        var id = "ctl-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();

        using var ended = await CreateAsync(marketing, id, "broadcast", now.AddDays(-8), now.AddDays(-1));
        using var missing = await marketing.GetAsync($"api/v1/campaigns/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
        var errors = (await ended.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["validUntil"], errors.Select(e => e.Key));
        Assert.Contains("has passed", errors["validUntil"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(marketing, id, "broadcast", now.AddDays(-8), now.AddHours(1))).StatusCode);
    }

    private Task<HttpResponseMessage> CreateAsync(HttpClient marketing, string id, string kind) =>
        CreateAsync(marketing, id, kind, host.Clock.GetUtcNow().AddHours(-1), host.Clock.GetUtcNow().AddDays(1));

    private static Task<HttpResponseMessage> CreateAsync(HttpClient marketing, string id, string kind, DateTimeOffset validFrom, DateTimeOffset validUntil) => marketing.PostAsJsonAsync("api/v1/campaigns", new
    {
        id,
        name = "Control " + id,
        kind,
        audience = new { regions = new[] { "nowhere-" + id } },
        channel = "push",
        offer = new { kind = "coupon", code = "CTL5", unitCost = 5m },
        validFrom,
        validUntil,
        trigger = kind == "triggered" ? new { eventType = "purchase" } : null,
    }, Json);
}
