using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// CONTRACT.md §4's member redemption <c>{redemptionId, points, cashAmount?, rewardId?}</c> has no store: it takes no
/// unit, so its redemptionId can never be the replay of a catalogue redemption at a store (one payment, a unit per
/// store), and the reward it names is checked by the catalogue's rule before any point is spent.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class StoreLessRedemptionApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task AStoreLessRedemptionIdReusedAtStoresIsRefusedThereAndTakesNoUnit()
    {
        var rewardId = "R-RW-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Bottle", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S1", 5), ("S2", 5));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);

        using var paid = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "A-77", points = 3_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var balance = (await paid.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>();

        using var pos = host.Client(StoreKey);
        using var atS1 = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "A-77", memberId = member, storeId = "S1", points = 3_000 }, Json);
        using var atS2 = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "A-77", points = 3_000, rewardId, storeId = "S2" }, Json);

        foreach (var refused in new[] { atS1, atS2 })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("invalid", (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        }

        foreach (var store in new[] { "S1", "S2" })
        {
            var stock = (await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/{store}", Json))!;
            Assert.Equal((5L, 0L, 0L), (stock["available"]!.GetValue<long>(), stock["held"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
        }

        Assert.Equal(balance, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task AStoreLessRedemptionNamingARewardIsRefusedAsTheCatalogueRefusesItAndSpendsNothing()
    {
        var rewardId = "R-LAMP-" + Guid.NewGuid().ToString("N")[..8];
        var v4Only = "R-LOUNGE-" + Guid.NewGuid().ToString("N")[..8];
        var withdrawn = "R-OLD-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Lamp", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S1", 1));
        await host.PutRewardAsync(v4Only, new { name = "Lounge", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = new[] { "V4" } }, ("S1", 1));
        await host.PutRewardAsync(withdrawn, new { name = "Old", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>(), active = false }, ("S1", 1));
        // 10,000 CNY: 20,000 points, tier V3.
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>();

        using var unknown = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "n-1", points = 3_000, rewardId = "R-NONE-" + Guid.NewGuid().ToString("N")[..8] }, Json);
        using var underPriced = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "n-2", points = 1_000, rewardId }, Json);
        using var tier = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "n-3", points = 3_000, rewardId = v4Only }, Json);
        using var gone = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "n-4", points = 3_000, rewardId = withdrawn }, Json);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("rewardId", (await unknown.Content.ReadFromJsonAsync<JsonObject>(Json))!["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, underPriced.StatusCode);
        Assert.NotNull((await underPriced.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["points"]);
        Assert.Equal(HttpStatusCode.Conflict, tier.StatusCode);
        Assert.Equal("tier_not_eligible", (await tier.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, gone.StatusCode);
        Assert.Equal("reward_withdrawn", (await gone.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(before, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());

        // The reward's own price, no store: accepted, and only it is confirmed to the member (catalogue touch).
        using var priced = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "n-5", points = 3_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.OK, priced.StatusCode);
        Assert.Equal(before - 3_000, (await priced.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>());
        var touches = await support.GetStringAsync($"api/v1/members/{member}/touches");
        Assert.Contains($"catalogue:{rewardId};points:3000", touches, StringComparison.Ordinal);
        Assert.DoesNotContain("points:1000", touches, StringComparison.Ordinal);
        Assert.DoesNotContain($"catalogue:{v4Only}", touches, StringComparison.Ordinal);
        Assert.DoesNotContain($"catalogue:{withdrawn}", touches, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARetryOfAPaidRedemptionIsReplayedAfterTheRewardIsWithdrawn()
    {
        var rewardId = "R-MUG-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S1", 1));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var admin = host.Client(AdminKey);

        using var pos = host.Client(StoreKey);
        using var atStore = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "w-0", memberId = member, storeId = "S1", points = 3_000 }, Json);
        Assert.True(atStore.IsSuccessStatusCode, await atStore.Content.ReadAsStringAsync());
        using var paid = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "w-1", points = 3_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var balance = (await paid.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>();

        // HQ withdraws the reward; the till, which lost the first answer, retries: the points were spent, so it is a replay.
        using var withdraw = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>(), active = false }, Json);
        Assert.True(withdraw.IsSuccessStatusCode, await withdraw.Content.ReadAsStringAsync());
        using var retry = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "w-1", points = 3_000, rewardId }, Json);
        var body = await retry.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(retry.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.True(body!["replayed"]!.GetValue<bool>());
        Assert.Equal(balance, body["pointsBalance"]!.GetValue<long>());
        using var storeRetry = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "w-0", memberId = member, storeId = "S1", points = 3_000 }, Json);
        var storeBody = await storeRetry.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(storeRetry.IsSuccessStatusCode, storeBody?.ToJsonString());
        Assert.True(storeBody!["replayed"]!.GetValue<bool>());

        // A new redemption of the withdrawn reward is still refused.
        using var fresh = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "w-2", points = 3_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.Conflict, fresh.StatusCode);
    }

    [Fact]
    public async Task ARetryOfAPaidRedemptionAtAStoreIsReplayedAfterTheRewardIsWithdrawn()
    {
        var rewardId = "R-CUP-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Cup", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 2));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var admin = host.Client(AdminKey);
        using var support = host.Client(SupportKey);
        using var pos = host.Client(StoreKey);

        using var paid = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "ws-1", memberId = member, storeId = "S001", points = 3_000 }, Json);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var balance = (await paid.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>();

        // HQ withdraws the reward; the till, which lost the first answer, retries: the points were spent and the unit
        // taken, so it is a replay of that unit, not a refusal and not a second charge.
        using var withdraw = await admin.PutAsJsonAsync($"api/v1/catalogue/{rewardId}", new { name = "Cup", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>(), active = false }, Json);
        Assert.True(withdraw.IsSuccessStatusCode, await withdraw.Content.ReadAsStringAsync());
        using var retry = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "ws-1", memberId = member, storeId = "S001", points = 3_000 }, Json);
        var body = await retry.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(retry.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.True(body!["replayed"]!.GetValue<bool>());
        Assert.Equal(balance, body["pointsBalance"]!.GetValue<long>());
        var stock = (await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json))!;
        Assert.Equal((1L, 0L, 1L), (stock["available"]!.GetValue<long>(), stock["held"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
        Assert.Equal(balance, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());

        // A new redemption of the withdrawn reward at the store is still refused.
        using var fresh = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "ws-2", memberId = member, storeId = "S001", points = 3_000 }, Json);
        Assert.Equal(HttpStatusCode.Conflict, fresh.StatusCode);
    }
}
