using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Stock writes are staff actions in the audit (CONTRACT.md §4 <c>GET /audit</c>: every manual action, who, when, what),
/// like a catalogue write: one row per write that changed something, however often a client retries it.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class StockAuditApiTests(OffersHostFixture host)
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ARewardStockWriteIsAuditedOnceAndARetryAddsNoRow()
    {
        var rewardId = NewId("STK-");
        using var admin = host.Client(AdminKey);
        using var put = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", new { name = "Mug", marketPrice = 50.00m, pointsPrice = 5_000 }, Json);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var store = host.Client(StoreKey);
        var uri = $"api/v1/catalogue/{rewardId}/stock";

        using var first = await store.PutAsJsonAsync(uri, new[] { new { storeId = "S001", available = 5L }, new { storeId = "S002", available = 0L } }, Json);
        using var retried = await store.PutAsJsonAsync(uri, new[] { new { storeId = "S001", available = 5L }, new { storeId = "S002", available = 0L } }, Json);
        using var changed = await store.PutAsJsonAsync(uri, new[] { new { storeId = "S001", available = 3L } }, Json);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, retried.StatusCode, changed.StatusCode });
        var rows = await RowsAsync("catalogue.stock", rewardId);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("POS S001", r["actor"]!.GetValue<string>());
            Assert.Equal("store", r["role"]!.GetValue<string>());
        });
        Assert.Equal(["S001 → 5, S002 → 0", "S001 → 3"], rows.Select(r => r["detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AStoreInventoryReportThatChangesItIsAuditedOnceAndARetryAddsNoRow()
    {
        var storeId = NewId("SI-");
        using var store = host.Client(StoreKey);
        var uri = $"api/v1/stores/{storeId}/inventory";

        using var first = await store.PutAsJsonAsync(uri + "?regionId=east", new[] { new { sku = "SKU-1", available = 5L } }, Json);
        using var retried = await store.PutAsJsonAsync(uri + "?regionId=east", new[] { new { sku = "SKU-1", available = 5L } }, Json);
        using var changed = await store.PutAsJsonAsync(uri, new[] { new { sku = "SKU-1", available = 5L }, new { sku = "SKU-2", available = 7L } }, Json);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { first.StatusCode, retried.StatusCode, changed.StatusCode });
        var rows = await RowsAsync("store.inventory", storeId);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("POS S001", r["actor"]!.GetValue<string>()));
        Assert.Equal(["SKU-1 → 5; region east", "SKU-1 → 5, SKU-2 → 7"], rows.Select(r => r["detail"]!.GetValue<string>()));
    }

    /// <summary>The audit rows of <paramref name="action"/> on <paramref name="target"/>, oldest first.</summary>
    private async Task<List<JsonObject>> RowsAsync(string action, string target)
    {
        using var support = host.Client(SupportKey);
        var rows = await support.GetFromJsonAsync<JsonArray>("api/v1/audit?limit=1000", Json);
        return [.. rows!.Select(r => r!.AsObject())
            .Where(r => r["action"]!.GetValue<string>() == action && r["target"]!.GetValue<string>() == target)
            .OrderBy(r => r["at"]!.GetValue<DateTimeOffset>())];
    }
}
