using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>The HTTP contract of CONTRACT.md §4: roles, problem details naming fields, status codes.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class ApiContractTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-key-at-all", HttpStatusCode.Unauthorized)]
    [InlineData(ApiHostFixture.SupportKey, HttpStatusCode.Forbidden)]
    [InlineData(ApiHostFixture.MarketingKey, HttpStatusCode.Forbidden)]
    [InlineData(ApiHostFixture.AdminKey, HttpStatusCode.Accepted)]
    public async Task OnlyAdminKeysMayPostEvents(string? key, HttpStatusCode expected)
    {
        using var client = host.Client(key);
        using var response = await client.PostAsJsonAsync("api/v1/events", Purchase(NewMember(), "O1", 10m), Json);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.Accepted)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task EverySupportReadWorksWithTheSupportKey()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 120m));
        using var support = host.Client(ApiHostFixture.SupportKey);

        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(240, view!["pointsBalance"]!.GetValue<long>());
        Assert.Equal("new", view["lifecycleStage"]!.GetValue<string>());
        Assert.NotNull(view["rfm"]!["segment"]);
        Assert.NotNull(view["caps"]!["marketingDailyLimit"]);

        var ledger = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points&limit=5", Json);
        var entry = ledger!["entries"]![0]!;
        Assert.Equal("points", entry["kind"]!.GetValue<string>());
        Assert.Equal(240, entry["balanceAfter"]!.GetValue<long>());
        Assert.Equal($"{id}-O1", entry["eventId"]!.GetValue<string>());

        using var touches = await support.GetAsync($"api/v1/members/{id}/touches");
        Assert.Equal(HttpStatusCode.OK, touches.StatusCode);
        using var report = await support.GetAsync("api/v1/reports/winback?from=2026-01-01&to=2026-01-31");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    [Fact]
    public async Task ABatchWithInvalidEventsAppliesTheValidOnesAndNamesEachBadFieldByIndex()
    {
        var id = NewMember();
        using var admin = host.Client(ApiHostFixture.AdminKey);
        object[] batch =
        [
            Purchase(id, "O1", 100m),
            new { eventId = "bad-1", type = "purchase", memberId = id, occurredAt = host.Clock.GetUtcNow(), orderId = "O2", amount = 0 },
            new { eventId = "bad-2", type = "wish", memberId = id, occurredAt = host.Clock.GetUtcNow().AddHours(1) },
        ];

        using var response = await admin.PostAsJsonAsync("api/v1/events", batch, Json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        var fields = problem!["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("[1].amount", fields);
        Assert.Contains("[2].type", fields);
        Assert.Contains("[2].occurredAt", fields);
        Assert.Equal("Some events were not applied", problem["title"]!.GetValue<string>());
        Assert.Equal(200, (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["pointsBalance"]!.GetValue<long>());

        // Nothing valid: a 400 that does not claim others were applied.
        using var none = await admin.PostAsJsonAsync("api/v1/events", batch[1..], Json);
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        var refused = (await none.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("No event was applied", refused["title"]!.GetValue<string>());
        Assert.DoesNotContain("others were applied", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJsonIsABadRequestNamingTheBody()
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsync("api/v1/events", new StringContent("{\"eventId\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey("body"));
    }

    [Fact]
    public async Task RedemptionsAreIdempotentConflictWhenPointsAreShortAndNameBadFields()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 100m));
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var ok = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 150, cashAmount = 5.0m }, Json);
        using var again = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 150, cashAmount = 5.0m }, Json);
        using var tooMuch = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R2", points = 51 }, Json);
        using var invalid = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "", points = -1 }, Json);
        using var unknown = await admin.PostAsJsonAsync($"api/v1/members/{NewMember()}/redemptions", new { redemptionId = "R1", points = 1 }, Json);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(50, (await ok.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>());
        Assert.True((await again.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        var conflict = (await tooMuch.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(409, conflict["status"]!.GetValue<int>());
        Assert.Equal("insufficient_points", conflict["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var fields = (await invalid.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("redemptionId", fields);
        Assert.Contains("points", fields);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ARetryOfARedemptionWithCashAmountZeroOrWithoutItIsReplayedNotA409()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 100m));
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var first = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 50, cashAmount = 0m, storeId = "S001" }, Json);

        // Before: 409 redemption_id_reused "cashAmount 0.00 CNY, not none", though the till sent the same sale.
        using var retry = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 50, storeId = "S001" }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var body = (await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.True(body["replayed"]!.GetValue<bool>());
        Assert.Equal(150, body["pointsBalance"]!.GetValue<long>());
        Assert.Equal(150, (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task ARedemptionIdReusedForAnotherAmountIsA409RedemptionIdReusedNamingWhatDiffersAndSpendsNothing()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 100m));
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var first = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 50, storeId = "S001" }, Json);

        // Before: 409 "invalid" naming redemptionId, which a till cannot tell from a malformed request.
        using var morePoints = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 60, storeId = "S001" }, Json);
        using var withCash = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R1", points = 50, cashAmount = 5.00m, storeId = "S002" }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var expected = new[]
        {
            (morePoints, "points", "redemptionId R1 was already used for another redemption: points 50, not 60; send a new redemptionId"),
            (withCash, "cashAmount", "redemptionId R1 was already used for another redemption: cashAmount none, not 5.00 CNY; storeId S001, not S002; send a new redemptionId"),
        };
        foreach (var (reused, field, detail) in expected)
        {
            Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
            Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
            var problem = (await reused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
            Assert.Equal(409, problem["status"]!.GetValue<int>());
            Assert.Equal(("redemption_id_reused", field), (problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
            Assert.StartsWith(detail, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(150, problem["pointsBalance"]!.GetValue<long>());
        }

        Assert.Equal(150, (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task ARedemptionWithCashOfThreeDecimalsIsRefusedNamingCashAmountNotRounded()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 100m));
        using var admin = host.Client(ApiHostFixture.AdminKey);

        // Before: 200 with cashAmount 12.345 stored as given while the ledger showed 12.35.
        using var threeDecimals = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R-3dp", points = 10, cashAmount = 12.345m }, Json);
        using var unbounded = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R-big", points = 100_000_001, rewardId = "R KETTLE" }, Json);
        // No rewardId: a store-less redemption naming a reward is checked against the catalogue, which has no R-KETTLE here.
        using var twoDecimals = await admin.PostAsJsonAsync($"api/v1/members/{id}/redemptions", new { redemptionId = "R-2dp", points = 10, cashAmount = 12.35m }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, threeDecimals.StatusCode);
        Assert.Equal("application/problem+json", threeDecimals.Content.Headers.ContentType?.MediaType);
        var cashErrors = (await threeDecimals.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["cashAmount"], cashErrors.Select(e => e.Key));
        Assert.Equal("must be CNY 0–10,000,000 with at most 2 decimals", cashErrors["cashAmount"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unbounded.StatusCode);
        var boundErrors = (await unbounded.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["points", "rewardId"], boundErrors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.OK, twoDecimals.StatusCode);
        var accepted = (await twoDecimals.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(12.35m, accepted["cashAmount"]!.GetValue<decimal>());
        // 200 points from the first purchase; only the valid redemption paid.
        Assert.Equal(190, accepted["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task ConsentCanBeChangedByAdminAndUnknownChannelsAreNamed()
    {
        var id = NewMember();
        await PostAsync(Purchase(id, "O1", 10m));
        using var admin = host.Client(ApiHostFixture.AdminKey);

        using var changed = await admin.PutAsJsonAsync($"api/v1/members/{id}/consent", new Dictionary<string, bool> { ["sms"] = false, ["push"] = true }, Json);
        using var unknown = await admin.PutAsJsonAsync($"api/v1/members/{id}/consent", new Dictionary<string, bool> { ["pigeon"] = true }, Json);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var caps = (await changed.Content.ReadFromJsonAsync<JsonObject>(Json))!["caps"]!;
        Assert.Contains("sms", caps["optedOutChannels"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("pigeon", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/members/bad%20id", "memberId")]
    [InlineData("api/v1/members/M1/ledger?kind=stars", "kind")]
    [InlineData("api/v1/members/M1/ledger?limit=0", "limit")]
    [InlineData("api/v1/members/M1/touches?limit=9999", "limit")]
    [InlineData("api/v1/reports/winback?from=2026-13-01", "from")]
    [InlineData("api/v1/reports/winback?from=2026-02-01&to=2026-01-01", "from")]
    [InlineData("api/v1/reports/winback?to=0001-01-05", "to")]
    [InlineData("api/v1/reports/winback?to=9999-12-31", "to")]
    public async Task BadQueriesAreBadRequestsNamingTheField(string path, string field)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var response = await support.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheMemberAndEventEndpoints()
    {
        using var anonymous = host.Client(null);
        var document = await anonymous.GetFromJsonAsync<JsonObject>("openapi/v1.json", Json);
        var paths = document!["paths"]!.AsObject().Select(p => p.Key).ToList();

        Assert.Contains("/api/v1/members/{memberId}", paths);
        Assert.Contains("/api/v1/members/{memberId}/ledger", paths);
        Assert.Contains("/api/v1/members/{memberId}/redemptions", paths);
        Assert.Contains("/api/v1/events", paths);
    }

    [Fact]
    public async Task TheLiveViewsRfmHasEveryFieldTheContractNamesWithRecencyInDaysSinceTheLastPurchase()
    {
        var id = NewMember();
        await PostAsync(new
        {
            eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = host.Clock.GetUtcNow().AddDays(-3).AddHours(-1),
            orderId = "O1", amount = 120m,
        });
        using var support = host.Client(ApiHostFixture.SupportKey);

        var rfm = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["rfm"]!.AsObject();

        // CONTRACT.md §4: rfm{recency,frequency,monetary,score,segment,valueClass}; a renamed field is a broken client.
        Assert.All(["recency", "frequency", "monetary", "score", "segment", "valueClass"], field => Assert.True(rfm.ContainsKey(field), field));
        Assert.Equal(3, rfm["recency"]!.GetValue<int>());
        Assert.Equal(1, rfm["frequency"]!.GetValue<int>());
    }

    [Fact]
    public async Task HealthIsOpenAndReadinessChecksStorage()
    {
        using var anonymous = host.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("api/v1/health/ready")).StatusCode);
    }

    private async Task PostAsync(object evt)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static string NewMember() => "A" + Guid.NewGuid().ToString("N")[..12];

    private object Purchase(string memberId, string orderId, decimal amount) => new
    {
        eventId = $"{memberId}-{orderId}",
        type = "purchase",
        memberId,
        occurredAt = host.Clock.GetUtcNow().AddMinutes(-1),
        orderId,
        amount,
    };
}
