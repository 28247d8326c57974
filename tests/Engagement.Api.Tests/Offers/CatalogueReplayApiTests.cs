using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// CONTRACT.md §2.1, §4: a catalogue redemption takes stock and points together, idempotent by redemptionId. The same
/// id at another store is another request: refused, its unit given back, never a free unit the member did not pay for.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CatalogueReplayApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task TheSameRedemptionIdAtASecondStoreIsRefusedAndGivesNoUnitAway()
    {
        var rewardId = "R-MUG-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5), ("S002", 5));

        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var support = host.Client(SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>();

        using var first = await RedeemAsync(rewardId, member, "S001", "pos-0001");
        using var replay = await RedeemAsync(rewardId, member, "S001", "pos-0001");
        using var elsewhere = await RedeemAsync(rewardId, member, "S002", "pos-0001");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        var problem = (await elsewhere.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("invalid", "redemptionId"), (problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        Assert.Contains("different request", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var s1 = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        var s2 = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S002", Json);
        Assert.Equal((1L, 0L), (s1!["redeemed"]!.GetValue<long>(), s2!["redeemed"]!.GetValue<long>()));
        Assert.Equal(5L, s2["available"]!.GetValue<long>());
        var after = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>();
        Assert.Equal(before - 3_000, after);
    }

    [Fact]
    public async Task AnotherMembersRedemptionIdAtTheSameStoreChargesNothingAndTakesNoUnit()
    {
        // A terminal's ids restart, or two terminals share a scheme: the second member's request is not the first's replay.
        var rewardId = "R-CUP-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Cup", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 1));
        var members = await host.SeedBuyersAsync(2, 10_000m);
        using var support = host.Client(SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{members[1]}", Json))!["pointsBalance"]!.GetValue<long>();

        using var first = await RedeemAsync(rewardId, members[0], "S001", "pos-0001");
        using var second = await RedeemAsync(rewardId, members[1], "S001", "pos-0001");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = (await second.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("invalid", problem["reason"]!.GetValue<string>());
        Assert.Equal("redemptionId", problem["field"]!.GetValue<string>());
        var after = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{members[1]}", Json))!["pointsBalance"]!.GetValue<long>();
        Assert.Equal(before, after);
        var stock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        Assert.Equal((0L, 0L, 1L), (stock!["available"]!.GetValue<long>(), stock["held"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
    }

    [Fact]
    public async Task AStepPaidInCashAloneIsRedeemedTakingAUnitAndNoPoints()
    {
        // docs/offers.md: a step's points are 0 or more; the member side once refused 0 points and released the unit.
        var rewardId = "R-BAG-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Bag", marketPrice = 300.00m, pointsPrice = 30_000, steps = new[] { new { points = 0, cash = 280.00m } }, eligibleTiers = Array.Empty<string>() }, ("S001", 1));

        var member = (await host.SeedBuyersAsync(1, 100m))[0];
        using var pos = host.Client(StoreKey);
        using var response = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions",
            new { redemptionId = "cash-1", memberId = member, storeId = "S001", points = 0, cashAmount = 280.00m }, Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(200L, body["pointsBalance"]!.GetValue<long>());
        using var support = host.Client(SupportKey);
        var stock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        Assert.Equal((0L, 1L), (stock!["available"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
    }

    [Fact]
    public async Task AStepPaidInCashAloneIsRedeemedThroughTheMemberPathToo()
    {
        // POST /members/{id}/redemptions with rewardId and storeId is the same catalogue redemption: 0 points is a step.
        var rewardId = "R-BAG-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Bag", marketPrice = 300.00m, pointsPrice = 30_000, steps = new[] { new { points = 0, cash = 280.00m } }, eligibleTiers = Array.Empty<string>() }, ("S001", 1));
        var member = (await host.SeedBuyersAsync(1, 100m))[0];
        using var admin = host.Client(AdminKey);

        using var response = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions",
            new { redemptionId = "cash-m1", points = 0, cashAmount = 280.00m, rewardId, storeId = "S001" }, Json);
        using var noStore = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions",
            new { redemptionId = "cash-m2", points = 0, cashAmount = 280.00m, rewardId }, Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["status"]!.GetValue<string>());
        using var support = host.Client(SupportKey);
        var stock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S001", Json);
        Assert.Equal((0L, 1L), (stock!["available"]!.GetValue<long>(), stock["redeemed"]!.GetValue<long>()));
        // Without a store it is a points redemption (CONTRACT.md §4), and one of 0 points is still refused, naming the field.
        Assert.Equal(HttpStatusCode.BadRequest, noStore.StatusCode);
        Assert.NotNull((await noStore.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["points"]);
    }

    [Fact]
    public async Task ARetryOfAPaidRedemptionWhoseUnitWasReleasedGivesThePointsBack()
    {
        // The member paid, then the unit was released (settled as stale, and the request died before it could give the
        // points back). The retry must not leave the member charged for a unit it does not have.
        var rewardId = "R-CUP-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Cup", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 1));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var stock = grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, "S001"));
        using var support = host.Client(SupportKey);
        var view = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        var before = view["pointsBalance"]!.GetValue<long>();
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-Y", member)).Status);
        Assert.Equal(RedemptionStatus.Accepted, (await grains.GetGrain<IMemberGrain>(member).RedeemAsync(new RedemptionRequest { RedemptionId = "pos-Y", Points = 3_000, RewardId = rewardId, StoreId = "S001" })).Status);
        await stock.ReleaseAsync("pos-Y");

        using var retry = await RedeemAsync(rewardId, member, "S001", "pos-Y");
        using var again = await RedeemAsync(rewardId, member, "S001", "pos-Y");

        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var viewAfter = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        Assert.Equal(before, viewAfter["pointsBalance"]!.GetValue<long>()); // given back once, however often it is retried
        // Back to the lots they were taken from, with their own expiries: no fresh 12-month lot.
        Assert.Equal(view["pointsLots"]!.ToJsonString(), viewAfter["pointsLots"]!.ToJsonString());
    }

    [Fact]
    public async Task ARetryWithAnotherPaymentOfAPaidRedemptionKeepsItsUnitAndTheRightRetryFinishesIt()
    {
        // The first request took the unit and the member paid, then it failed before confirming: the unit is still held.
        var rewardId = "R-PEN-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Pen", marketPrice = 30.00m, pointsPrice = 3_000, steps = new[] { new { points = 2_000, cash = 10.00m } }, eligibleTiers = Array.Empty<string>() }, ("S001", 1));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var stock = grains.GetGrain<IRewardStockGrain>(OfferIds.StockKey(rewardId, "S001"));
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-X", member)).Status);
        Assert.Equal(RedemptionStatus.Accepted, (await grains.GetGrain<IMemberGrain>(member).RedeemAsync(new RedemptionRequest { RedemptionId = "pos-X", Points = 3_000, RewardId = rewardId, StoreId = "S001" })).Status);

        using var pos = host.Client(StoreKey);
        using var otherPayment = await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions",
            new { redemptionId = "pos-X", memberId = member, storeId = "S001", points = 2_000, cashAmount = 10.00m }, Json);
        var held = await stock.GetAsync();
        using var rightRetry = await RedeemAsync(rewardId, member, "S001", "pos-X");

        Assert.Equal(HttpStatusCode.Conflict, otherPayment.StatusCode);
        Assert.Equal((0L, 1L), (held.Available, held.Held)); // not released: the paid redemption's unit
        Assert.Equal(HttpStatusCode.OK, rightRetry.StatusCode);
        var after = await stock.GetAsync();
        Assert.Equal((0L, 0L, 1L), (after.Available, after.Held, after.Redeemed));
    }

    [Fact]
    public async Task AMemberRedemptionNamingARewardAtAStoreChecksItsStockAndOneWithoutAStoreKeepsTheContractsShape()
    {
        var rewardId = "R-FAN-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Fan", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 0), ("S002", 1));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var support = host.Client(SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>();

        // At a store with none left: 409 out_of_stock and nothing charged.
        using var admin = host.Client(AdminKey);
        using var noStock = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "m-1", points = 3_000, rewardId, storeId = "S001" }, Json);
        Assert.Equal(HttpStatusCode.Conflict, noStock.StatusCode);
        Assert.Equal("out_of_stock", (await noStock.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(before, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());

        // At a store that has one: the catalogue's answer, accepted as a member redemption's is, and the unit taken.
        using var taken = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "m-2", points = 3_000, rewardId, storeId = "S002" }, Json);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var answer = (await taken.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("accepted", before - 3_000), (answer["status"]!.GetValue<string>(), answer["pointsBalance"]!.GetValue<long>()));

        // CONTRACT.md §4's body, no store: the reward's price is checked as at a store, so 1,000 points for a 3,000-point
        // reward is refused naming points and nothing is spent; at its price it is a points redemption taking no unit.
        using var underPriced = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "m-3", points = 1_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, underPriced.StatusCode);
        Assert.NotNull((await underPriced.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["points"]);
        Assert.Equal(before - 3_000, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());
        using var noStore = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "m-4", points = 3_000, rewardId }, Json);
        Assert.Equal(HttpStatusCode.OK, noStore.StatusCode);
        var plain = (await noStore.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("accepted", before - 6_000), (plain["status"]!.GetValue<string>(), plain["pointsBalance"]!.GetValue<long>()));
        var s2 = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{rewardId}/stock/S002", Json);
        Assert.Equal((0L, 1L), (s2!["available"]!.GetValue<long>(), s2["redeemed"]!.GetValue<long>()));
    }

    [Fact]
    public async Task AnIdReusedForAnotherRewardAtTheSameStoreIsA409NamingRedemptionIdAndSaysWhatItWasUsedFor()
    {
        // docs/http-api.md: the same id with another reward is 409 invalid with "field":"redemptionId", also when the
        // body names a store (the catalogue redemption's answer, which had no field); nothing charged, no unit taken.
        var kettle = "R-KET-" + Guid.NewGuid().ToString("N")[..8];
        var mug = "R-MUG-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(kettle, new { name = "Kettle", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5));
        await host.PutRewardAsync(mug, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var support = host.Client(SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>();
        using var pos = host.Client(StoreKey);
        var url = $"api/v1/members/{member}/redemptions";

        using var first = await pos.PostAsJsonAsync(url, new { redemptionId = "R-1", points = 3_000, rewardId = kettle, storeId = "S001" }, Json);
        using var otherReward = await pos.PostAsJsonAsync(url, new { redemptionId = "R-1", points = 3_000, rewardId = mug, storeId = "S001" }, Json);
        using var retry = await pos.PostAsJsonAsync(url, new { redemptionId = "R-1", points = 3_000, rewardId = kettle, storeId = "S001" }, Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, otherReward.StatusCode);
        Assert.Equal("application/problem+json", otherReward.Content.Headers.ContentType?.MediaType);
        var problem = (await otherReward.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal((409, "invalid", "redemptionId"),
            (problem["status"]!.GetValue<int>(), problem["reason"]!.GetValue<string>(), problem["field"]!.GetValue<string>()));
        Assert.StartsWith($"redemptionId R-1 was already used for a different request: 3000 points for reward {kettle} at store S001, not 3000 points for reward {mug} at store S001;",
            problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before - 3_000, problem["pointsBalance"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True((await retry.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
        var mugStock = await support.GetFromJsonAsync<JsonObject>($"api/v1/catalogue/{mug}/stock/S001", Json);
        Assert.Equal((5L, 0L, 0L), (mugStock!["available"]!.GetValue<long>(), mugStock["held"]!.GetValue<long>(), mugStock["redeemed"]!.GetValue<long>()));
        Assert.Equal(before - 3_000, (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["pointsBalance"]!.GetValue<long>());
    }

    private async Task<HttpResponseMessage> RedeemAsync(string rewardId, string memberId, string store, string redemptionId)
    {
        using var pos = host.Client(StoreKey);
        return await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions",
            new { redemptionId, memberId, storeId = store, points = 3_000, cashAmount = (decimal?)null }, Json);
    }
}
