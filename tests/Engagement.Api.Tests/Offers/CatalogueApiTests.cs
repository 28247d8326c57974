using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>The reward catalogue, stock per store, store inventory and point value through the HTTP API on Azurite.</summary>
[Collection(OffersHostCollection.Name)]
public sealed class CatalogueApiTests(OffersHostFixture host)
{
    private static object Reward(string name, string[]? tiers = null) => new
    {
        name, marketPrice = 300.00m, pointsPrice = 30_000,
        steps = new[] { new { points = 20_000, cash = 100.00m }, new { points = 10_000, cash = 200.00m } },
        eligibleTiers = tiers ?? [],
    };

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<HttpResponseMessage> RedeemAsync(string rewardId, string memberId, string store, long points, decimal? cash, string? redemptionId = null)
    {
        using var pos = host.Client(StoreKey);
        return await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions",
            new { redemptionId = redemptionId ?? "red-" + memberId, memberId, storeId = store, points, cashAmount = cash }, Json);
    }

    [Fact]
    public async Task AV3MemberRedeemsTheLastUnitWithPointsAndCashAndTheNextMemberIsToldOutOfStock()
    {
        var rewardId = NewId("R-KETTLE-");
        await host.PutRewardAsync(rewardId, Reward("Kettle", ["V3", "V4"]), ("S001", 1));
        // 10,000 CNY: growth 10,000 (V3), points 20,000 (first purchase doubled).
        var members = await host.SeedBuyersAsync(2, 10_000m);

        using var first = await RedeemAsync(rewardId, members[0], "S001", 20_000, 100.00m);
        using var second = await RedeemAsync(rewardId, members[1], "S001", 20_000, 100.00m);
        using var retry = await RedeemAsync(rewardId, members[0], "S001", 20_000, 100.00m);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var accepted = await first.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(0, accepted!["pointsBalance"]!.GetValue<long>());
        Assert.Equal(100.00m, accepted["cashAmount"]!.GetValue<decimal>());
        Assert.Equal(300.00m, accepted["marketPrice"]!.GetValue<decimal>());
        Assert.Equal(0, accepted["stock"]!["available"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var refused = await second.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("out_of_stock", refused!["reason"]!.GetValue<string>());
        Assert.Equal("Out of stock", refused["title"]!.GetValue<string>());
        Assert.Contains(rewardId, refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("S001", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True((await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());

        using var support = host.Client(SupportKey);
        var loser = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{members[1]}", Json);
        Assert.Equal(20_000, loser!["pointsBalance"]!.GetValue<long>());
        var stock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        Assert.Equal((0L, 0L, 1L), (stock!["available"]!.GetValue<long>(), stock["held"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));

        // The winner gets one redemption confirmation (a service touch), the loser none.
        var touches = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{members[0]}/touches", Json);
        var confirmation = Assert.Single(touches!, t => t!["kind"]!.GetValue<string>() == "redemption_confirmation");
        Assert.Equal(("sent", "service"), (confirmation!["decision"]!.GetValue<string>(), confirmation["category"]!.GetValue<string>()));
        Assert.StartsWith("catalogue:" + rewardId + ";points:20000;cash:100.00", confirmation["offer"]!.GetValue<string>(), StringComparison.Ordinal);
        var loserTouches = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{members[1]}/touches", Json);
        Assert.DoesNotContain(loserTouches!, t => t!["kind"]!.GetValue<string>() == "redemption_confirmation");
    }

    [Fact]
    public async Task FiftyParallelRedemptionsOfTheLastTenUnitsSucceedExactlyTenTimesAndChargeNoLoser()
    {
        var rewardId = NewId("R-MUG-");
        await host.PutRewardAsync(rewardId, Reward("Mug"), ("S050", 10));
        var members = await host.SeedBuyersAsync(50, 15_000m);

        var responses = await Task.WhenAll(members.Select(m => RedeemAsync(rewardId, m, "S050", 30_000, null)));
        var codes = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(10, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(40, codes.Count(c => c == HttpStatusCode.Conflict));
        using var support = host.Client(SupportKey);
        var stock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S050", Json);
        Assert.Equal((0L, 0L, 10L), (stock!["available"]!.GetValue<long>(), stock["held"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
        var balances = await Task.WhenAll(members.Select(m => support.GetFromJsonAsync<JsonObject>($"api/v1/members/{m}", Json)));
        var charged = balances.Count(b => b!["pointsBalance"]!.GetValue<long>() == 0);
        Assert.Equal(10, charged);
        Assert.Equal(40, balances.Count(b => b!["pointsBalance"]!.GetValue<long>() == 30_000));
    }

    [Fact]
    public async Task AMemberSideRefusalReleasesTheUnitAndTierAndPaymentAreChecked()
    {
        var rewardId = NewId("R-TOTE-");
        await host.PutRewardAsync(rewardId, Reward("Tote"), ("S002", 1));
        var poor = await host.SeedBuyersAsync(1, 100m);
        var v2 = await host.SeedBuyersAsync(1, 1_000m);
        var v4Only = NewId("R-V4-");
        await host.PutRewardAsync(v4Only, Reward("Lounge", ["V4"]), ("S002", 1));

        using var refused = await RedeemAsync(rewardId, poor[0], "S002", 30_000, null);
        using var notAStep = await RedeemAsync(rewardId, poor[0], "S002", 15_000, 150.00m);
        using var tier = await RedeemAsync(v4Only, v2[0], "S002", 30_000, null);
        using var unknownReward = await RedeemAsync("R-NONE", poor[0], "S002", 30_000, null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("insufficient_points", body!["reason"]!.GetValue<string>());
        Assert.Equal(1, body["stock"]!["available"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.BadRequest, notAStep.StatusCode);
        Assert.NotNull((await notAStep.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["points"]);
        Assert.Equal(HttpStatusCode.Conflict, tier.StatusCode);
        Assert.Equal("tier_not_eligible", (await tier.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknownReward.StatusCode);
    }

    [Fact]
    public async Task CatalogueWritesAreAdminOnlyAndInvalidItemsNameTheirFields()
    {
        var rewardId = NewId("R-BAD-");
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);
        using var store = host.Client(StoreKey);

        using var bad = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", new
        {
            name = "", marketPrice = 300.001m, pointsPrice = 30_000,
            steps = new[] { new { points = 20_000, cash = 0m } }, eligibleTiers = new[] { "V9" },
        }, Json);
        using var bySupport = await support.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", Reward("x"), Json);
        using var wrongType = await admin.PutAsync($"api/v1/catalogue/{rewardId}", JsonContent.Create(new { name = "x", marketPrice = "lots" }));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Superset(new HashSet<string> { "name", "marketPrice", "steps[0].cash", "eligibleTiers" }, errors.Select(e => e.Key).ToHashSet());
        Assert.Equal(HttpStatusCode.Forbidden, bySupport.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.NotNull((await wrongType.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["marketPrice"]);

        using var created = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", Reward("Scarf"), Json);
        using var updated = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", Reward("Silk scarf"), Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var list = await store.GetFromJsonAsync<JsonArray>("api/v1/catalogue", Json);
        var item = list!.Single(i => i!["rewardId"]!.GetValue<string>() == rewardId);
        Assert.Equal("Silk scarf", item!["name"]!.GetValue<string>());
        Assert.Equal(2, item["steps"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"steps":[null]}""", "steps[0]")]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"steps":[{"points":1000,"cash":20.00},null]}""", "steps[1]")]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"eligibleTiers":[null]}""", "eligibleTiers[0]")]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"eligibleTiers":["V3","V3"]}""", "eligibleTiers[1]")]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"sku":"SKU 1"}""", "sku")]
    [InlineData("""{"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"steps":[ELEVEN]}""", "steps")]
    [InlineData("""{"rewardId":"R-OTHER","name":"Mug","marketPrice":30.00,"pointsPrice":3000}""", "rewardId")]
    public async Task ARewardWithANullOrUnboundedPartIsRefusedNamingIt(string json, string field)
    {
        var eleven = string.Join(",", Enumerable.Range(1, 11).Select(i => $$"""{"points":{{i * 100}},"cash":1.00}"""));
        using var admin = host.Client(AdminKey);
        using var content = new StringContent(json.Replace("ELEVEN", eleven, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");

        // Before: a null step was a 500 (each step was read while mapping the reward).
        using var response = await admin.PutAsync($"api/v1/catalogue/{NewId("R-NUL-")}", content);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal([field], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task ARewardWithANullRewardIdInTheBodyIsStoredUnderThePathId()
    {
        var rewardId = NewId("R-NULLID-");
        using var admin = host.Client(AdminKey);
        using var content = new StringContent(
            """{"rewardId":null,"name":"Mug","marketPrice":30.00,"pointsPrice":3000,"steps":[{"points":1000,"cash":20.00}],"eligibleTiers":["V3"],"sku":"SKU-MUG"}""",
            System.Text.Encoding.UTF8, "application/json");

        // Before: "rewardId": null was a 500; null is the rewardId left out.
        using var response = await admin.PutAsync($"api/v1/catalogue/{rewardId}", content);

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var item = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(rewardId, item["rewardId"]!.GetValue<string>());
        Assert.Equal("SKU-MUG", item["sku"]!.GetValue<string>());
        Assert.Single(item["steps"]!.AsArray());
    }

    [Fact]
    public async Task BadLinesOfARewardsStockAreNamedAndNoStoreOfTheRequestIsSet()
    {
        var rewardId = NewId("R-STOCKBAD-");
        await host.PutRewardAsync(rewardId, Reward("Umbrella"), ("S001", 3));
        using var store = host.Client(StoreKey);
        using var support = host.Client(SupportKey);

        using var bad = await store.PutAsJsonAsync($"api/v1/catalogue/{rewardId}/stock",
            new object?[] { new { storeId = "S002", available = 5L }, new { storeId = "S002", available = 2_000_000_000L }, null }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(new HashSet<string> { "[1].storeId", "[1].available", "[2].storeId" }, errors.Select(e => e.Key).ToHashSet());
        var s001 = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        var s002 = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S002", Json);
        Assert.Equal((3L, 0L), (s001!["available"]!.GetValue<long>(), s002!["available"]!.GetValue<long>()));
    }

    [Fact]
    public async Task StoreInventoryIsSetBySkuAndReadBackAndBadLinesAreNamed()
    {
        var storeId = NewId("S-INV-");
        using var store = host.Client(StoreKey);
        using var support = host.Client(SupportKey);

        using var first = await store.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", new[] { new { sku = "SKU-1", available = 5L }, new { sku = "SKU-2", available = 0L } }, Json);
        using var second = await store.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", new[] { new { sku = "SKU-2", available = 7L } }, Json);
        using var bad = await store.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", new[] { new { sku = "SKU-1", available = 1L }, new { sku = "SKU-1", available = -1L }, new { sku = "bad sku", available = 1L } }, Json);
        using var bySupport = await support.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", new[] { new { sku = "SKU-1", available = 1L } }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(new HashSet<string> { "[1].sku", "[1].available", "[2].sku" }, errors.Select(e => e.Key).ToHashSet());
        Assert.Equal(HttpStatusCode.Forbidden, bySupport.StatusCode);

        var inventory = await support.GetFromJsonAsync<JsonObject>($"api/v1/stores/{storeId}/inventory", Json);
        var items = inventory!["items"]!.AsArray().Select(i => (i!["sku"]!.GetValue<string>(), i["available"]!.GetValue<long>())).ToList();
        Assert.Equal([("SKU-1", 5L), ("SKU-2", 7L)], items);
    }

    [Theory]
    [InlineData("9999-12-31T00:00:00Z")]
    [InlineData("2062-11-23T04:00:00+08:00")]
    public async Task APointValueChangeEffectiveYearsAheadIsA400NamingEffectiveFrom(string effectiveFrom)
    {
        using var admin = host.Client(AdminKey);
        var changeId = NewId("far-");

        using var response = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId, value = 0.0110m, effectiveFrom, reason = "someday" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.StartsWith("effectiveFrom must be at most 366 days ahead", problem!["errors"]!["effectiveFrom"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var view = await admin.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json);
        Assert.DoesNotContain(view!["history"]!.AsArray(), h => h!["changeId"]!.GetValue<string>() == changeId);
    }

    [Theory]
    [InlineData("2026-12-01T00:00:00")]
    [InlineData("2026-12-01")]
    public async Task APointValueChangeEffectiveFromWithoutAnOffsetIsA400NamingEffectiveFrom(string effectiveFrom)
    {
        using var admin = host.Client(AdminKey);
        var changeId = NewId("local-");

        using var response = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId, value = 0.0110m, effectiveFrom, reason = "December" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.NotNull(problem!["errors"]!["effectiveFrom"]);
        var view = await admin.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json);
        Assert.DoesNotContain(view!["history"]!.AsArray(), h => h!["changeId"]!.GetValue<string>() == changeId);
    }

    [Fact]
    public async Task ACatalogueRedemptionIsValuedAtTheEngineClocksPointValue()
    {
        // A change effective two days ahead of the engine clock (but before the host's wall clock in this test) must not
        // value a redemption now; before, the catalogue read the host's clock while the member endpoint read the engine's.
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);
        var current = (await support.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json))!["current"]!.GetValue<decimal>();
        var ahead = host.Clock.GetUtcNow().AddDays(2);
        Assert.True(ahead < DateTimeOffset.UtcNow, "the engine clock is pinned before the wall clock");
        using var change = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId = NewId("ahead-"), value = current == 0.0090m ? 0.0095m : 0.0090m, reason = "next promotion", effectiveFrom = ahead }, Json);
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        var rewardId = NewId("R-CLOCK-");
        await host.PutRewardAsync(rewardId, Reward("Clock"), ("S003", 1));
        var member = await host.SeedBuyersAsync(1, 20_000m);

        using var redeemed = await RedeemAsync(rewardId, member[0], "S003", 30_000, null);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.Equal(current, (await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointValue"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task FinanceRaisesThePointValueWithinTwentyPercentAndIsRefusedBeyond()
    {
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);
        var changeId = NewId("q1-");

        using var raised = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId, value = 0.0110m, reason = "Q1 promotion" }, Json);
        using var again = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId, value = 0.0110m, reason = "Q1 promotion" }, Json);
        using var tooHigh = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0125m, reason = "too generous" }, Json);
        using var bySupport = await support.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0110m, reason = "x" }, Json);

        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooHigh.StatusCode);
        var problem = await tooHigh.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Contains("±20%", problem!["errors"]!["value"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, bySupport.StatusCode);

        var view = await support.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json);
        Assert.Equal(0.0110m, view!["current"]!.GetValue<decimal>());
        Assert.Equal((0.008m, 0.012m), (view["min"]!.GetValue<decimal>(), view["max"]!.GetValue<decimal>()));
        var mine = view["history"]!.AsArray().Where(h => h!["changeId"]!.GetValue<string>() == changeId).ToList();
        var change = Assert.Single(mine);
        Assert.Equal("admin", change!["setBy"]!.GetValue<string>());

        // Back to the anchor so other tests of this host see the default value.
        using var back = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0100m, reason = "end of the test quarter" }, Json);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }
}
