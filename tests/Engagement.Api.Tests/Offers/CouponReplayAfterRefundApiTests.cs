using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A till retrying a coupon redemption after its order was refunded in full is told what its redemption was (order,
/// amount, discount, when) in <c>redemption</c> and <c>detail</c>, and apart from it that the coupon changed since
/// (<c>couponChangedSince</c>, <c>coupon</c> as it is now): before, the replay's detail was the coupon's present status
/// reason ("restored: order O-1 was refunded in full"), as if the retry had restored it.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponReplayAfterRefundApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task AReplayAfterAFullRefundDescribesTheRedemptionReplayedAndTheCouponAsItIsNow()
    {
        var member = "CRR" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(member, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons",
            new { grantId = "g-rr", offerId = "winback-l1", kind = "no_threshold", value = 20.00m, validDays = 14 }, Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var pos = host.Client(StoreKey);
        var url = $"api/v1/members/{member}/coupons/{code}/redeem";
        using var first = await pos.PostAsJsonAsync(url, new { redemptionId = "pos-rr-1", storeId = "S001", orderAmount = 168.00m }, Json);
        var at = host.Clock.GetUtcNow().AddSeconds(-5);
        foreach (var evt in new object[]
        {
            new { eventId = member + "-p1", type = "purchase", memberId = member, occurredAt = at, orderId = "O-1", amount = 148.00m, storeId = "S001", coupons = new[] { code } },
            new { eventId = member + "-r1", type = "refund", memberId = member, occurredAt = at.AddSeconds(1), orderId = "O-1", amount = 148.00m },
        })
        {
            using var sent = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        using var retry = await pos.PostAsJsonAsync(url, new { redemptionId = "pos-rr-1", storeId = "S001", orderAmount = 168.00m }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var body = (await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.True(body["replayed"]!.GetValue<bool>());
        var redemption = body["redemption"]!;
        Assert.Equal(("pos-rr-1", "S001", "O-1", 168.00m, 20.00m),
            (redemption["redemptionId"]!.GetValue<string>(), redemption["storeId"]!.GetValue<string>(), redemption["orderId"]!.GetValue<string>(),
             redemption["orderAmount"]!.GetValue<decimal>(), redemption["discount"]!.GetValue<decimal>()));
        Assert.True(body["couponChangedSince"]!.GetValue<bool>());
        Assert.Equal("issued", body["coupon"]!["status"]!.GetValue<string>());
        var detail = body["detail"]!.GetValue<string>();
        Assert.StartsWith("replayed: redemption pos-rr-1 redeemed this coupon at store S001", detail, StringComparison.Ordinal);
        Assert.Contains("order O-1 of 168.00 CNY, discount 20.00 CNY; since then: issued (restored: order O-1 was refunded in full", detail, StringComparison.Ordinal);
    }
}
