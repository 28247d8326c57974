using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Support sees why a till was told no: a coupon's <c>history</c> (status changes and refused redemptions, newest first)
/// in <c>GET /members/{id}/coupons</c> and <c>GET /coupons/{code}</c> (docs/offers.md §7).
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponHistoryApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task RefusedRedemptionsShowInTheCouponsHistoryNewestFirstOncePerRedemptionId()
    {
        var member = "CH" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(member);
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync(
            $"api/v1/members/{member}/coupons",
            new { grantId = "campaign:C-500-100", offerId = "C-500-100", kind = "threshold", value = 100.00m, minSpend = 500.00m, validDays = 7, regions = new[] { "east" } },
            Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        using var small = await RedeemAsync(member, code, "r1", "S001", 499.99m, "east");
        using var smallAgain = await RedeemAsync(member, code, "r1", "S001", 499.99m, "east");
        using var south = await RedeemAsync(member, code, "r2", "S900", 800.00m, "south");
        using var ok = await RedeemAsync(member, code, "r3", "S001", 500.00m, "east");
        Assert.Equal([HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.OK], [small.StatusCode, smallAgain.StatusCode, south.StatusCode, ok.StatusCode]);

        using var support = host.Client(SupportKey);
        var listed = Assert.Single((await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json))!)!["history"]!.AsArray();
        using var pos = host.Client(StoreKey);
        var byCode = (await pos.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}?memberId={member}", Json))!["history"]!.AsArray();

        foreach (var history in new[] { listed, byCode })
        {
            Assert.Equal(
                [("status", null, "redeemed"), ("refused", "wrong_store", null), ("refused", "below_min_spend", null)],
                history.Select(h => (h!["kind"]!.GetValue<string>(), h["refusal"]?.GetValue<string>(), h["to"]?.GetValue<string>())));
            Assert.Equal(["r2", "r1"], history.Skip(1).Select(h => h!["redemptionId"]!.GetValue<string>()));
            Assert.Equal("S900", history[1]!["storeId"]!.GetValue<string>());
            Assert.Contains("south", history[1]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            var at = history.Select(h => h!["at"]!.GetValue<DateTimeOffset>()).ToList();
            Assert.Equal(at.OrderByDescending(a => a), at);
        }
    }

    private async Task<HttpResponseMessage> RedeemAsync(string memberId, string code, string redemptionId, string store, decimal orderAmount, string region)
    {
        using var pos = host.Client(StoreKey);
        return await pos.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem", new { redemptionId, storeId = store, regionId = region, orderAmount }, Json);
    }
}
