using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Tests.Members;

namespace Engagement.Domain.Tests.Points;

public class PointsEarningTests
{
    [Fact]
    public void FirstPurchaseOfOneThousandGivesTwoThousandPointsOneThousandGrowthAndTierV2()
    {
        var member = new TestMember();

        var decision = member.Purchase("O-1", 1000.00m);

        Assert.Equal(EventStatus.Applied, decision.Status);
        Assert.Equal(2000, member.Balance);
        Assert.Equal(1000, member.Growth);
        Assert.Equal("V2", member.Tier);
        Assert.Equal("V2", decision.Tier);
        Assert.Equal(2000, decision.PointsBalance);
        Assert.Equal(1000, decision.GrowthValue);
        Assert.Collection(
            decision.NewEntries,
            e => Assert.Equal((LedgerKinds.Points, 2000L, 2000L, RuleIds.PointsEarnFirstPurchaseDouble), (e.Kind, e.Delta, e.BalanceAfter, e.RuleId)),
            e => Assert.Equal((LedgerKinds.Growth, 1000L, 1000L, RuleIds.GrowthPurchase), (e.Kind, e.Delta, e.BalanceAfter, e.RuleId)),
            e => Assert.Equal((LedgerKinds.Tier, RuleIds.TierUpgrade), (e.Kind, e.RuleId)));
        Assert.Contains("purchase O-1 of 1000.00 CNY", decision.NewEntries[0].Reason, StringComparison.Ordinal);
        Assert.All(decision.NewEntries, e => Assert.Equal("evt-1", e.EventId));
        Assert.Equal(new TierChangeShape("V1", "V2", RuleIds.TierUpgrade), Shape(decision.TierChange));
    }

    [Fact]
    public void AcceptanceExampleHalfRefundLeavesOneThousandPointsFiveHundredGrowthAndTierV1WithEveryChangeInTheLedger()
    {
        var member = new TestMember();
        member.Purchase("O-1", 1000.00m);

        var refund = member.Refund("O-1", 500.00m);

        Assert.Equal(EventStatus.Applied, refund.Status);
        Assert.Equal(1000, member.Balance);
        Assert.Equal(500, member.Growth);
        Assert.Equal("V1", member.Tier);
        Assert.Collection(
            refund.NewEntries,
            e => Assert.Equal((LedgerKinds.Points, -1000L, 1000L, RuleIds.PointsRefund), (e.Kind, e.Delta, e.BalanceAfter, e.RuleId)),
            e => Assert.Equal((LedgerKinds.Growth, -500L, 500L, RuleIds.GrowthRefund), (e.Kind, e.Delta, e.BalanceAfter, e.RuleId)),
            e => Assert.Equal((LedgerKinds.Tier, -1L, 1L, RuleIds.TierDowngradeRefund), (e.Kind, e.Delta, e.BalanceAfter, e.RuleId)));
        Assert.All(refund.NewEntries.Take(2), e => Assert.Contains("refund of 500.00 CNY on order O-1", e.Reason, StringComparison.Ordinal));
        Assert.Contains("refund on order O-1", refund.NewEntries[2].Reason, StringComparison.Ordinal);

        var ledger = member.State.Ledger;
        Assert.Equal(6, ledger.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), ledger.Select(e => e.Sequence));
        Assert.All(ledger, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.All(ledger, e => Assert.False(string.IsNullOrWhiteSpace(e.RuleId)));
    }

    [Fact]
    public void SecondPurchaseIsNotDoubled()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var second = member.Purchase("O-2", 100m);

        Assert.Equal(300, member.Balance);
        Assert.Equal(RuleIds.PointsEarn, second.NewEntries[0].RuleId);
        Assert.Equal(100, second.NewEntries[0].Delta);
    }

    [Fact]
    public void PurchaseThatCrossesIntoV2EarnsAtTheV1RateAndTheNextOneAtV2()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m);

        var crossing = member.Purchase("O-2", 950.99m);
        var next = member.Purchase("O-3", 100m);

        Assert.Equal("V2", member.Tier);
        Assert.Equal(950, crossing.NewEntries.Single(e => e.Kind == LedgerKinds.Points).Delta);
        Assert.Equal(120, next.NewEntries.Single(e => e.Kind == LedgerKinds.Points).Delta);
    }

    [Theory]
    [InlineData(99.99, 0, 99)]
    [InlineData(99.99, 1, 118)]
    [InlineData(333.33, 2, 499)]
    [InlineData(333.33, 3, 666)]
    public void PointsAreFlooredAfterTheTierMultiplier(double amount, int tierRank, long expected)
    {
        var member = new TestMember();
        var tier = Domain.Tiers.TierPolicy.Ladder(member.Options)[tierRank];
        member.Purchase("O-0", Math.Max(1m, member.Options.Tiers[tier].Threshold), at: member.Now.AddHours(-1));
        Assert.Equal(tier, member.Tier);

        var decision = member.Purchase("O-1", (decimal)amount);

        Assert.Equal(expected, decision.NewEntries.First(e => e.Kind == LedgerKinds.Points).Delta);
    }

    [Fact]
    public void FirstPurchaseFloorsTheAmountBeforeDoubling()
    {
        var member = new TestMember();

        member.Purchase("O-1", 0.99m);

        Assert.Equal(0, member.Balance);
        Assert.Equal(0, member.Growth);
        Assert.DoesNotContain(member.State.Ledger, e => e.Kind != LedgerKinds.Tier);
    }

    [Fact]
    public void PurchaseOfAnOrderAlreadyRecordedIsADuplicateEvenUnderAnotherEventId()
    {
        var member = new TestMember();
        member.Purchase("O-1", 100m, eventId: "a");

        var again = member.Purchase("O-1", 100m, eventId: "b");

        Assert.Equal(EventStatus.Duplicate, again.Status);
        Assert.False(again.StateChanged);
        Assert.Equal(200, member.Balance);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_000_000.01)]
    public void PurchaseWithAnAmountOutsideTheContractIsRejected(double amount)
    {
        var member = new TestMember();

        var decision = member.Purchase("O-1", (decimal)amount);

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.NotNull(decision.Reason);
        Assert.Empty(member.State.Orders);
    }

    [Fact]
    public void PurchaseWithoutAnOrderIdIsRejected()
    {
        var member = new TestMember();

        var decision = member.Apply(new MemberEvent("e", MemberEventTypes.Purchase, member.Now) { Amount = 10m });

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.Contains("orderId", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PurchaseOlderThanTheOrderRetentionIsRejected()
    {
        var member = new TestMember();

        var decision = member.Purchase("O-1", 100m, at: member.Now.AddDays(-366));

        Assert.Equal(EventStatus.Rejected, decision.Status);
        Assert.Equal(0, member.Balance);
    }

    private static TierChangeShape? Shape(Domain.Tiers.TierChange? change) =>
        change is null ? null : new TierChangeShape(change.From, change.To, change.RuleId);

    private sealed record TierChangeShape(string From, string To, string RuleId);
}
