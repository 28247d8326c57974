using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Members;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// After a silo handover two activations of one member can briefly coexist (docs/scaling.md "What the logs show on a rolling
/// stop"): here storage is made to hold a newer state than the activation read, as the other copy's last write would.
/// A negative answer given with no write ("not paid", "not enough points", unknown member) must be decided on what
/// storage holds, not on the stale copy's memory.
/// </summary>
[Collection(MemberClusterCollection.Name)]
public sealed class StaleCopyNegativeAnswerTests(MemberClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task ARedemptionTheOtherCopyAcceptedIsPaidAndItsStockHoldIsConfirmedNotReleased()
    {
        var reward = "R-" + Guid.NewGuid().ToString("N")[..8];
        var stock = cluster.Client.GetGrain<IRewardStockGrain>(OfferIds.StockKey(reward, "S001"));
        await stock.SetAvailableAsync(1);
        var id = MemberClusterFixture.NewMemberId("stale");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 500m, Now.AddMinutes(-1)));
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-other", id)).Status);

        // The other copy accepted the redemption and stored it; this activation never saw it.
        await NewerInStorageAsync(id, m => Assert.True(MemberDecider.Redeem(m, "pos-other", 100, null, reward, new ProgramOptions(), Now, storeId: "S001").StateChanged));

        Assert.True(await member.HasAcceptedRedemptionAsync("pos-other", reward, "S001"));
        cluster.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await stock.SettleStaleHoldsAsync());
        var after = await stock.GetAsync();
        Assert.Equal((0L, 0L, 1L), (after.Available, after.Held, after.Redeemed)); // confirmed: the paid unit is not for sale again
    }

    [Fact]
    public async Task PointsTheOtherCopyStoredAreRedeemableNotRefusedAsInsufficient()
    {
        var (member, result, expected) = await StaleCopy.RedeemMoreThanSeenAsync(cluster.Client, Now, MemberClusterFixture.NewMemberId("stale"), NewerInStorageAsync);

        Assert.Equal(RedemptionStatus.Accepted, result.Status);
        Assert.Equal(expected, result.PointsBalance);
        Assert.Equal(expected, (await member.GetViewAsync())!.PointsBalance);
    }

    [Fact]
    public async Task AMemberTheOtherCopyStoredIsNotAnsweredUnknown()
    {
        var id = MemberClusterFixture.NewMemberId("stale");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        Assert.Null(await member.GetViewAsync()); // this activation read storage before the member's first event was stored

        await NewerInStorageAsync(id, m =>
        {
            m.MemberId = id;
            Assert.True(MemberDecider.Apply(m, MemberMapper.ToDomain(Events.Purchase(id, id + "-O1", 300m, Now.AddMinutes(-5))), new ProgramOptions(), Now).StateChanged);
        });

        var result = await member.RedeemAsync(new RedemptionRequest { RedemptionId = id + "-R1", Points = 10 });

        Assert.Equal(RedemptionStatus.Accepted, result.Status);
    }

    /// <summary>The other copy's write (<see cref="StaleCopy.WriteNewerAsync"/>).</summary>
    private Task NewerInStorageAsync(string id, Action<MemberState> change) => StaleCopy.WriteNewerAsync(cluster.Cluster, id, change);
}
