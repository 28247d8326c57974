using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// docs/offers.md step 5: the same redemptionId with another orderAmount is not a retry; refused 409 naming the field,
/// as a points redemption under a used id is (it answered 200 replayed).
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponReplayApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task TheSameRedemptionIdWithAnotherOrderAmountIsA409NamingOrderAmountAndTheSameRequestIsReplayed()
    {
        var memberId = "CPY" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-replay", offerId = "p10", kind = "percent", value = 10m, validDays = 14 }, Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var till = host.Client(StoreKey);
        var url = $"api/v1/members/{memberId}/coupons/{code}/redeem";

        using var first = await till.PostAsJsonAsync(url, new { redemptionId = "y-1", storeId = "S001", orderAmount = 100.00m }, Json);
        using var retry = await till.PostAsJsonAsync(url, new { redemptionId = "y-1", storeId = "S001", orderAmount = 100.00m }, Json);
        using var changed = await till.PostAsJsonAsync(url, new { redemptionId = "y-1", storeId = "S001", orderAmount = 1000.00m }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True((await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        var problem = (await changed.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("redemption_id_reused", "orderAmount"), (problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
    }
}
