using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// Admin and marketing actions that change what members get are in the audit (CONTRACT.md §4 <c>GET /audit</c>: every
/// manual action, who, when, what), once per action however often a client retries it.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AdminAuditApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ACatalogueWriteIsAuditedOnceAndARetryAddsNoRow()
    {
        var rewardId = "aud-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var reward = new { name = "Kettle", marketPrice = 300.00m, pointsPrice = 30_000, steps = new[] { new { points = 20_000, cash = 100.00m } } };
        var repriced = reward with { pointsPrice = 25_000 };

        using var created = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", reward, Json);
        using var retried = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", reward, Json);
        using var changed = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", repriced, Json);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var rows = (await AuditAsync()).Where(r => r["target"]!.GetValue<string>() == rewardId).OrderBy(r => r["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("catalogue.put", r["action"]!.GetValue<string>());
            Assert.Equal("admin", r["actor"]!.GetValue<string>());
            Assert.Equal("admin", r["role"]!.GetValue<string>());
        });
        Assert.StartsWith("created: 'Kettle', 30000 points or 20000 points + 100.00 CNY", rows[0]["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("updated: 'Kettle', 25000 points", rows[1]["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACampaignCreationIsAuditedOnceWithWhoCreatedIt()
    {
        var id = "aud-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();
        var definition = new
        {
            id, name = "Audit " + id, kind = "broadcast", audience = new { regions = new[] { "nowhere-" + id } }, channel = "push",
            offer = new { kind = "coupon", code = "AUD5", unitCost = 5m }, budget = new { maxCost = 500m },
            validFrom = now.AddHours(-1), validUntil = now.AddDays(1),
        };

        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", definition, Json);
        using var retried = await marketing.PostAsJsonAsync("api/v1/campaigns", definition, Json);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var row = Assert.Single(await AuditAsync(), r => r["target"]!.GetValue<string>() == id);
        Assert.Equal("campaign.create", row["action"]!.GetValue<string>());
        Assert.Equal("marketing", row["actor"]!.GetValue<string>());
        Assert.Equal("marketing", row["role"]!.GetValue<string>());
        Assert.StartsWith($"broadcast 'Audit {id}' on push, offer coupon AUD5, at most 500 CNY", row["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsentChangeRetriedByTheClientIsOneAuditRow()
    {
        var memberId = await RegisterAsync("AK");
        using var support = host.Client(ApiHostFixture.NamedSupportKey);
        var uri = $"api/v1/members/{memberId}/consent?reason={Uri.EscapeDataString("asked by phone")}";
        var optOut = new Dictionary<string, bool> { ["sms"] = false };

        using var first = await support.PutAsJsonAsync(uri, optOut, Json);
        using var retried = await support.PutAsJsonAsync(uri, optOut, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.False((await retried.Content.ReadFromJsonAsync<JsonObject>(Json))!["consent"]!["sms"]!.GetValue<bool>());
        var row = Assert.Single(await AuditAsync(), r => r["target"]!.GetValue<string>() == memberId);
        Assert.Equal("member.consent", row["action"]!.GetValue<string>());
        Assert.Equal("consent sms default→no", row["detail"]!.GetValue<string>());
        Assert.Equal("Li Na", row["actor"]!.GetValue<string>());
    }

    /// <summary>Registers a new member (at the host's pinned clock) and returns its id.</summary>
    private async Task<string> RegisterAsync(string prefix)
    {
        var id = prefix + Guid.NewGuid().ToString("N")[..10];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync(
            "api/v1/events", new[] { new { eventId = id + "-r", type = "register", memberId = id, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1) } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }

    /// <summary>The last week of the audit (its default range), as many rows as one read returns.</summary>
    private async Task<List<JsonObject>> AuditAsync()
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        var rows = await support.GetFromJsonAsync<JsonArray>("api/v1/audit?limit=1000", Json);
        return [.. rows!.Select(r => r!.AsObject())];
    }
}
