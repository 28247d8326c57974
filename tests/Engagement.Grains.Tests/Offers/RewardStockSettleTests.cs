using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Offers;

/// <summary>
/// A unit held by a catalogue redemption that never confirmed or released it (the caller failed between its steps and
/// did not retry) is settled by the stock counter: confirmed when the member paid, released when it did not.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class RewardStockSettleTests(MemberClusterFixture cluster)
{
    [Fact]
    public async Task HoldsLeftBehindAreConfirmedWhenTheMemberPaidAndReleasedWhenItDidNot()
    {
        var reward = "R-" + Guid.NewGuid().ToString("N")[..8];
        var stock = cluster.Client.GetGrain<IRewardStockGrain>(OfferIds.StockKey(reward, "S001"));
        await stock.SetAvailableAsync(3);
        var payer = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(payer);
        await member.ApplyEventAsync(Events.Purchase(payer, "O1", 500m, cluster.Time.GetUtcNow().AddMinutes(-1)));

        // Paid, then the confirm was lost; and a take whose member side was never reached.
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-paid", payer)).Status);
        Assert.Equal(RedemptionStatus.Accepted, (await member.RedeemAsync(new RedemptionRequest { RedemptionId = "pos-paid", Points = 100, RewardId = reward, StoreId = "S001" })).Status);
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-unpaid", payer)).Status);
        Assert.True(await member.HasAcceptedRedemptionAsync("pos-paid", reward, "S001"));
        Assert.False(await member.HasAcceptedRedemptionAsync("pos-paid", "R-other", "S001")); // the same id for another reward
        Assert.False(await member.HasAcceptedRedemptionAsync("pos-unpaid", reward, "S001"));

        // A redemption still on its way is never settled under it.
        Assert.Equal(0, await stock.SettleStaleHoldsAsync());
        Assert.Equal((1L, 2L), ((await stock.GetAsync()).Available, (await stock.GetAsync()).Held));

        cluster.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(2, await stock.SettleStaleHoldsAsync());

        var after = await stock.GetAsync();
        Assert.Equal((2L, 0L, 1L), (after.Available, after.Held, after.Redeemed));
        Assert.Equal(StockTakeResult.ReleasedBefore, (await stock.TakeAsync("pos-unpaid", payer)).Status);
        Assert.Equal(StockTakeResult.Replayed, (await stock.TakeAsync("pos-paid", payer)).Status);
    }

    [Fact]
    public async Task AHoldReplayedByARetryIsNotSettledUnderItBetweenItsTakeAndItsPayment()
    {
        var reward = "R-" + Guid.NewGuid().ToString("N")[..8];
        var stock = cluster.Client.GetGrain<IRewardStockGrain>(OfferIds.StockKey(reward, "S001"));
        await stock.SetAvailableAsync(1);
        var payer = MemberClusterFixture.NewMemberId();
        var member = cluster.Client.GetGrain<IMemberGrain>(payer);
        await member.ApplyEventAsync(Events.Purchase(payer, "O1", 500m, cluster.Time.GetUtcNow().AddMinutes(-1)));

        // The first attempt took the unit and failed before paying; its retry comes 11 minutes later.
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-late", payer)).Status);
        cluster.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(StockTakeResult.Replayed, (await stock.TakeAsync("pos-late", payer)).Status);
        var settled = await stock.SettleStaleHoldsAsync(); // the reminder fires while the retry is on its way
        Assert.Equal(RedemptionStatus.Accepted, (await member.RedeemAsync(new RedemptionRequest { RedemptionId = "pos-late", Points = 100, RewardId = reward, StoreId = "S001" })).Status);
        await stock.ConfirmAsync("pos-late");

        Assert.Equal(0, settled);
        var after = await stock.GetAsync();
        Assert.Equal((0L, 0L, 1L), (after.Available, after.Held, after.Redeemed)); // paid and spent, not back on sale
    }
}
