using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// docs/offers.md step 6: a purchase event whose coupon does not fit its order still applies; the per-event answer of
/// POST /events names the refused coupon and why (it was answered a bare "applied", the only trace a log line with the
/// full code), and the member's coupon stays issued.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponEventRefusalApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task APurchaseWhoseCouponDoesNotFitItsItemsAnswersTheRefusedCouponWithItsReasonAndTheCouponStaysIssued()
    {
        var memberId = "CPE" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-tea", offerId = "tea-only", kind = "no_threshold", value = 10m, validDays = 14, categories = new[] { "tea" } }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        // Dated at the coupon's issue (its validity starts then), so only its goods scope can refuse it.
        var at = host.Clock.GetUtcNow();
        using var response = await admin.PostAsJsonAsync("api/v1/events", new
        {
            eventId = memberId + "-p1", type = "purchase", memberId, occurredAt = at, orderId = "O-cp-2", amount = 80.00m, storeId = "S001",
            items = new[] { new { sku = "SKU-CUP", category = "cups", quantity = 1, unitPrice = 80.00m } },
            coupons = new[] { code },
        }, Json);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = Assert.Single((await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["results"]!.AsArray())!;
        Assert.Equal("applied", result["status"]!.GetValue<string>());
        var refused = Assert.Single(result["refusedCoupons"]!.AsArray())!;
        Assert.Equal((code, "not_applicable"), (refused["code"]!.GetValue<string>(), refused["reason"]!.GetValue<string>()));
        Assert.Contains("none of the goods", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var support = host.Client(SupportKey);
        var coupon = Assert.Single((await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{memberId}/coupons", Json))!)!;
        Assert.Equal("issued", coupon["status"]!.GetValue<string>());

        // A purchase whose coupons all applied carries no refusedCoupons at all.
        using var plain = await admin.PostAsJsonAsync("api/v1/events", new { eventId = memberId + "-p2", type = "purchase", memberId, occurredAt = at.AddSeconds(1), orderId = "O-cp-3", amount = 20.00m }, Json);
        var plainResult = Assert.Single((await plain.Content.ReadFromJsonAsync<JsonObject>(Json))!["results"]!.AsArray())!;
        Assert.False(plainResult.AsObject().ContainsKey("refusedCoupons"));
    }
}
