using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>A fan-out page reserves in rounds, so grants its own members did not take go to its next members.</summary>
public sealed class RoundReservationTests
{
    private static List<PlannedDelivery> Page(params bool[] arms) =>
        [.. arms.Select((arm, i) => new PlannedDelivery($"m{i}", arm ? "arm" : "control", arm ? "a" : null, arm ? 10m : 0m))];

    [Fact]
    public void ARoundStopsBeforeTheFirstArmMemberThatDoesNotFitAndTheNextRoundUsesWhatWasNotTaken()
    {
        var plan = Page(true, false, true, true, false, true);
        var limit = new BudgetLimit(3, null);

        // One grant held elsewhere: two fit (positions 0 and 2), the control between them goes out too.
        var first = BudgetReservation.ReserveRound(limit, new BudgetHeld(1, 10m), plan, 0);
        Assert.Equal(new RoundReservation(new BudgetHeld(2, 20m), 3, true), first);

        // Of those two, one was suppressed (kept 1): one more grant fits, from position 3 on.
        var second = BudgetReservation.ReserveRound(limit, BudgetReservation.Held(new BudgetHeld(1, 10m), [new BudgetHeld(1, 10m)]), plan, first.End);
        Assert.Equal(new RoundReservation(new BudgetHeld(1, 10m), 5, true), second);
        Assert.Equal([true, false, true, true, false, false], plan.Select(p => p.Reserved));
    }

    [Fact]
    public void ABlockedPageWaitsOnlyWhileAnotherPageHasUnansweredReservations()
    {
        var blocked = BudgetReservation.ReserveRound(new BudgetLimit(1, null), new BudgetHeld(1, 10m), Page(true, true), 0);

        Assert.True(blocked.Blocked);
        Assert.Equal(0, blocked.End);
        Assert.True(BudgetReservation.WaitForOthers(blocked, 0, unansweredElsewhere: 2));
        Assert.False(BudgetReservation.WaitForOthers(blocked, 0, unansweredElsewhere: 0));
        Assert.Equal(2, BudgetReservation.ReserveRound(new BudgetLimit(null, null), new BudgetHeld(5, 50m), Page(true, true), 0).End);
    }
}
