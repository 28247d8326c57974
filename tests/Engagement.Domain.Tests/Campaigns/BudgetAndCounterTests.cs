using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>The campaign budget, outcome counters and page tallies, without a cluster.</summary>
public sealed class BudgetAndCounterTests
{
    private static List<PlannedDelivery> Page(params (string Id, bool Arm, decimal Cost)[] members) =>
        [.. members.Select(m => new PlannedDelivery(m.Id, m.Arm ? "arm" : "control", m.Arm ? "a" : null, m.Arm ? m.Cost : 0m))];

    [Fact]
    public void APageReservesInOrderUntilTheCostLimitAndSkipsTheRestOfThePage()
    {
        // 2000 CNY at 60 each, 1,900 held elsewhere: one more fits (1,960), the second (2,020) does not.
        var plan = Page(("m1", true, 60m), ("m2", false, 0m), ("m3", true, 60m), ("m4", false, 0m), ("m5", true, 60m));

        var reservation = BudgetReservation.ReservePage(new BudgetLimit(40, 2000m), false, new BudgetHeld(10, 1900m), null, plan);

        Assert.Equal(new BudgetHeld(1, 60m), reservation.Reserved);
        Assert.True(reservation.WriteAhead);
        Assert.True(reservation.Exhausted);
        Assert.Equal([true, false, false, false, false], plan.Select(p => p.Reserved));
        Assert.Equal([false, false, true, true, true], plan.Select(p => p.Skip));
    }

    [Fact]
    public void GrantsAndCostNeverPassEitherLimit()
    {
        // 400 arm members at 60: maxCost 2000 allows 33 although maxGrants allows 40.
        var plan = Page([.. Enumerable.Range(0, 400).Select(i => ($"m{i}", true, 60m))]);

        var reservation = BudgetReservation.ReservePage(new BudgetLimit(40, 2000m), false, default, null, plan);

        Assert.Equal(new BudgetHeld(33, 1980m), reservation.Reserved);
        Assert.Equal(33, plan.Count(p => p.Reserved));
        Assert.Equal(367, plan.Count(p => p.Skip));
        Assert.False(BudgetReservation.Fits(new BudgetLimit(40, 2000m), reservation.Reserved, 1, 60m));
        Assert.True(BudgetReservation.Fits(new BudgetLimit(40, 2000m), reservation.Reserved, 1, 20m));
    }

    [Fact]
    public void AReplayedPageReusesExactlyWhatItReservedTheFirstTimeAndWritesNothingAhead()
    {
        // After a crash the other shards hold more; the replay must not reserve again against them, nor lose its own.
        var plan = Page(("m1", true, 50m), ("m2", true, 50m), ("m3", true, 50m));

        var replay = BudgetReservation.ReservePage(new BudgetLimit(100, null), false, new BudgetHeld(100, 0m), new BudgetHeld(2, 100m), plan);

        Assert.Equal(new BudgetHeld(2, 100m), replay.Reserved);
        Assert.False(replay.WriteAhead);
        Assert.Equal([true, true, false], plan.Select(p => p.Reserved));
        Assert.True(plan[2].Skip);
    }

    [Fact]
    public void AnUnlimitedBudgetReservesEveryArmMemberWithoutWritingAheadAndAnExhaustedOneNobody()
    {
        var unlimited = Page(("m1", true, 5m), ("m2", false, 0m), ("m3", true, 5m));
        var none = BudgetReservation.ReservePage(new BudgetLimit(null, null), false, new BudgetHeld(1_000_000, 1_000_000m), null, unlimited);
        Assert.False(none.WriteAhead);
        Assert.False(none.Exhausted);
        Assert.Equal([true, false, true], unlimited.Select(p => p.Reserved));
        Assert.DoesNotContain(unlimited, p => p.Skip);

        var later = Page(("m4", true, 5m), ("m5", false, 0m));
        var exhausted = BudgetReservation.ReservePage(new BudgetLimit(10, null), true, default, null, later);
        Assert.True(exhausted.Exhausted);
        Assert.All(later, p => Assert.True(p.Skip && !p.Reserved));
    }

    [Fact]
    public void HeldCountsCommittedGrantsAndEveryPageInFlight()
    {
        var held = BudgetReservation.Held(new BudgetHeld(5, 100m), [new BudgetHeld(2, 40m), new BudgetHeld(3, 60m)]);

        Assert.Equal(new BudgetHeld(10, 200m), held);
        Assert.True(BudgetReservation.Fits(new BudgetLimit(11, 220m), held, 1, 20m));
        Assert.False(BudgetReservation.Fits(new BudgetLimit(10, null), held, 1, 0m));
        Assert.False(BudgetReservation.Fits(new BudgetLimit(null, 210m), held, 1, 20m));
    }

    [Fact]
    public void OutcomeTransitionsMoveCountersAndOnlyASuppressionBeforeAnyGrantReleasesIt()
    {
        var arm = new GroupCounters();
        arm.Record(DeliveryOutcome.Deferred, 20m);
        arm.Record(DeliveryOutcome.Deferred, 20m);
        arm.Record(DeliveryOutcome.Sent, 20m);

        Assert.False(arm.Move(DeliveryOutcome.Deferred, DeliveryOutcome.Sent, 20m));

        // The deferred member already holds the offer (coupon issued, points credited): the grant stays counted.
        Assert.False(arm.Move(DeliveryOutcome.Deferred, DeliveryOutcome.Suppressed, 20m));
        Assert.False(arm.Move(null, DeliveryOutcome.Sent, 20m)); // a triggered grant's first report
        Assert.True(new GroupCounters().Move(null, DeliveryOutcome.Suppressed, 20m)); // a triggered grant suppressed at once
        Assert.True(new GroupCounters().Move(null, DeliveryOutcome.HeldBackForStock, 20m));

        Assert.Equal(3, arm.Audience);
        Assert.Equal(3, arm.Sent);
        Assert.Equal(0, arm.Deferred);
        Assert.Equal(1, arm.Suppressed);

        // Four grants held (three sent, one deferred then suppressed with its offer kept), each costed once.
        Assert.Equal(80m, arm.Cost);
        Assert.True(arm.Move(DeliveryOutcome.Sent, DeliveryOutcome.Suppressed, 20m));
        Assert.Equal(60m, arm.Cost);
    }

    [Fact]
    public void ADeferredGrantCostsWhenDeferredAndOnceWhetherItIsThenSentOrSuppressed()
    {
        var arm = new GroupCounters();
        arm.Record(DeliveryOutcome.Deferred, 20m);
        Assert.Equal(20m, arm.Cost);

        Assert.False(arm.Move(DeliveryOutcome.Deferred, DeliveryOutcome.Sent, 20m));
        Assert.Equal(20m, arm.Cost);

        var triggered = new GroupCounters();
        Assert.False(triggered.Move(null, DeliveryOutcome.Deferred, 20m));
        Assert.False(triggered.Move(DeliveryOutcome.Deferred, DeliveryOutcome.Suppressed, 20m));
        Assert.Equal((0, 0, 1), (triggered.Sent, triggered.Deferred, triggered.Suppressed));
        Assert.Equal(20m, triggered.Cost);

        // A campaign stored before deferred grants were costed: its waiting touches are costed once on load.
        var stored = new GroupCounters { Audience = 3, Sent = 1, Deferred = 2, Cost = 20m };
        stored.CostDeferredGrants(20m);
        Assert.Equal(60m, stored.Cost);
    }

    [Fact]
    public void PurchasesCountTheConversionOnceAndEveryAmount()
    {
        var control = new GroupCounters();
        control.Record(DeliveryOutcome.Held, 0m);
        control.Purchase(100m, conversion: true);
        control.Purchase(50m, conversion: false);

        Assert.Equal(new GroupTally { Audience = 1, Converted = 1, Revenue = 150m, Cost = 0m }, control.ToTally());
        Assert.Equal(0, control.Sent + control.Deferred + control.Suppressed);
    }

    [Fact]
    public void APageTallyCountsEachAnswerUnderTheGroupTheMemberReportsAndKeepsGrantsOfSentAndDeferredTouches()
    {
        var plan = Page(("m1", true, 60m), ("m2", true, 60m), ("m3", true, 60m), ("m4", false, 0m), ("m5", true, 60m));
        BudgetReservation.ReservePage(new BudgetLimit(3, null), false, default, null, plan);
        var tally = new PageTally();

        tally.Count(plan[0], "a", DeliveryOutcome.Sent, 60m);
        tally.Count(plan[1], "a", DeliveryOutcome.Deferred, 60m);
        tally.Count(plan[2], "a", DeliveryOutcome.Suppressed, 60m);
        tally.Count(plan[3], "control", DeliveryOutcome.Held, 0m);
        tally.Count(plan[4], "b", DeliveryOutcome.Ineligible, 0m);
        tally.Skipped();

        Assert.Equal(3, tally.Groups["a"].Audience);
        Assert.Equal((1, 1, 1), (tally.Groups["a"].Sent, tally.Groups["a"].Deferred, tally.Groups["a"].Suppressed));
        Assert.Equal(120m, tally.Groups["a"].Cost);
        Assert.Equal(1, tally.Groups["control"].Audience);
        Assert.False(tally.Groups.ContainsKey("b"));
        Assert.Equal(1, tally.Ineligible);
        Assert.Equal(1, tally.BudgetSkipped);
        Assert.Equal(new BudgetHeld(2, 120m), tally.Kept);
    }

    [Fact]
    public void ARepeatAnsweringAnotherArmKeepsThatArmsCostWhenNothingWasReservedForIt()
    {
        // Unlimited budget, the page planned arm a (5 CNY) but the member had arm b (8 CNY) the first time: reserved 5.
        var planned = new PlannedDelivery("m1", "arm", "a", 5m);
        var unreserved = new PlannedDelivery("m2", "arm", "a", 5m);
        BudgetReservation.ReservePage(new BudgetLimit(null, null), false, default, null, [planned]);
        var tally = new PageTally();

        tally.Count(planned, "b", DeliveryOutcome.Sent, 8m);
        tally.Count(unreserved, "b", DeliveryOutcome.Sent, 8m);

        Assert.Equal(new BudgetHeld(2, 13m), tally.Kept);
        Assert.Equal(16m, tally.Groups["b"].Cost);
    }
}
