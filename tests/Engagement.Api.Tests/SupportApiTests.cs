using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>Support's additions to CONTRACT.md §4: search with masked phones, adjustments within role limits, the audit, the campaign list.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class SupportApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task NamedSupportKeyAdjustsPointsOnceAndTheLedgerAndAuditSayWhoAndWhy()
    {
        var id = await SeedAsync(120m, phone: null);
        // The audit records the wall-clock moment of a manual action (not the engine clock the rules run on).
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        using var support = host.Client(ApiHostFixture.NamedSupportKey);
        var request = new { adjustmentId = "goodwill-1", kind = "points", delta = 50, reason = "parcel arrived late" };

        using var first = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", request, Json);
        using var again = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", request, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var applied = await first.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("applied", applied!["status"]!.GetValue<string>());
        Assert.Equal(290, applied["balanceAfter"]!.GetValue<long>());
        var replayed = await again.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("replayed", replayed!["status"]!.GetValue<string>());
        Assert.Equal(290, replayed["balanceAfter"]!.GetValue<long>());

        var ledger = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points", Json);
        var entries = ledger!["entries"]!.AsArray();
        Assert.Equal(2, entries.Count);
        Assert.Equal("points.adjustment", entries[0]!["ruleId"]!.GetValue<string>());
        Assert.Equal(50, entries[0]!["delta"]!.GetValue<long>());
        Assert.Contains("parcel arrived late", entries[0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        var audit = await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json);
        var mine = audit!.Where(a => a!["target"]!.GetValue<string>() == id).ToList();
        var row = Assert.Single(mine);
        Assert.Equal("Li Na", row!["actor"]!.GetValue<string>());
        Assert.Equal("support", row["role"]!.GetValue<string>());
        Assert.Equal("member.adjustment", row["action"]!.GetValue<string>());
        Assert.Equal("points +50", row["detail"]!.GetValue<string>());
        Assert.Equal("parcel arrived late", row["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task APointValueChangeIsInTheAuditOnceWithWhoAndWhy()
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var support = host.Client(ApiHostFixture.SupportKey);
        // The audit records the wall-clock moment of a manual action (not the engine clock the rules run on).
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var current = (await admin.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json))!["current"]!.GetValue<decimal>();
        var changeId = "pv-" + Guid.NewGuid().ToString("N")[..10];
        var change = new { changeId, value = current, reason = "quarterly review: unchanged" }; // the value stays as it is

        using var first = await admin.PutAsJsonAsync("api/v1/programme/point-value", change, Json);
        using var retried = await admin.PutAsJsonAsync("api/v1/programme/point-value", change, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var audit = await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json);
        var row = Assert.Single(audit!, a => a!["auditId"]!.GetValue<string>() == "point-value|" + changeId);
        Assert.Equal("admin", row!["actor"]!.GetValue<string>());
        Assert.Equal("admin", row["role"]!.GetValue<string>());
        Assert.Equal("quarterly review: unchanged", row["reason"]!.GetValue<string>());
        Assert.StartsWith(current.ToString(System.Globalization.CultureInfo.InvariantCulture) + " CNY per point", row["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(-1_000_001)]
    public async Task AnAdjustmentDeltaAtTheEndsOfALongIsRefusedNamingDeltaNotA500(long delta)
    {
        var id = await SeedAsync(120m, phone: null);
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var response = await admin.PostAsJsonAsync(
            $"api/v1/members/{id}/adjustments", new { adjustmentId = "huge-" + delta, kind = "points", delta, reason = "typo" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["delta"], errors.Select(e => e.Key));
        var ledger = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points", Json);
        Assert.Single(ledger!["entries"]!.AsArray());
    }

    [Fact]
    public async Task SupportIsLimitedAdminIsNotAndAReasonIsMandatory()
    {
        var id = await SeedAsync(10m, phone: null);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var big = new { adjustmentId = "big-1", kind = "growth", delta = 5000, reason = "store opening" };

        using var tooBig = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);
        using var byMarketing = await marketing.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);
        using var noReason = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "x", kind = "points", delta = 5, reason = " " }, Json);
        using var overdraw = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "take", kind = "points", delta = -500, reason = "fraud" }, Json);
        using var byAdmin = await admin.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);

        Assert.Equal(HttpStatusCode.Forbidden, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byMarketing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var problem = await noReason.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.NotNull(problem!["errors"]!["reason"]);
        Assert.Equal(HttpStatusCode.Conflict, overdraw.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(5010, view!["growthValue"]!.GetValue<long>());
        Assert.Equal(20, view["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task SearchFindsByPhoneAndIdPrefixAndMasksThePhoneUnlessAdmin()
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = await SeedAsync(10m, phone);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);

        var byPhone = await Poll.UntilAsync(() => support.GetFromJsonAsync<JsonArray>($"api/v1/members?query={phone}", Json), a => a.Count > 0);
        var hit = byPhone.Single(h => h!["memberId"]!.GetValue<string>() == id);
        Assert.Equal($"{phone[..3]}****{phone[^4..]}", hit!["phone"]!.GetValue<string>());
        Assert.Equal("phone", hit["matchedBy"]!.GetValue<string>());
        var withCountryCode = await support.GetFromJsonAsync<JsonArray>($"api/v1/members?query=%2B86%20{phone}", Json);
        Assert.Contains(withCountryCode!, h => h!["memberId"]!.GetValue<string>() == id);

        // A prefix reaching into the masked digits would show them beside the last four: only an admin searches by one.
        var byPrefix = await support.GetFromJsonAsync<JsonArray>($"api/v1/members?query={phone[..7]}", Json);
        Assert.DoesNotContain(byPrefix!, h => h!["memberId"]!.GetValue<string>() == id);
        var byPrefixAsAdmin = await admin.GetFromJsonAsync<JsonArray>($"api/v1/members?query={phone[..7]}", Json);
        Assert.Contains(byPrefixAsAdmin!, h => h!["memberId"]!.GetValue<string>() == id && h["phone"]!.GetValue<string>() == phone);

        var asAdmin = await admin.GetFromJsonAsync<JsonArray>($"api/v1/members?query={id[..10]}", Json);
        var full = asAdmin!.Single(h => h!["memberId"]!.GetValue<string>() == id);
        Assert.Equal(phone, full!["phone"]!.GetValue<string>());
        Assert.Equal("memberId", full["matchedBy"]!.GetValue<string>());

        using var empty = await support.GetAsync("api/v1/members?query=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task CreatedCampaignsAreListedNewestFirst()
    {
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var ids = new[] { "list-" + Guid.NewGuid().ToString("N")[..8], "list-" + Guid.NewGuid().ToString("N")[..8] };
        foreach (var id in ids)
        {
            using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
            {
                id,
                name = "List " + id,
                kind = "broadcast",
                audience = new { regions = new[] { "nowhere-" + id } },
                channel = "push",
                offer = new { kind = "coupon", code = "LIST5", unitCost = 5m },
                validFrom = host.Clock.GetUtcNow().AddHours(-1),
                validUntil = host.Clock.GetUtcNow().AddDays(1),
            }, Json);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var list = await marketing.GetFromJsonAsync<JsonArray>("api/v1/campaigns?take=100", Json);
        var listed = list!.Select(c => c!["definition"]!["id"]!.GetValue<string>()).Where(ids.Contains).ToList();
        Assert.Equal(ids.Reverse(), listed);
    }

    [Fact]
    public async Task ACampaignCreatedBetweenTwoPagesRepeatsNothingWhenTheNextPageStartsAfterTheLastOneSeen()
    {
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var ids = Enumerable.Range(0, 4).Select(_ => "page-" + Guid.NewGuid().ToString("N")[..8]).ToArray();
        foreach (var id in ids[..3])
        {
            await CreateCampaignAsync(marketing, id);
        }

        var first = Ids(await marketing.GetFromJsonAsync<JsonArray>("api/v1/campaigns?take=2", Json));
        Assert.Equal([ids[2], ids[1]], first);
        await CreateCampaignAsync(marketing, ids[3]); // between the pages

        var bySkip = Ids(await marketing.GetFromJsonAsync<JsonArray>("api/v1/campaigns?skip=2&take=2", Json));
        var byCursor = Ids(await marketing.GetFromJsonAsync<JsonArray>($"api/v1/campaigns?after={first[^1]}&take=2", Json));

        Assert.Equal([ids[1], ids[0]], bySkip); // skip still counts from the newest, as documented: it shows ids[1] again
        Assert.Equal(ids[0], byCursor[0]);
        Assert.DoesNotContain(byCursor, first.Contains);
        Assert.DoesNotContain(ids[3], byCursor);

        using var unknown = await marketing.GetAsync("api/v1/campaigns?after=page-never-created");
        using var both = await marketing.GetAsync($"api/v1/campaigns?after={ids[0]}&skip=1");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().ContainsKey("after"));
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.True((await both.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().ContainsKey("skip"));

        static List<string> Ids(JsonArray? page) => [.. page!.Select(c => c!["definition"]!["id"]!.GetValue<string>())];
    }

    private async Task CreateCampaignAsync(HttpClient marketing, string id)
    {
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Page " + id,
            kind = "broadcast",
            audience = new { regions = new[] { "nowhere-" + id } },
            channel = "push",
            offer = new { kind = "coupon", code = "PAGE5", unitCost = 5m },
            validFrom = host.Clock.GetUtcNow().AddHours(-1),
            validUntil = host.Clock.GetUtcNow().AddDays(1),
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<string> SeedAsync(decimal amount, string? phone)
    {
        var id = "S" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        var events = new List<object>
        {
            new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount },
        };
        if (phone is not null)
        {
            events.Add(new { eventId = $"{id}-P", type = "profile_update", memberId = id, occurredAt = at, properties = new Dictionary<string, string> { ["phone"] = phone } });
        }

        using var response = await admin.PostAsJsonAsync("api/v1/events", events, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
