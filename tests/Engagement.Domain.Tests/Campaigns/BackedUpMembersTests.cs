using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>The retry rule for members a broadcast found backed up (<see cref="BackedUpMembers"/>): bounded, counted once, each ending in one place.</summary>
public sealed class BackedUpMembersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_refused_member_is_counted_once_and_is_due_after_each_growing_delay()
    {
        var list = new BackedUpMembers();
        Assert.True(list.Refused("M-1", T0));
        Assert.True(list.Refused("M-1", T0.AddSeconds(5))); // the same member again (a replayed page): not counted twice

        Assert.Equal(1, list.Skipped);
        Assert.Empty(list.Due(T0.AddSeconds(59), 10));
        Assert.Equal(["M-1"], list.Due(T0.AddMinutes(1), 10));

        Assert.True(list.RefusedAgain("M-1", T0.AddMinutes(1)));
        Assert.Empty(list.Due(T0.AddMinutes(5).AddSeconds(59), 10));
        Assert.Equal(["M-1"], list.Due(T0.AddMinutes(6), 10));
        Assert.Equal(T0.AddMinutes(6), list.NextAttemptAt);
        Assert.False(list.Settled);
    }

    [Fact]
    public void A_member_refused_MaxRefusals_times_is_given_up_after_about_21_hours()
    {
        var list = new BackedUpMembers();
        var at = T0;
        list.Refused("M-1", at);
        var waits = true;
        var refusals = 1;
        while (waits)
        {
            at = list.NextAttemptAt!.Value;
            waits = list.RefusedAgain("M-1", at);
            refusals++;
        }

        Assert.Equal(BackedUpMembers.MaxRefusals, refusals);
        Assert.InRange(at - T0, TimeSpan.FromHours(20), TimeSpan.FromHours(22));
        Assert.Equal((1L, 0L, 1L), (list.Skipped, list.ReachedLater, list.GivenUp));
        Assert.True(list.Settled);
    }

    [Fact]
    public void The_501st_member_is_skipped_and_given_up_and_each_skipped_member_ends_reached_given_up_or_waiting_once()
    {
        var list = new BackedUpMembers();
        for (var i = 0; i < BackedUpMembers.MaxWaiting + 1; i++)
        {
            Assert.Equal(i < BackedUpMembers.MaxWaiting, list.Refused($"M-{i:D4}", T0));
        }

        Assert.Equal((501L, 1L, 500), (list.Skipped, list.GivenUp, list.Waiting.Count));
        Assert.DoesNotContain(list.Waiting, m => m.MemberId == "M-0500");

        list.Resumed(T0.AddMinutes(3));
        list.Reached("M-0000");
        list.Reached("M-0000"); // a repeat changes nothing
        list.Reached("unknown");
        Assert.Equal(1, list.ReachedLater);
        Assert.Equal(list.Skipped, list.ReachedLater + list.GivenUp + list.Waiting.Count);

        list.GiveUpAll(); // the window ended
        list.GiveUpAll(); // a second end finds nobody: counted once
        Assert.Equal((501L, 1L, 500L, 0), (list.Skipped, list.ReachedLater, list.GivenUp, list.Waiting.Count));
        Assert.Equal(list.Skipped, list.ReachedLater + list.GivenUp);
        Assert.True(list.Settled);
    }

    [Fact]
    public void A_retry_in_flight_holds_its_grant_until_cleared_and_keeps_the_list_unsettled()
    {
        var list = new BackedUpMembers();
        list.Refused("M-1", T0);
        list.SetInFlight("M-1", new BudgetHeld(1, 20m));
        list.Reached("M-1");
        Assert.False(list.Settled);
        Assert.Equal((1L, 20m), (list.InFlightGrants, list.InFlightCost));

        list.SetInFlight(null);
        Assert.True(list.Settled);
        Assert.Equal((0L, 0m), (list.InFlightGrants, list.InFlightCost));
    }

    [Fact]
    public void A_resume_makes_every_waiting_member_due_at_once_without_counting_a_refusal()
    {
        var list = new BackedUpMembers();
        list.Refused("M-1", T0);
        list.Refused("M-2", T0);
        list.RefusedAgain("M-2", T0.AddMinutes(1)); // M-2 waits 5 min now
        var resumedAt = T0.AddSeconds(30);
        Assert.Empty(list.Due(resumedAt, 10));

        Assert.Equal(2, list.Resumed(resumedAt));

        Assert.Equal(["M-1", "M-2"], list.Due(resumedAt, 10));
        Assert.Equal([1, 2], list.Waiting.Select(m => m.Refusals));
        Assert.Equal((2L, 0L, 0L), (list.Skipped, list.ReachedLater, list.GivenUp));

        // A member already overdue keeps its instant (it is due either way).
        var overdue = new BackedUpMembers();
        overdue.Refused("M-3", T0);
        overdue.Resumed(T0.AddHours(1));
        Assert.Equal(T0.AddMinutes(1), overdue.Waiting.Single().NextAttemptAt);
    }

    [Fact]
    public void A_refusal_of_a_retry_a_resume_brought_forward_is_not_counted_so_quick_pauses_give_nobody_up_early()
    {
        var list = new BackedUpMembers();
        list.Refused("M-1", T0);
        var at = T0.AddMinutes(1);
        for (var n = 2; n < BackedUpMembers.MaxRefusals; n++)
        {
            Assert.True(list.RefusedAgain("M-1", at));
            at = list.Waiting.Single().NextAttemptAt;
        }

        // One refusal short of being given up, it waits 4 h. Twenty pause and resume cycles, each resume asking it
        // early and each early retry refused: none counts, and it goes back to the instant its pace had set.
        var member = list.Waiting.Single();
        var paced = member.NextAttemptAt;
        for (var cycle = 1; cycle <= 20; cycle++)
        {
            var resumedAt = paced.AddHours(-4).AddMinutes(cycle);
            list.Resumed(resumedAt);
            Assert.Equal((resumedAt, paced), (member.NextAttemptAt, member.PacedAt));
            Assert.True(list.RefusedAgain("M-1", resumedAt));
            Assert.Equal((BackedUpMembers.MaxRefusals - 1, paced, (DateTimeOffset?)null), (member.Refusals, member.NextAttemptAt, member.PacedAt));
        }

        Assert.Equal((0L, 1), (list.GivenUp, list.Waiting.Count));

        // Asked at its own pace and refused: that one counts, and it is given up after its MaxRefusals-th refusal.
        Assert.False(list.RefusedAgain("M-1", paced));
        Assert.Equal((1L, 1L, 0L), (list.Skipped, list.GivenUp, list.ReachedLater));
        Assert.True(list.Settled);
    }

    [Fact]
    public void A_member_brought_forward_by_a_resume_keeps_the_pace_it_had_across_a_second_pause()
    {
        var list = new BackedUpMembers();
        list.Refused("M-1", T0); // due T0 + 1 min
        list.Resumed(T0.AddSeconds(10)); // due at once, its pace kept
        list.Resumed(T0.AddSeconds(20)); // paused again before it was asked: the first pace stays
        Assert.Equal(T0.AddMinutes(1), list.Waiting.Single().PacedAt);

        Assert.True(list.RefusedAgain("M-1", T0.AddSeconds(20)));
        Assert.Equal((1, T0.AddMinutes(1)), (list.Waiting.Single().Refusals, list.Waiting.Single().NextAttemptAt));
        list.Resumed(T0.AddMinutes(2)); // already due: nothing brought forward
        Assert.Null(list.Waiting.Single().PacedAt);
        Assert.True(list.RefusedAgain("M-1", T0.AddMinutes(2)));
        Assert.Equal((2, T0.AddMinutes(7)), (list.Waiting.Single().Refusals, list.Waiting.Single().NextAttemptAt));
    }

    [Fact]
    public void Nobody_is_given_up_while_a_retry_is_in_flight_since_its_grant_may_be_taken()
    {
        var list = new BackedUpMembers();
        list.Refused("M-1", T0);
        list.Refused("M-2", T0);
        list.SetInFlight("M-1", new BudgetHeld(1, 20m));

        Assert.Throws<InvalidOperationException>(list.GiveUpAll);
        Assert.Equal((2, 0L, 1L), (list.Waiting.Count, list.GivenUp, list.InFlightGrants));

        // The member had nothing: its grant is released and it is given up with the others, each once.
        list.SetInFlight(null);
        list.GiveUpAll();
        Assert.Equal((0, 2L, 0L, 0m), (list.Waiting.Count, list.GivenUp, list.InFlightGrants, list.InFlightCost));
        Assert.True(list.Settled);
    }
}
