using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A points redemption at a till (<c>POST /members/{memberId}/redemptions</c> with <c>storeId</c>, no reward) keeps its
/// store: the ledger reason names it, so support sees where the points were spent, and the same redemptionId from another
/// store (or without one) is 409 <c>redemption_id_reused</c> naming <c>storeId</c>, nothing spent again.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class PointsRedemptionStoreApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task APointsRedemptionAtAStoreNamesItInTheLedgerAndItsIdFromAnotherStoreIsRefused()
    {
        var member = (await host.SeedBuyersAsync(1, 1_000m))[0];
        using var admin = host.Client(AdminKey);

        using var paid = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-S001-1", points = 100, storeId = "S001" }, Json);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var balance = (await paid.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>();

        var ledger = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}/ledger?kind=points", Json))!;
        var line = ledger["entries"]!.AsArray().Single(e => e!["eventId"]?.GetValue<string>() == "P-S001-1")!;
        // The lots it took from follow the store (LotNames).
        Assert.Matches(@"^redemption P-S001-1 of 100 points \([0-9.]+ CNY\) at store S001(; points taken from lots: |$)", line["reason"]!.GetValue<string>());

        using var again = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-S001-1", points = 100, storeId = "S001" }, Json);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());

        using var otherStore = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-S001-1", points = 100, storeId = "S002" }, Json);
        using var noStore = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-S001-1", points = 100 }, Json);
        foreach (var refused in new[] { otherStore, noStore })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
            Assert.Equal("redemption_id_reused", problem["reason"]!.GetValue<string>());
            Assert.Equal("storeId", problem["field"]!.GetValue<string>());
        }

        Assert.Equal(balance, (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task APointsRedemptionWithoutAStoreReadsAsBeforeAndAnUnboundedStoreIsA400()
    {
        var member = (await host.SeedBuyersAsync(1, 1_000m))[0];
        using var admin = host.Client(AdminKey);

        using var plain = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-none-1", points = 100 }, Json);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var ledger = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}/ledger?kind=points", Json))!;
        var line = ledger["entries"]!.AsArray().Single(e => e!["eventId"]?.GetValue<string>() == "P-none-1")!;
        Assert.Matches(@"^redemption P-none-1 of 100 points \([0-9.]+ CNY\)(; points taken from lots: |$)", line["reason"]!.GetValue<string>());

        using var tooLong = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "P-long-1", points = 100, storeId = new string('S', 65) }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.NotNull((await tooLong.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["storeId"]);
    }
}
