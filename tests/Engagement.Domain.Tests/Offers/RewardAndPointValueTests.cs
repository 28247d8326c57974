using System.Collections.Immutable;
using Engagement.Domain.Offers;

namespace Engagement.Domain.Tests.Offers;

public class RewardAndPointValueTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 4, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Tiers = new(StringComparer.Ordinal) { "V1", "V2", "V3", "V4" };

    private static RewardItem Kettle => new()
    {
        RewardId = "R-KETTLE", Name = "Kettle", MarketPrice = 300m, PointsPrice = 30_000,
        Steps = [new(20_000, 100m), new(10_000, 200m)], EligibleTiers = ["V3", "V4"],
    };

    [Fact]
    public void PointsAndCashStepsAreTheOnlyWaysToPay()
    {
        Assert.Empty(Kettle.Validate(Tiers));
        Assert.Equal(new PointsCashStep(30_000, 0m), Kettle.Match(30_000, 0m));
        Assert.Equal(new PointsCashStep(20_000, 100m), Kettle.Match(20_000, 100m));
        Assert.Equal(new PointsCashStep(10_000, 200m), Kettle.Match(10_000, 200m));
        Assert.Null(Kettle.Match(20_000, 99.99m));
        Assert.Null(Kettle.Match(15_000, 150m));
        Assert.All(Kettle.PaymentOptions, o => Assert.Equal(300m, o.ValueAt(0.01m)));
        Assert.Equal(320m, Kettle.Match(20_000, 100m)!.ValueAt(0.011m));
    }

    [Fact]
    public void EligibleTiersLimitWhoMayRedeem()
    {
        Assert.True(Kettle.IsEligible("V3"));
        Assert.False(Kettle.IsEligible("V2"));
        Assert.False(Kettle.IsEligible(null));
        Assert.True((Kettle with { EligibleTiers = [] }).IsEligible("V1"));
    }

    [Fact]
    public void InvalidItemsNameTheirFields()
    {
        var bad = Kettle with
        {
            Name = "", MarketPrice = 300.001m, PointsPrice = 0,
            Steps = [new(40_000, 100m), new(10_000, 0m), new(10_000, 5m)], EligibleTiers = ["V9"],
        };

        var fields = bad.Validate(Tiers).Select(e => e.Field).ToHashSet();

        Assert.Superset(new HashSet<string> { "name", "marketPrice", "pointsPrice", "steps[0].points", "steps[1].cash", "steps[2].points", "eligibleTiers" }, fields);
    }

    [Fact]
    public void PointValueMovesWithinTwentyPercentOfTheAnchorFromItsEffectiveInstant()
    {
        var schedule = new PointValueSchedule();
        var quarter = Now.AddHours(1);

        var (raised, refusal) = schedule.Set(new PointValueChange("c1", 0.0110m, quarter, Now, "finance", "Q1 promotion"), Now);
        var (_, tooHigh) = raised.Set(new PointValueChange("c2", 0.0125m, quarter, Now, "finance", "too much"), Now);
        var (_, tooLow) = raised.Set(new PointValueChange("c3", 0.0079m, quarter, Now, "finance", "too little"), Now);
        var (_, past) = raised.Set(new PointValueChange("c4", 0.0090m, Now.AddDays(-1), Now, "finance", "backdated"), Now);

        Assert.Null(refusal);
        Assert.Equal(0.0100m, raised.ValueAt(quarter.AddTicks(-1)));
        Assert.Equal(0.0110m, raised.ValueAt(quarter));
        Assert.Contains("±20%", tooHigh, StringComparison.Ordinal);
        Assert.NotNull(tooLow);
        Assert.Contains("past", past, StringComparison.Ordinal);
        Assert.Null(PointValueSchedule.Check(0.0080m));
        Assert.Null(PointValueSchedule.Check(0.0120m));
    }

    [Fact]
    public void APointValueChangeMoreThanAProgrammeYearAheadIsRefusedNamingEffectiveFrom()
    {
        var schedule = new PointValueSchedule();

        var (_, yearAhead) = schedule.Set(new PointValueChange("c1", 0.0110m, Now.AddDays(366), Now, "finance", "next year"), Now);
        var (same, beyond) = schedule.Set(new PointValueChange("c2", 0.0110m, Now.AddDays(366).AddSeconds(1), Now, "finance", "typo"), Now);
        var (_, placeholder) = schedule.Set(new PointValueChange("c3", 0.0110m, new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), Now, "finance", "someday"), Now);

        Assert.Null(yearAhead);
        Assert.Same(schedule, same);
        Assert.StartsWith("effectiveFrom must be at most 366 days ahead", beyond, StringComparison.Ordinal);
        Assert.StartsWith("effectiveFrom must be at most 366 days ahead", placeholder, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedChangeIdChangesNothingAndHistoryIsKeptInOrder()
    {
        var schedule = new PointValueSchedule()
            .Set(new PointValueChange("c1", 0.0110m, Now.AddDays(90), Now, "finance", "back to normal"), Now).Schedule
            .Set(new PointValueChange("c0", 0.0090m, Now.AddDays(1), Now, "finance", "quarter"), Now).Schedule;

        var again = schedule.Set(new PointValueChange("c1", 0.0120m, Now, Now, "finance", "retry"), Now).Schedule;

        Assert.Same(schedule, again);
        Assert.Equal(["c0", "c1"], schedule.Changes.Select(c => c.ChangeId));
        Assert.Equal(0.0090m, schedule.ValueAt(Now.AddDays(2)));
        Assert.Equal(0.0110m, schedule.ValueAt(Now.AddDays(91)));
    }

    [Fact]
    public void AStockOrInventoryWriteThatChangesNothingKeepsTheInstantOfTheWriteThatDid()
    {
        var stock = new RewardStock().SetAvailable(5, Now);
        var restated = stock.SetAvailable(5, Now.AddMinutes(1));
        var changed = stock.SetAvailable(3, Now.AddMinutes(2));

        Assert.Same(stock, restated);
        Assert.Equal((Now, Now.AddMinutes(2)), (stock.SetAt, changed.SetAt));

        var (inventory, _) = new StoreInventory().Put([("SKU-1", 5)], Now);
        var (again, _) = inventory.InRegion("east", Now.AddMinutes(1)).Put([("SKU-1", 5)], Now.AddMinutes(2));
        var (retried, _) = again.InRegion("east", Now.AddMinutes(3)).Put([("SKU-1", 5)], Now.AddMinutes(3));

        Assert.Equal(Now, inventory.ChangedAt);
        Assert.Equal(Now.AddMinutes(1), again.ChangedAt);
        Assert.Equal((Now.AddMinutes(1), Now.AddMinutes(3)), (retried.ChangedAt, retried.UpdatedAt));
    }

    [Fact]
    public void StockNeverGoesBelowZeroAndTakesAreIdempotent()
    {
        var stock = new RewardStock().SetAvailable(1);

        var (taken, first) = stock.Take("r1", "M1", Now, 100);
        var (same, replay) = taken.Take("r1", "M1", Now, 100);
        var (_, none) = taken.Take("r2", "M2", Now, 100);

        Assert.Equal((StockTakeStatus.Taken, 0L, 1L), (first, taken.Available, taken.Held));
        Assert.Equal(StockTakeStatus.Replayed, replay);
        Assert.Same(taken, same);
        Assert.Equal(StockTakeStatus.OutOfStock, none);

        var released = taken.Release("r1", Now);
        Assert.Equal((1L, 0L), (released.Available, released.Held));
        Assert.Equal(StockTakeStatus.ReleasedBefore, released.Take("r1", "M1", Now, 100).Status);
        Assert.Same(released, released.Release("r1", Now));

        var confirmed = taken.Confirm("r1", Now);
        Assert.Equal((0L, 0L, 1L), (confirmed.Available, confirmed.Held, confirmed.Redeemed));
        Assert.Same(confirmed, confirmed.Release("r1", Now));
    }

    [Fact]
    public void APaidRedemptionWhoseHoldWasReleasedSpendsAFreeUnitOrReportsItLost()
    {
        // Settled as stale (released) between a replayed take and the payment: the member has paid.
        var released = new RewardStock().SetAvailable(1).Take("r1", "M1", Now, 100).Stock.Release("r1", Now);
        var (reclaimed, status) = released.ConfirmHold("r1", Now);
        var (lost, lostStatus) = released.Take("r2", "M2", Now, 100).Stock.ConfirmHold("r1", Now);

        Assert.Equal((StockConfirmStatus.Reclaimed, 0L, 1L), (status, reclaimed.Available, reclaimed.Redeemed));
        Assert.Equal((StockConfirmStatus.Lost, 0L, 0L), (lostStatus, lost.Available, lost.Redeemed));
        Assert.Equal(StockConfirmStatus.AlreadyConfirmed, reclaimed.ConfirmHold("r1", Now).Status);
    }

    [Fact]
    public void AnotherMembersRedemptionIdTakesNothingAndIsNotAReplay()
    {
        var (taken, _) = new RewardStock().SetAvailable(1).Take("pos-0001", "M1", Now, 100);

        var (after, status) = taken.Take("pos-0001", "M2", Now, 100);

        Assert.Equal(StockTakeStatus.OtherMember, status);
        Assert.Same(taken, after);
        Assert.Equal(StockTakeStatus.Replayed, taken.Take("pos-0001", "M1", Now, 100).Status);
    }

    [Fact]
    public void StockForgetsOldSettledRedemptionsButNeverAHeldOne()
    {
        var stock = new RewardStock().SetAvailable(1000);
        stock = stock.Take("held", "M0", Now, 100).Stock;
        for (var i = 0; i < 150; i++)
        {
            stock = stock.Take("r" + i, "M", Now, 100).Stock.Confirm("r" + i, Now);
        }

        Assert.True(stock.Holds.Count <= 101);
        Assert.True(stock.Holds.ContainsKey("held"));
        Assert.True(stock.Holds.ContainsKey("r149"));
    }

    [Fact]
    public void StoreInventorySetsTheSkusItNamesAndKeepsTheRest()
    {
        var inventory = new StoreInventory().Put([("SKU-1", 5), ("SKU-2", 0)], Now).Inventory;
        var updated = inventory.Put([("SKU-2", 3)], Now.AddHours(1)).Inventory;

        Assert.True(inventory.HasAny(["SKU-2", "SKU-1"]));
        Assert.False(inventory.HasAny(["SKU-2", "SKU-9"]));
        Assert.Equal([("SKU-1", 5L), ("SKU-2", 3L)], updated.Skus.Select(kv => (kv.Key, kv.Value)));
        Assert.Equal(Now.AddHours(1), updated.UpdatedAt);
    }

    [Fact]
    public void AStoreListingMoreSkusThanTheBoundStillChangesItsCountsButAddsNoMore()
    {
        // 2,500 skus, as an earlier version let a store list: its counts must still change (to 0 among them).
        var many = new StoreInventory
        {
            Skus = Enumerable.Range(0, StoreInventory.MaxSkus + 500)
                .ToImmutableSortedDictionary(i => $"SKU-{i:D5}", _ => 5L, StringComparer.Ordinal),
        };

        var (changed, refusal) = many.Put([("SKU-00001", 0)], Now);
        var (_, grown) = many.Put([("SKU-NEW", 1)], Now);

        Assert.Null(refusal);
        Assert.Equal(0, changed.Skus["SKU-00001"]);
        Assert.NotNull(grown);
    }

    [Fact]
    public void AStockIdBoundFromAnEarlierVersionStillValidatesAndIsUsedAtTheBoundInEffect()
    {
        var options = new OffersOptions { CouponSecret = new string('s', 32), MaxStockRedemptionsKept = 20_000 };

        Assert.DoesNotContain(options.Validate(), e => e.Contains("MaxStockRedemptionsKept", StringComparison.Ordinal));
        Assert.Equal(OffersOptions.MaxStockRedemptionsKeptInEffect, options.StockRedemptionsKept);
    }
}
