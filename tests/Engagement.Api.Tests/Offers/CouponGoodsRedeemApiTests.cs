using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// docs/offers.md: a coupon scoped to skus or categories redeemed at the till applies to the order's
/// matching items only, and needs the items to be judged (it discounted the whole order when the till sent none).
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponGoodsRedeemApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ASkuScopedPercentCouponIsRefusedWithoutItemsAndDiscountsOnlyTheMatchingItemsWithThem()
    {
        var memberId = "CPG" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-sku", offerId = "sku-x-10", kind = "percent", value = 10m, validDays = 14, skus = new[] { "SKU-X" }, ignoreStock = true }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var till = host.Client(StoreKey);

        using var bare = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new { redemptionId = "g-1", storeId = "S001", orderAmount = 1000.00m }, Json);

        Assert.Equal(HttpStatusCode.Conflict, bare.StatusCode);
        var problem = (await bare.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("not_applicable", problem["reason"]!.GetValue<string>());
        Assert.Contains("send the order's items", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var badItems = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new { redemptionId = "g-2", storeId = "S001", orderAmount = 1000.00m, items = new[] { new { sku = "SKU-X", quantity = 1, unitPrice = 1.001m } } }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, badItems.StatusCode);
        Assert.True((await badItems.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().ContainsKey("items[0].unitPrice"));

        using var withItems = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem",
            new
            {
                redemptionId = "g-3", storeId = "S001", orderAmount = 1000.00m,
                items = new object[] { new { sku = "SKU-X", category = "tea", quantity = 2, unitPrice = 100.00m }, new { sku = "SKU-Z", category = "cups", quantity = 1, unitPrice = 800.00m } },
            }, Json);

        Assert.Equal(HttpStatusCode.OK, withItems.StatusCode);
        var result = (await withItems.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.True(result["accepted"]!.GetValue<bool>());
        Assert.Equal(20.00m, result["discount"]!.GetValue<decimal>());
    }
}
