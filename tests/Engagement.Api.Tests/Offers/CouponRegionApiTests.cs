using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// docs/offers.md §5, CONTRACT.md §2.1: a region-scoped coupon is honoured only at stores of its regions, judged by the
/// store's own region (its inventory report), not by the member's home region or what the till claims.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponRegionApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ARegionScopedCouponIsRefusedAtAStoreOfAnotherRegionWhateverTheTillSays()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var north = await PlaceStoreAsync("SN" + suffix, "north");
        var east = await PlaceStoreAsync("SE" + suffix, "east");
        var memberId = "CPR" + suffix;
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-east", offerId = "east-only", kind = "no_threshold", value = 20.00m, validDays = 14, regions = new[] { "east" } }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        using var silent = await RedeemAsync(memberId, code, "r-1", north, regionId: null);
        using var claiming = await RedeemAsync(memberId, code, "r-2", north, regionId: "east");
        using var home = await RedeemAsync(memberId, code, "r-3", east, regionId: null);

        foreach (var refused in new[] { silent, claiming })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("wrong_store", (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        }

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(20.00m, (await home.Content.ReadFromJsonAsync<JsonObject>(Json))!["discount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task ARegionScopedCouponAtAnUnplacedStoreWithoutARegionIsRefusedNamingTheStoreNeverJudgedByTheHomeRegion()
    {
        // The store never reported its region (no PUT /stores/{id}/inventory?regionId=) and the till sends none: the
        // member's home region (east) says nothing about where the store is, so the east coupon is refused there.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var unplaced = "SU" + suffix;
        var memberId = "CPU" + suffix;
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-east-u", offerId = "east-only", kind = "no_threshold", value = 20.00m, validDays = 14, regions = new[] { "east" } }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        using var silent = await RedeemAsync(memberId, code, "u-1", unplaced, regionId: null);

        Assert.Equal(HttpStatusCode.Conflict, silent.StatusCode);
        var problem = (await silent.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("wrong_store", problem["reason"]!.GetValue<string>());
        Assert.Contains($"region of store '{unplaced}' is not known", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var support = host.Client(SupportKey);
        var coupon = (await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{memberId}/coupons", Json))!.Single()!;
        Assert.Equal("issued", coupon["status"]!.GetValue<string>());

        // The till's regionId is trusted for a store whose region is not known: east there is honoured.
        using var claimed = await RedeemAsync(memberId, code, "u-2", unplaced, regionId: "east");
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
    }

    [Fact]
    public async Task AnEmptyInventoryReportWithARegionPlacesTheStoreKeepsItsSkusAndJudgesRegionCouponsThere()
    {
        // docs/http-api.md "A coupon's life": a store team places each store once with PUT …/inventory?regionId=east and no skus.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var storeId = "SP" + suffix;
        var memberId = "CPP" + suffix;
        await host.RegisterAsync(memberId, "east");
        using var pos = host.Client(StoreKey);
        using var counted = await pos.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", new[] { new { sku = "SKU-1", available = 3 } }, Json);
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);

        using var nothing = await pos.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory", Array.Empty<object>(), Json);
        using var placed = await pos.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory?regionId=east", Array.Empty<object>(), Json);

        Assert.True(placed.StatusCode == HttpStatusCode.OK, await placed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        var refusal = (await nothing.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["body"]![0]!.GetValue<string>();
        Assert.Contains("[] only with ?regionId=", refusal, StringComparison.Ordinal);
        var inventory = (await pos.GetFromJsonAsync<JsonObject>($"api/v1/stores/{storeId}/inventory", Json))!;
        Assert.Equal("east", inventory["regionId"]!.GetValue<string>());
        var item = Assert.Single(inventory["items"]!.AsArray())!;
        Assert.Equal(("SKU-1", 3), (item["sku"]!.GetValue<string>(), item["available"]!.GetValue<int>()));

        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-east-p", offerId = "east-only", kind = "no_threshold", value = 20.00m, validDays = 14, regions = new[] { "east" } }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var redeemed = await RedeemAsync(memberId, code, "p-1", storeId, regionId: null);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
    }

    private async Task<string> PlaceStoreAsync(string storeId, string regionId)
    {
        using var pos = host.Client(StoreKey);
        using var inventory = await pos.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory?regionId={regionId}", new[] { new { sku = "SKU-1", available = 3 } }, Json);
        Assert.True(inventory.IsSuccessStatusCode, await inventory.Content.ReadAsStringAsync());
        return storeId;
    }

    private async Task<HttpResponseMessage> RedeemAsync(string memberId, string code, string redemptionId, string storeId, string? regionId)
    {
        using var till = host.Client(StoreKey);
        return await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new { redemptionId, storeId, regionId, orderAmount = 100.00m }, Json);
    }
}
