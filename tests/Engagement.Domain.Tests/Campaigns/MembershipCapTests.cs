using Engagement.Domain.Campaigns;

namespace Engagement.Domain.Tests.Campaigns;

/// <summary>The hard cap on a member's campaign memberships (<see cref="MembershipCap"/>), live campaigns included.</summary>
public sealed class MembershipCapTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 14, 30, 0, TimeSpan.Zero);

    private static CampaignMembership Live(string id) => new()
    {
        CampaignId = id, Group = "arm", Arm = "a", Outcome = "sent", ReportedOutcome = "sent", AssignedAt = At.AddDays(-1), AttributionWindowDays = 7, ValidUntil = At.AddDays(30),
    };

    private static CampaignMembership EndedSettled(string id) => new()
    {
        CampaignId = id, Group = "control", Outcome = "held", ReportedOutcome = "held", AssignedAt = At.AddDays(-3), AttributionWindowDays = 7, ValidUntil = At.AddDays(-1),
    };

    [Fact]
    public void A_member_holding_the_cap_in_live_campaigns_is_refused_with_a_reason_naming_the_cap_and_keeps_every_membership()
    {
        var state = new CampaignMemberState();
        state.Memberships.AddRange(Enumerable.Range(0, 5).Select(i => Live("live-" + i)));

        var admission = MembershipCap.Admit(state, At, max: 5);

        Assert.False(admission.Admitted);
        Assert.Equal(5, admission.Held);
        Assert.Contains("Engagement:Campaigns:MaxMembershipsKept", admission.Reason, StringComparison.Ordinal);
        Assert.Equal(MembershipCap.Reason(5), admission.Reason);
        Assert.Contains("the most is 5", admission.Reason, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "live-" + i), state.Memberships.Select(m => m.CampaignId));
    }

    [Fact]
    public void Memberships_that_may_be_forgotten_do_not_count_and_the_prune_after_the_enrolment_keeps_the_total_at_the_cap()
    {
        // 4 live and 3 of ended, settled campaigns whose attribution is still open (kept only while there is room).
        var state = new CampaignMemberState();
        state.Memberships.AddRange([EndedSettled("old-0"), EndedSettled("old-1"), EndedSettled("old-2")]);
        state.Memberships.AddRange(Enumerable.Range(0, 4).Select(i => Live("live-" + i)));

        var admission = MembershipCap.Admit(state, At, max: 5);
        Assert.Equal(new MembershipAdmission(true, 4, null), admission);
        state.Memberships.Add(Live("new"));
        CampaignMemberships.Prune(state, At, max: 5);

        // The oldest forgettable ones went; every live one and the new one stayed: 5 in all.
        Assert.Equal(["live-0", "live-1", "live-2", "live-3", "new"], state.Memberships.Select(m => m.CampaignId));

        // Now 5 live: the next is refused and nothing is dropped.
        Assert.False(MembershipCap.Admit(state, At, max: 5).Admitted);
        Assert.Equal(5, state.Memberships.Count);
    }

    [Fact]
    public void A_membership_still_owing_a_report_counts_as_held_even_after_its_campaign_ended()
    {
        var owing = EndedSettled("owing");
        owing.PendingPurchases.Add(new PendingPurchaseReport("p-1", 88.80m, Conversion: true));
        var deferred = EndedSettled("deferred");
        deferred.ReportedOutcome = "deferred";
        var state = new CampaignMemberState();
        state.Memberships.AddRange([owing, deferred, Live("live")]);

        Assert.False(MembershipCap.Forgettable(owing, At));
        Assert.False(MembershipCap.Forgettable(deferred, At));
        Assert.Equal(new MembershipAdmission(false, 3, MembershipCap.Reason(3)), MembershipCap.Admit(state, At, max: 3));

        // Once reported, the ended one may be forgotten: room again, at the same instant.
        owing.PendingPurchases.Clear();
        Assert.True(MembershipCap.Admit(state, At, max: 3).Admitted);
    }

    [Fact]
    public void A_page_counts_a_cap_refusal_apart_in_no_group_so_arm_and_control_figures_are_untouched()
    {
        var tally = new PageTally();
        tally.Count(new PlannedDelivery("m1", "arm", "a", 5m), "", DeliveryOutcome.MembershipCapRefused, 0m);
        tally.Count(new PlannedDelivery("m2", "control", null, 0m), "", DeliveryOutcome.MembershipCapRefused, 0m);
        tally.Count(new PlannedDelivery("m3", "control", null, 0m), "control", DeliveryOutcome.Held, 0m);

        Assert.Equal(2, tally.MembershipCapRefused);
        Assert.Equal(0, tally.Ineligible);
        Assert.Equal(["control"], tally.Groups.Keys);
        Assert.Equal((1L, 0L), (tally.Groups["control"].Audience, tally.Groups["control"].Suppressed));
        Assert.Equal(0, tally.Kept.Grants);
    }

    [Fact]
    public void A_row_stored_above_the_cap_before_it_existed_is_refused_until_it_is_back_under_and_loses_nothing_live()
    {
        var state = new CampaignMemberState();
        state.Memberships.AddRange(Enumerable.Range(0, 7).Select(i => Live("live-" + i)));

        Assert.Equal(7, MembershipCap.Admit(state, At, max: 5).Held);
        CampaignMemberships.Prune(state, At, max: 5);
        Assert.Equal(7, state.Memberships.Count);

        // Two of the campaigns end (their attribution windows still open): forgettable, so pruned down to the cap, and
        // with 5 live ones left the next is still refused.
        state.Memberships[0].ValidUntil = state.Memberships[1].ValidUntil = At.AddDays(1);
        CampaignMemberships.Prune(state, At.AddDays(2), max: 5);
        Assert.Equal(["live-2", "live-3", "live-4", "live-5", "live-6"], state.Memberships.Select(m => m.CampaignId));
        Assert.False(MembershipCap.Admit(state, At.AddDays(2), max: 5).Admitted);
    }

    [Fact]
    public void A_cap_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MembershipCap.Admit(new CampaignMemberState(), At, max: 0));
    }
}
