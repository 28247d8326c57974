using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Reads of an id the engine does not know answer 404 as the other reads of that id do, not an empty 200; and a
/// refused optional query parameter is named as optional.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class UnknownIdsApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task TheCouponsOfAnUnknownMemberAre404LikeItsViewAndLedgerAndAKnownMemberWithoutCouponsIsAnEmptyList()
    {
        var unknown = "UK" + Guid.NewGuid().ToString("N")[..10];
        var known = "KN" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(known);
        using var support = host.Client(SupportKey);

        using var view = await support.GetAsync($"api/v1/members/{unknown}");
        using var coupons = await support.GetAsync($"api/v1/members/{unknown}/coupons");
        var none = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{known}/coupons", Json);

        Assert.Equal(HttpStatusCode.NotFound, view.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, coupons.StatusCode);
        Assert.Equal("application/problem+json", coupons.Content.Headers.ContentType?.MediaType);
        var problem = await coupons.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("Member not found", problem!["title"]!.GetValue<string>());
        Assert.Empty(none!);
    }

    [Fact]
    public async Task TheStockOfARewardNotInTheCatalogueIs404LikeItsPutAndAKnownRewardAtAStoreWithoutStockIsZero()
    {
        var known = "R-KNOWN-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(known, new { name = "Mug", marketPrice = 300.00m, pointsPrice = 30_000, steps = new[] { new { points = 20_000, cash = 100.00m } }, eligibleTiers = Array.Empty<string>() }, ("S001", 2));
        using var support = host.Client(SupportKey);

        using var unknown = await support.GetAsync($"api/v1/catalogue/R-NONE-{Guid.NewGuid():N}/stock/S001");
        var elsewhere = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{known}/stock/S999", Json);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(("Reward not found", "rewardId"), (problem!["title"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        Assert.Equal(0L, elsewhere!["available"]!.GetValue<long>());
    }

    [Fact]
    public async Task ABadOptionalRegionOfAnInventoryReportIsRefusedAsOptionalNotAsRequired()
    {
        using var store = host.Client(StoreKey);

        using var bad = await store.PutAsJsonAsync($"api/v1/stores/S001/inventory?regionId={new string('r', 65)}", new[] { new { sku = "SKU-1", available = 1L } }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var message = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["regionId"]![0]!.GetValue<string>();
        Assert.StartsWith("when given,", message, StringComparison.Ordinal);
        Assert.DoesNotContain("required", message, StringComparison.Ordinal);
    }
}
