using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Grains.Tests.Campaigns;
using Engagement.Grains.Tests.Infrastructure;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The stale copy's second read (<see cref="StaleCopyNegativeAnswerTests"/>) with campaigns on: after a change the member
/// emits its index row once the write is done, and that confirmation is owed to storage (it rides on the next write).
/// An owed write is no reason to answer from memory: storage still lists those effects as pending and re-emitting them
/// is harmless, so the copy reads storage again before "not paid" or "not enough points" all the same.
/// </summary>
[Collection(CampaignClusterCollection.Name)]
public sealed class StaleCopyOwedWriteTests(CampaignClusterFixture cluster)
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task WithAConfirmationOwedARedemptionTheOtherCopyAcceptedIsStillAnsweredPaid()
    {
        var reward = "R-" + Guid.NewGuid().ToString("N")[..8];
        var id = MemberClusterFixture.NewMemberId("owed");
        var member = cluster.Client.GetGrain<IMemberGrain>(id);
        var stock = cluster.Client.GetGrain<IRewardStockGrain>(OfferIds.StockKey(reward, "S001"));
        await stock.SetAvailableAsync(1);
        Assert.Equal(StockTakeResult.Taken, (await stock.TakeAsync("pos-other", id)).Status);

        // The purchase's write, then its index row emitted: a write is owed when the question comes.
        await member.ApplyEventAsync(Events.Purchase(id, id + "-O1", 500m, Now.AddMinutes(-1)));
        await NewerInStorageAsync(id, m => Assert.True(MemberDecider.Redeem(m, "pos-other", 100, null, reward, new ProgramOptions(), Now, storeId: "S001").StateChanged));

        Assert.True(await member.HasAcceptedRedemptionAsync("pos-other", reward, "S001"));
        cluster.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await stock.SettleStaleHoldsAsync());
        var after = await stock.GetAsync();
        Assert.Equal((0L, 0L, 1L), (after.Available, after.Held, after.Redeemed)); // confirmed, not released for sale again
    }

    [Fact]
    public async Task WithAConfirmationOwedPointsTheOtherCopyStoredAreRedeemable()
    {
        var (member, result, expected) = await StaleCopy.RedeemMoreThanSeenAsync(cluster.Client, Now, MemberClusterFixture.NewMemberId("owed"), NewerInStorageAsync);

        Assert.Equal(RedemptionStatus.Accepted, result.Status);
        Assert.Equal(expected, result.PointsBalance);
    }

    /// <summary>The other copy's write (<see cref="StaleCopy.WriteNewerAsync"/>), onto a stored state that still owes a write.</summary>
    private Task NewerInStorageAsync(string id, Action<MemberState> change) => StaleCopy.WriteNewerAsync(
        cluster.Cluster,
        id,
        change,
        // What makes the activation's write owed: storage still lists the last change's effects as pending. Without
        // them no write is owed and these tests would only repeat StaleCopyNegativeAnswerTests.
        stored => Assert.True(stored.Member.Outbox.Count > 0, "the stored outbox lists no pending effect: no write is owed"));
}
