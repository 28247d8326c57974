using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Security;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A till key bound to its store (<c>store:POS S001@S001</c>) acts for S001 only: another storeId is 403 problem details
/// naming <c>storeId</c> on every store-role write and on events over HTTP, and nothing changes; the unbound store key
/// (<c>store:POS S001</c>) may still name any store, as before.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class StoreKeyBindingApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ABoundTillKeyCannotMoveAnotherStoresRegionButSetsItsOwn()
    {
        var other = "SB" + Guid.NewGuid().ToString("N")[..8];
        using var bound = host.Client(BoundStoreKey);
        using var admin = host.Client(AdminKey);

        using var refused = await bound.PutAsJsonAsync($"api/v1/stores/{other}/inventory?regionId=west", Array.Empty<object>(), Json);
        using var own = await bound.PutAsJsonAsync("api/v1/stores/S001/inventory", new[] { new { sku = "SKU-B1", available = 3 } }, Json);
        var after = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/stores/{other}/inventory", Json))!;

        await AssertNamesStoreId(refused, other);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Null(after["regionId"]?.GetValue<string>());
    }

    [Fact]
    public async Task ABoundTillKeyCannotRedeemACouponOrPointsAtAnotherStore()
    {
        var memberId = "SBC" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-bound", offerId = "p10", kind = "percent", value = 10m, validDays = 14 }, Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var bound = host.Client(BoundStoreKey);

        using var coupon = await bound.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new { redemptionId = "sb-1", storeId = "S002", orderAmount = 100.00m }, Json);
        using var points = await bound.PostAsJsonAsync($"api/v1/members/{memberId}/redemptions",
            new { redemptionId = "sb-p1", points = 1, storeId = "S002" }, Json);
        using var stock = await bound.PutAsJsonAsync("api/v1/catalogue/any-reward/stock", new[] { new { storeId = "S002", available = 5 } }, Json);
        var held = (await admin.GetFromJsonAsync<JsonArray>($"api/v1/members/{memberId}/coupons", Json))!;

        await AssertNamesStoreId(coupon, "S002");
        await AssertNamesStoreId(points, "S002");
        await AssertNamesStoreId(stock, "S002");
        Assert.Equal("issued", held.Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABoundTillKeyCannotSendASaleOfAnotherStoreButTheUnboundKeyStillMay()
    {
        var memberId = "SBE" + Guid.NewGuid().ToString("N")[..8];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        object Sale(string eventId, string storeId) => new { eventId, type = "purchase", memberId, occurredAt = at, storeId, orderId = eventId, amount = 10m };
        using var bound = host.Client(BoundStoreKey);
        using var unbound = host.Client(StoreKey);
        using var admin = host.Client(AdminKey);

        using var refused = await bound.PostAsJsonAsync("api/v1/events", Sale("sbe-1", "S002"), Json);
        using var seen = await admin.GetAsync($"api/v1/members/{memberId}");
        using var own = await bound.PostAsJsonAsync("api/v1/events", Sale("sbe-2", "S001"), Json);
        using var legacy = await unbound.PostAsJsonAsync("api/v1/events", Sale("sbe-3", "S002"), Json);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Contains("S002", problem["errors"]!["storeId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, seen.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, legacy.StatusCode);
    }

    [Fact]
    public async Task ABoundTillKeysBatchRefusesOnlyTheEventOfAnotherStoreNamingItsIndex()
    {
        var memberId = "SBB" + Guid.NewGuid().ToString("N")[..8];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        object Sale(string eventId, string storeId) => new { eventId, type = "purchase", memberId, occurredAt = at, storeId, orderId = eventId, amount = 10m };
        using var bound = host.Client(BoundStoreKey);
        using var admin = host.Client(AdminKey);

        using var batch = await bound.PostAsJsonAsync("api/v1/events", new[] { Sale("sbb-1", "S001"), Sale("sbb-2", "S002") }, Json);
        var problem = (await batch.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        using var seen = await admin.GetAsync($"api/v1/members/{memberId}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, batch.StatusCode);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["[1].storeId"], errors.Select(e => e.Key));
        Assert.Contains("S002", errors["[1].storeId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
    }

    [Theory]
    [InlineData("store:POS S001@S001", "POS S001", "S001")]
    [InlineData("store@S001,S002", "store", "S001,S002")]
    [InlineData("store:POS S001", "POS S001", null)]
    [InlineData("support:a@b", "a@b", null)]
    [InlineData("store:ops@example.com", "ops", "example.com")] // as read; the silo warns at start (StoreKeyBindingLogTests)
    [InlineData("store:ops@example.com@S001", "ops@example.com", "S001")]
    [InlineData("store:till@Mall 3", "till@Mall 3", null)]
    [InlineData("store@S:1", "store", "S:1")]
    [InlineData("store:POS 7@S:1,S.2", "POS 7", "S.2,S:1")]
    public void AKeyValueNamesItsStores(string value, string name, string? stores)
    {
        Assert.Equal(name, ApiKeyIdentity.Parse(value)!.Value.Name);
        Assert.Equal(stores, ApiKeyIdentity.StoresOf(value) is { } set ? string.Join(",", set.Order(StringComparer.Ordinal)) : null);
    }

    private static async Task AssertNamesStoreId(HttpResponseMessage response, string storeId)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("storeId", problem["field"]!.GetValue<string>());
        Assert.Contains(storeId, problem["errors"]!["storeId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
