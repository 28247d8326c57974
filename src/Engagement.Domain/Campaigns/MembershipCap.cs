namespace Engagement.Domain.Campaigns;

/// <summary>
/// The hard cap on a member's campaign memberships: a member holds at most <c>max</c> of them
/// (<c>Engagement:Campaigns:MaxMembershipsKept</c>, default 100), memberships of campaigns still live included, so its
/// state stays within the row the every-cap figure measures (<c>Members/MemberStateSizes.EveryCapAtOnceCharacters</c>
/// assumes exactly that many). A new enrolment is admitted only while fewer than <c>max</c> memberships are ones
/// <see cref="CampaignMemberships.Prune"/> may not forget (a live campaign, or a report still owed); past it the new
/// campaign is refused (the member answers it <c>membership_cap_refused</c>, group <c>none</c>, with <see cref="Reason"/>;
/// the campaign counts it in <c>progress.membershipCapRefused</c>, in no group) and nothing already kept is dropped.
/// No touch is recorded for a refusal, so a member's touch history (CONTRACT.md §4, <c>GET /members/{memberId}/touches</c>)
/// shows none for that campaign. See docs/campaigns.md, "How it holds up".
/// </summary>
public static class MembershipCap
{
    /// <summary>
    /// The reason a refused enrolment carries (the delivery's reason, the same for every refused member of a cap, so it
    /// groups in logs and support tools; the member's held count is logged apart): names the cap and the setting.
    /// </summary>
    /// <param name="max">The cap, <c>Engagement:Campaigns:MaxMembershipsKept</c>.</param>
    public static string Reason(int max) =>
        $"campaign membership cap: the member already holds the most campaign memberships that cannot be forgotten yet (live campaigns or reports owed), the most is {max} (Engagement:Campaigns:MaxMembershipsKept); no membership recorded";

    /// <summary>
    /// Whether a membership may be forgotten now: the campaign has heard the outcome it keeps, no purchase report is owed,
    /// and the campaign's window is over (<paramref name="now"/>, UTC, at or after <see cref="CampaignMembership.ValidUntil"/>).
    /// The same test <see cref="CampaignMemberships.Prune"/> forgets by beyond the cap.
    /// </summary>
    public static bool Forgettable(CampaignMembership membership, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(membership);
        return CampaignMemberships.Settled(membership) && now >= membership.ValidUntil;
    }

    /// <summary>
    /// Decides whether the member may enrol in one more campaign at <paramref name="now"/> (UTC): yes while fewer than
    /// <paramref name="max"/> of its memberships cannot be forgotten (<see cref="Forgettable"/>); the caller then adds the
    /// membership and runs <see cref="CampaignMemberships.Prune"/> with the same <paramref name="max"/>, which forgets
    /// forgettable ones down to it. A member already holding <paramref name="max"/> or more (a row stored before the cap)
    /// is refused until some are forgotten; nothing is removed here.
    /// </summary>
    /// <param name="state">The member's campaign state (not changed).</param>
    /// <param name="now">The change's instant, UTC.</param>
    /// <param name="max">The cap, at least 1 (<c>Engagement:Campaigns:MaxMembershipsKept</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is below 1.</exception>
    public static MembershipAdmission Admit(CampaignMemberState state, DateTimeOffset now, int max)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var held = state.Memberships.Count(m => !Forgettable(m, now));
        return held < max ? new MembershipAdmission(true, held, null) : new MembershipAdmission(false, held, Reason(max));
    }
}

/// <summary>What <see cref="MembershipCap.Admit"/> decided.</summary>
/// <param name="Admitted">True: the new membership may be added.</param>
/// <param name="Held">Memberships the member holds that cannot be forgotten yet (before the new one).</param>
/// <param name="Reason">Why it was refused (<see cref="MembershipCap.Reason"/>); null when admitted.</param>
public sealed record MembershipAdmission(bool Admitted, int Held, string? Reason);
