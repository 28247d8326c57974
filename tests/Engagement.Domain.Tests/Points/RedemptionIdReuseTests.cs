using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

/// <summary>
/// A points or catalogue redemptionId reused for another reward is refused <c>invalid</c> (the API's 409 naming
/// <c>redemptionId</c>) with a detail saying what the id was used for, first as recorded, then as asked: it said only "a
/// different request", which left the till guessing. The member's clock is pinned (<see cref="TestMember"/>'s fixed start).
/// </summary>
public class RedemptionIdReuseTests
{
    [Fact]
    public void AnIdReusedForAnotherRewardSaysWhatItWasUsedForAndSpendsNothing()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        Assert.True(member.Redeem("R-1", 500, rewardId: "kettle").Accepted);

        var otherReward = member.Redeem("R-1", 500, cash: 5.00m, rewardId: "mug");
        var withoutReward = member.Redeem("R-1", 500);
        var retry = member.Redeem("R-1", 500, rewardId: "kettle");

        Assert.Equal((RedemptionStatuses.Invalid, false, "redemptionId"), (otherReward.Status, otherReward.Replayed, otherReward.Field));
        Assert.Equal(
            "redemptionId R-1 was already used for a different request: 500 points for reward kettle without a storeId, "
            + "not 500 points + 5.00 CNY cash for reward mug without a storeId; send a new redemptionId for a new redemption (the first request again returns its answer)",
            otherReward.Detail);
        Assert.Equal((RedemptionStatuses.Invalid, "redemptionId"), (withoutReward.Status, withoutReward.Field));
        Assert.StartsWith("redemptionId R-1 was already used for a different request: 500 points for reward kettle without a storeId, not 500 points without a reward without a storeId;",
            withoutReward.Detail, StringComparison.Ordinal);
        Assert.Equal((RedemptionStatuses.Accepted, true, (string?)null), (retry.Status, retry.Replayed, retry.Field));
        Assert.Equal(1500, member.Balance);
    }

    [Fact]
    public void AnIdReusedAtAnotherStoreForTheSameRewardNamesBothStores()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        Assert.True(RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "kettle", member.Options, member.Now, storeId: "S001").Accepted);

        var elsewhere = RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "kettle", member.Options, member.Now, storeId: "S002");

        Assert.Equal((RedemptionStatuses.Invalid, "redemptionId"), (elsewhere.Status, elsewhere.Field));
        Assert.StartsWith("redemptionId R-1 was already used for a different request: 500 points for reward kettle at store S001, not 500 points for reward kettle at store S002;",
            elsewhere.Detail, StringComparison.Ordinal);
        Assert.Equal(1500, member.Balance);
    }
}
