using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A redemptionId names one coupon redemption of the member (docs/http-api.md "A coupon's life", step 3): the same id sent for a
/// second coupon was answered 200 and used that coupon up too; it is a 409 problem naming <c>redemptionId</c> and what it
/// redeemed, the second coupon stays issued, and the first redemption's exact retry is still its 200 replay.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponRedemptionIdApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task TheSameRedemptionIdOnAnotherCouponIsA409NamingRedemptionIdAndTheCouponStaysIssued()
    {
        var memberId = "CRI" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        var first = await IssueAsync(admin, memberId, "g-rid-a");
        var second = await IssueAsync(admin, memberId, "g-rid-b");
        using var till = host.Client(StoreKey);
        var request = new { redemptionId = "pos-S001-42", storeId = "S001", orderAmount = 168.00m };

        using var redeemed = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{first}/redeem", request, Json);
        using var reused = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{second}/redeem", request, Json);
        using var retry = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{first}/redeem", request, Json);
        using var fresh = await till.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{second}/redeem", request with { redemptionId = "pos-S001-43" }, Json);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var accepted = (await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal((false, 20.00m), (accepted["replayed"]!.GetValue<bool>(), accepted["discount"]!.GetValue<decimal>()));

        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        var problem = (await reused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal((409, "redemption_id_reused", "redemptionId"),
            (problem["status"]!.GetValue<int>(), problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        Assert.Equal("redemptionId already used on another coupon", problem["title"]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.StartsWith($"redemptionId: pos-S001-42 was already used to redeem coupon …{first[^4..]} at store S001 at ", detail, StringComparison.Ordinal);
        Assert.Contains(", order of 168.00 CNY; ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(first, detail, StringComparison.Ordinal); // a till sees no usable code of another coupon
        Assert.Equal((second, "issued"), (problem["coupon"]!["code"]!.GetValue<string>(), problem["coupon"]!["status"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var replay = (await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal((true, 20.00m), (replay["replayed"]!.GetValue<bool>(), replay["discount"]!.GetValue<decimal>()));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.False((await fresh.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task TheSameRedemptionIdFromAnotherStoreIsA409UsedNamingStoreId()
    {
        var memberId = "CRS" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        var code = await IssueAsync(admin, memberId, "g-rid-s");
        var url = $"api/v1/members/{memberId}/coupons/{code}/redeem";

        using var redeemed = await admin.PostAsJsonAsync(url, new { redemptionId = "pos-9", storeId = "S001", orderAmount = 50.00m }, Json);
        using var elsewhere = await admin.PostAsJsonAsync(url, new { redemptionId = "pos-9", storeId = "S002", orderAmount = 50.00m }, Json);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        var problem = (await elsewhere.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("used", "storeId"), (problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        Assert.Contains("redemption pos-9 already used this coupon at store S001", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string> IssueAsync(HttpClient admin, string memberId, string grantId)
    {
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId, offerId = "winback.l1", kind = "no_threshold", value = 20m, validDays = 14 }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
    }
}
