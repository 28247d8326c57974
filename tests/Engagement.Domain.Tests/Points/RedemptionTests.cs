using Engagement.Domain.Ledger;
using Engagement.Domain.Points;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

public class RedemptionTests
{
    [Fact]
    public void RedemptionTakesPointsAndWritesTheLedger()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);

        var decision = member.Redeem("R-1", 500, rewardId: "mug");

        Assert.Equal(RedemptionStatuses.Accepted, decision.Status);
        Assert.True(decision.Accepted);
        Assert.False(decision.Replayed);
        Assert.Equal(1500, decision.PointsBalance);
        Assert.Equal(5.00m, decision.PointsValue);
        var entry = Assert.Single(decision.NewEntries);
        Assert.Equal((LedgerKinds.Points, -500L, 1500L, RuleIds.PointsRedeem, "R-1"), (entry.Kind, entry.Delta, entry.BalanceAfter, entry.RuleId, entry.EventId));
        Assert.Contains("mug", entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PointsAndCashCombineInOneRedemption()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);

        var decision = member.Redeem("R-1", 1200, cash: 38.00m, rewardId: "serum");

        Assert.Equal(RedemptionStatuses.Accepted, decision.Status);
        Assert.Equal(12.00m, decision.PointsValue);
        Assert.Equal(38.00m, decision.CashAmount);
        Assert.Contains("+ 38.00 CNY cash", decision.NewEntries[0].Reason, StringComparison.Ordinal);
        Assert.Equal(800, member.Balance);
    }

    [Fact]
    public void PointValueFollowsConfigurationAndIsCutToTheCent()
    {
        var member = new TestMember();
        member.Options.PointValue = 0.012m;
        member.Purchase("O-1", 1000m);

        var decision = member.Redeem("R-1", 333);

        Assert.Equal(3.99m, decision.PointsValue);
    }

    [Fact]
    public void APointsRedemptionRecordedWithoutAStoreIsReplayedForTheStoreItsRetryNames()
    {
        // Records made before stores were kept have none; the till's retry names its store. A 409 would tell the till the
        // points were not spent, and a retry with a new id would spend them twice.
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        RedemptionPolicy.Redeem(member.State, "R-1", 500, null, null, member.Options, member.Now);

        var retry = RedemptionPolicy.Redeem(member.State, "R-1", 500, null, null, member.Options, member.Now, storeId: "S001");

        Assert.Equal((RedemptionStatuses.Accepted, true, 1500L), (retry.Status, retry.Replayed, member.Balance));
        Assert.Empty(retry.NewEntries);

        var otherStore = RedemptionPolicy.Redeem(member.State, "R-2", 100, null, null, member.Options, member.Now, storeId: "S001");
        var reused = RedemptionPolicy.Redeem(member.State, "R-2", 100, null, null, member.Options, member.Now, storeId: "S002");
        Assert.Equal(RedemptionStatuses.Accepted, otherStore.Status);
        Assert.Equal(RedemptionStatuses.RedemptionIdReused, reused.Status);
    }

    [Fact]
    public void SameRedemptionIdReplaysTheFirstOutcomeWithoutTakingPointsTwice()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        member.Redeem("R-1", 500);

        var again = member.Redeem("R-1", 500);

        Assert.True(again.Replayed);
        Assert.Equal(RedemptionStatuses.Accepted, again.Status);
        Assert.Equal(5.00m, again.PointsValue);
        Assert.Empty(again.NewEntries);
        Assert.Equal(1500, member.Balance);
    }

    [Fact]
    public void AnAcceptedRedemptionIsStillReplayedAfterManyRefusedAttempts()
    {
        // A client looping on 409s with fresh ids once pushed the accepted record out of the last 100: its retry paid again.
        var member = new TestMember();
        member.Purchase("O-1", 10_000m);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-1", 1_500).Status);
        for (var i = 0; i < member.Options.RecentRedemptionsKept + 5; i++)
        {
            Assert.Equal(RedemptionStatuses.InsufficientPoints, member.Redeem("X-" + i, 1_000_000).Status);
        }

        var retry = member.Redeem("R-1", 1_500);

        Assert.Equal((RedemptionStatuses.Accepted, true), (retry.Status, retry.Replayed));
        Assert.Equal(20_000 - 1_500, member.Balance);
        Assert.True(member.State.Redemptions.Count <= member.Options.RecentRedemptionsKept);
    }

    [Fact]
    public void AnAcceptedRedemptionRetriedAfterMoreThanTheKeptRecordsIsNotSpentAgain()
    {
        // The member keeps its last 100 redemption records; the 101st newer accepted one pushed R-0 out and its retry paid twice.
        var member = new TestMember(TestMember.Shanghai(2025, 1, 10, 10));
        member.Purchase("O-1", 10_000m);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-0", 1_000).Status);
        var kept = member.Options.RecentRedemptionsKept;
        for (var i = 1; i <= kept + 1; i++)
        {
            member.Now = member.Now.AddMinutes(1);
            Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 10).Status);
        }

        Assert.DoesNotContain(member.State.Redemptions, r => r.RedemptionId == "R-0");
        var before = member.Balance;
        member.Now = member.Now.AddDays(20);

        var retry = member.Redeem("R-0", 1_000);

        Assert.Equal((RedemptionStatuses.Accepted, true), (retry.Status, retry.Replayed));
        Assert.Empty(retry.NewEntries);
        Assert.Equal(before, member.Balance);
        Assert.Equal(20_000 - 1_000 - 10 * (kept + 1), member.Balance);
    }

    [Fact]
    public void ARewardRedemptionReusingAnIdKnownOnlyToTheWindowIsInvalidNotAFreeReplay()
    {
        var member = new TestMember();
        member.Purchase("O-1", 10_000m);
        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-0", 100).Status);
        for (var i = 1; i <= member.Options.RecentRedemptionsKept; i++)
        {
            Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 10).Status);
        }

        var before = member.Balance;
        var reused = RedemptionPolicy.Redeem(member.State, "R-0", 3_000, null, "kettle", member.Options, member.Now, storeId: "S001");

        Assert.DoesNotContain(member.State.Redemptions, r => r.RedemptionId == "R-0");
        Assert.Equal((RedemptionStatuses.Invalid, false), (reused.Status, reused.Replayed));
        Assert.Equal(before, member.Balance);
    }

    [Fact]
    public void RedemptionIdReusedForAnotherRewardOrStoreIsInvalidNotAReplay()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        Assert.Equal(RedemptionStatuses.Accepted, RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "kettle", member.Options, member.Now, storeId: "S001").Status);

        var otherReward = RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "mug", member.Options, member.Now, storeId: "S001");
        var otherStore = RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "kettle", member.Options, member.Now, storeId: "S002");
        var same = RedemptionPolicy.Redeem(member.State, "R-1", 500, null, "kettle", member.Options, member.Now, storeId: "S001");

        Assert.Equal((RedemptionStatuses.Invalid, false), (otherReward.Status, otherReward.Replayed));
        Assert.Equal((RedemptionStatuses.Invalid, false), (otherStore.Status, otherStore.Replayed));
        Assert.Equal((RedemptionStatuses.Accepted, true), (same.Status, same.Replayed));
        Assert.Equal(1500, member.Balance);
    }

    [Fact]
    public void ACatalogueStepPaidInCashAloneIsAcceptedAndLeavesTheBalance()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var cashOnly = RedemptionPolicy.Redeem(member.State, "R-1", 0, 280.00m, "bag", member.Options, member.Now, storeId: "S001");
        var nothing = RedemptionPolicy.Redeem(member.State, "R-2", 0, null, "bag", member.Options, member.Now, storeId: "S001");
        var noReward = RedemptionPolicy.Redeem(member.State, "R-3", 0, 280.00m, null, member.Options, member.Now);

        Assert.Equal(RedemptionStatuses.Accepted, cashOnly.Status);
        var entry = Assert.Single(cashOnly.NewEntries);
        Assert.Equal(0, entry.Delta);
        Assert.Contains("280.00 CNY cash", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(200, member.Balance);
        Assert.Equal((RedemptionStatuses.Invalid, RedemptionStatuses.Invalid), (nothing.Status, noReward.Status));
    }

    [Fact]
    public void RedemptionIdReusedForAnotherAmountIsRefusedAsReusedNamingPoints()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        member.Redeem("R-1", 500);

        var other = member.Redeem("R-1", 600);

        Assert.Equal((RedemptionStatuses.RedemptionIdReused, "points", false), (other.Status, other.Field, other.Replayed));
        Assert.StartsWith("redemptionId R-1 was already used for another redemption: points 500, not 600;", other.Detail, StringComparison.Ordinal);
        Assert.Equal(1500, member.Balance);
    }

    [Fact]
    public void ARetryWithCashZeroOrWithoutCashIsTheSameRedemptionReplayed()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        var first = member.Redeem("R-1", 500, cash: 0m);
        member.Redeem("R-2", 100);

        // Before: cashAmount 0 and none differed, so each retry was 409 redemption_id_reused naming cashAmount.
        var withoutCash = member.Redeem("R-1", 500);
        var withZero = member.Redeem("R-2", 100, cash: 0m);

        Assert.Equal(RedemptionStatuses.Accepted, first.Status);
        Assert.Equal((RedemptionStatuses.Accepted, true, (string?)null), (withoutCash.Status, withoutCash.Replayed, withoutCash.Field));
        Assert.Equal((RedemptionStatuses.Accepted, true, (string?)null), (withZero.Status, withZero.Replayed, withZero.Field));
        Assert.Equal(1400, member.Balance);
    }

    [Fact]
    public void RedemptionBeyondTheBalanceIsRefusedAsInsufficient()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var decision = member.Redeem("R-1", 201);

        Assert.Equal(RedemptionStatuses.InsufficientPoints, decision.Status);
        Assert.Equal(200, decision.PointsBalance);
        Assert.Equal(200, member.Balance);
        Assert.Empty(decision.NewEntries);
    }

    [Fact]
    public void ARefusedRedemptionIsNotRememberedSoItsRetryAfterEarningIsJudgedAfresh()
    {
        // A refusal was kept in memory but not stored: its retry was refused again while the grain stayed active, and
        // accepted after a restart. Only an accepted redemption is stored (MemberDecider), so only it is remembered.
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        Assert.Equal(RedemptionStatuses.InsufficientPoints, member.Redeem("R-1", 300).Status);
        Assert.Empty(member.State.Redemptions);

        member.Purchase("O-2", 100m);
        var retry = member.Redeem("R-1", 300);

        Assert.Equal((RedemptionStatuses.Accepted, false), (retry.Status, retry.Replayed));
        Assert.Equal(0, member.Balance);
    }

    [Fact]
    public void RedemptionOfExactlyTheBalanceIsAccepted()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        Assert.Equal(RedemptionStatuses.Accepted, member.Redeem("R-1", 200).Status);
        Assert.Equal(0, member.Balance);
    }

    [Fact]
    public void RefundAfterPointsWereSpentDrivesTheBalanceNegativeAndRedemptionIsRefused()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000m, at: member.Now.AddHours(-2));
        member.Purchase("O-2", 100m, at: member.Now.AddHours(-1));
        member.Redeem("R-1", 2100);

        Assert.Equal(20, member.Balance);

        // The refund occurred after O-2, so O-2 keeps its V2 points (CONTRACT.md §1.1).
        member.Refund("O-1", 1000m);

        Assert.Equal(20 - 2000, member.Balance);
        var decision = member.Redeem("R-2", 1);
        Assert.Equal(RedemptionStatuses.NegativeBalance, decision.Status);
        Assert.Equal(-1980, decision.PointsBalance);
    }

    [Fact]
    public void RedemptionDoesNotSpendAnExpiredLot()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);
        member.Now = member.State.Orders[0].ExpiresAt;

        var decision = member.Redeem("R-1", 100);

        Assert.Equal(RedemptionStatuses.InsufficientPoints, decision.Status);
        Assert.Contains(decision.NewEntries, e => e.RuleId == RuleIds.PointsExpire);
    }

    [Theory]
    [InlineData("", 10, null)]
    [InlineData("R-1", 0, null)]
    [InlineData("R-1", -5, null)]
    [InlineData("R-1", 10, -1.0)]
    public void MalformedRedemptionIsInvalidAndNotRemembered(string id, long points, double? cash)
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var decision = member.Redeem(id, points, cash is null ? null : (decimal)cash);

        Assert.Equal(RedemptionStatuses.Invalid, decision.Status);
        Assert.Empty(member.State.Redemptions);
    }

    [Fact]
    public void AnIdUsedAtAStoreRetriedWithoutAStoreSaysNoStoreIdWasGiven()
    {
        // The detail read "was already used at store S001, not no store" for a till that sent no storeId.
        var member = new TestMember();
        member.Purchase("O-1", 1000m);
        Assert.Equal(RedemptionStatuses.Accepted,
            RedemptionPolicy.Redeem(member.State, "R-9", 100, null, null, member.Options, member.Now, storeId: "S001").Status);

        var storeLess = RedemptionPolicy.Redeem(member.State, "R-9", 100, null, null, member.Options, member.Now);
        var storeLessMore = RedemptionPolicy.Redeem(member.State, "R-9", 200, null, null, member.Options, member.Now);

        Assert.Equal((RedemptionStatuses.RedemptionIdReused, "storeId"), (storeLess.Status, storeLess.Field));
        Assert.StartsWith("redemptionId R-9 was already used at store S001, not without a storeId", storeLess.Detail, StringComparison.Ordinal);
        Assert.Contains("points 100, not 200; storeId S001, not none;", storeLessMore.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("no store", storeLess.Detail + storeLessMore.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RememberedRedemptionsAreBounded()
    {
        var member = new TestMember();
        member.Options.RecentRedemptionsKept = 3;
        member.Purchase("O-1", 1000m);

        for (var i = 0; i < 5; i++)
        {
            member.Redeem("R-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), 10);
        }

        Assert.Equal(["R-2", "R-3", "R-4"], member.State.Redemptions.Select(r => r.RedemptionId));
    }

    [Fact]
    public void AStoreLessRedemptionIsNoReplayOfTheSameIdAtAStoreAndConfirmsNoStoresUnit()
    {
        // CONTRACT.md §4's body has no storeId: the record keeps StoreId null. The same id at store S1 (a stock counter
        // took a unit there) is another request, not the replay of the store-less one, or each store gives a unit away.
        var member = new TestMember();
        member.Purchase("O-1", 10_000m);
        Assert.Equal(RedemptionStatuses.Accepted,
            RedemptionPolicy.Redeem(member.State, "A-77", 3_000, null, "RW", member.Options, member.Now).Status);
        var balance = member.Balance;

        var atS1 = RedemptionPolicy.Redeem(member.State, "A-77", 3_000, null, "RW", member.Options, member.Now, storeId: "S1");
        var atS2 = RedemptionPolicy.Redeem(member.State, "A-77", 3_000, null, "RW", member.Options, member.Now, storeId: "S2");
        var storeLess = RedemptionPolicy.Redeem(member.State, "A-77", 3_000, null, "RW", member.Options, member.Now);

        Assert.Equal((RedemptionStatuses.Invalid, false), (atS1.Status, atS1.Replayed));
        Assert.Equal((RedemptionStatuses.Invalid, false), (atS2.Status, atS2.Replayed));
        Assert.Equal((RedemptionStatuses.Accepted, true), (storeLess.Status, storeLess.Replayed));
        Assert.Equal(balance, member.Balance);
        Assert.False(RedemptionPolicy.Accepted(member.State, "A-77", "RW", "S1", member.Now));
        Assert.True(RedemptionPolicy.Accepted(member.State, "A-77", "RW", null, member.Now));

        // And the reverse: an id first used at S1 is no replay without a store, and confirms only S1's unit.
        Assert.Equal(RedemptionStatuses.Accepted,
            RedemptionPolicy.Redeem(member.State, "A-78", 3_000, null, "RW", member.Options, member.Now, storeId: "S1").Status);
        Assert.Equal(RedemptionStatuses.Invalid, RedemptionPolicy.Redeem(member.State, "A-78", 3_000, null, "RW", member.Options, member.Now).Status);
        Assert.True(RedemptionPolicy.Accepted(member.State, "A-78", "RW", "S1", member.Now));
        Assert.False(RedemptionPolicy.Accepted(member.State, "A-78", "RW", null, member.Now));
    }
}
