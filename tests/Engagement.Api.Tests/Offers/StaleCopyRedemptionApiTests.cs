using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Members;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A redemption naming a reward, at a store or store-less, is not refused on a stale copy's memory (docs/scaling.md "What the logs
/// show on a rolling stop"): storage is made to hold a newer state than the member's activation read, as a stopping
/// silo's copy's last write would, and the 404 for an unknown member or the 409 <c>tier_not_eligible</c> must be decided
/// again on what storage holds, on Azurite's table.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class StaleCopyRedemptionApiTests(OffersHostFixture host)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMemberWhoseFirstEventOnlyStorageHoldsIsNotAnsweredUnknown(bool atStore)
    {
        var rewardId = "R-ST-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Mug", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = Array.Empty<string>() }, ("S001", 5));
        var member = "OF" + Guid.NewGuid().ToString("N")[..10];
        using var support = host.Client(SupportKey);
        using var unseen = await support.GetAsync($"api/v1/members/{member}");
        Assert.Equal(HttpStatusCode.NotFound, unseen.StatusCode); // the activation read storage before the first event was stored

        // 10,000 CNY: 20,000 points.
        await NewerInStorageAsync(member, m => m.MemberId = member, 10_000m);

        using var redeemed = await RedeemAsync(atStore, member, rewardId);

        var body = await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(redeemed.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal(17_000L, body!["pointsBalance"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ATierOnlyStorageHoldsIsEligible(bool atStore)
    {
        var rewardId = "R-ST-" + Guid.NewGuid().ToString("N")[..8];
        await host.PutRewardAsync(rewardId, new { name = "Lounge", marketPrice = 30.00m, pointsPrice = 3_000, eligibleTiers = new[] { "V4" } }, ("S001", 5));
        var member = (await host.SeedBuyersAsync(1, 10_000m))[0];
        using var support = host.Client(SupportKey);
        var seen = await Poll.UntilAsync(
            async () => await support.GetFromJsonAsync<JsonObject?>($"api/v1/members/{member}", Json),
            view => view["pointsBalance"]!.GetValue<long>() > 0);
        Assert.Equal("V3", seen["tier"]!.GetValue<string>()); // the activation's copy: not eligible

        // 15,000 CNY more: growth 25,000, tier V4 (from 20,000), in storage only.
        await NewerInStorageAsync(member, _ => { }, 15_000m);

        using var redeemed = await RedeemAsync(atStore, member, rewardId);

        var body = await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.True(redeemed.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal("V4", (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!["tier"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> RedeemAsync(bool atStore, string member, string rewardId)
    {
        if (atStore)
        {
            using var pos = host.Client(StoreKey);
            return await pos.PostAsJsonAsync($"api/v1/catalogue/{rewardId}/redemptions", new { redemptionId = "st-1", memberId = member, storeId = "S001", points = 3_000 }, Json);
        }

        using var admin = host.Client(AdminKey);
        return await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "st-1", points = 3_000, rewardId }, Json);
    }

    /// <summary>
    /// Writes, behind the activation's back, a newer state of <paramref name="memberId"/>: storage's own (a new one when
    /// none is stored), changed by <paramref name="change"/> and a purchase of <paramref name="amount"/> CNY, with its ETag.
    /// </summary>
    private async Task NewerInStorageAsync(string memberId, Action<MemberState> change, decimal amount)
    {
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(Engagement.Azure.Hosting.StorageNames.GrainState);
        var grainId = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(memberId).GetGrainId();
        var stored = new GrainState<MemberGrainState>();
        await storage.ReadStateAsync("member", grainId, stored);
        stored.State ??= new MemberGrainState();
        change(stored.State.Member);
        var now = host.Clock.GetUtcNow();
        var purchase = new MemberEvent(memberId + "-stale", MemberEventTypes.Purchase, now.AddSeconds(-30)) { OrderId = "stale", Amount = amount, RegionId = "east" };
        Assert.True(MemberDecider.Apply(stored.State.Member, purchase, new ProgramOptions(), now).StateChanged);
        await storage.WriteStateAsync("member", grainId, stored);
    }
}
