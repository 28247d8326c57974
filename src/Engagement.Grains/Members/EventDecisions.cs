using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Grains.Diagnostics;

namespace Engagement.Grains.Members;

/// <summary>The synchronous first step of a member's event (<see cref="MemberGrain"/>): the domain's decision, before anything is awaited.</summary>
internal static class EventDecisions
{
    /// <summary>
    /// Decides <paramref name="evt"/> for <paramref name="member"/> at <paramref name="now"/> (UTC): refuses an event for
    /// another member, then asks <see cref="MemberDecider.Apply"/>, which changes the member in place. Returns the reply
    /// when the event changed nothing (a refusal, a duplicate, a held refund resent: <see cref="EventReplies.Unchanged"/>),
    /// null when it changed the member and the caller goes on to write.
    /// </summary>
    /// <param name="member">The activation.</param>
    /// <param name="evt">The event as the queue or an Orleans producer sent it (CONTRACT.md §1).</param>
    /// <param name="now">The engine clock's instant (UTC).</param>
    /// <param name="domainEvent">The event as the domain sees it (null when refused for another member).</param>
    /// <param name="heldForOrder">The refunds held for the event's order before it applied (<see cref="CouponEventStep.HeldFor"/>).</param>
    /// <param name="outcome">The domain's outcome (null when refused for another member).</param>
    public static ApplyResult? Decide(MemberActivation member, EngagementEvent evt, DateTimeOffset now, out MemberEvent domainEvent, out IReadOnlyList<HeldRefund>? heldForOrder, out MemberOutcome<EventDecision> outcome)
    {
        domainEvent = null!;
        heldForOrder = null;
        outcome = null!;
        if (!string.Equals(evt.MemberId, member.MemberId, StringComparison.Ordinal))
        {
            MemberMetrics.EventRejected();
            return new ApplyResult { Status = ApplyStatus.Rejected, Reason = $"memberId: event for '{evt.MemberId}' delivered to member '{member.MemberId}'" };
        }

        var state = member.Member;
        if (!member.Exists && string.IsNullOrEmpty(state.MemberId))
        {
            state.MemberId = member.MemberId;
        }

        domainEvent = MemberMapper.ToDomain(evt);
        heldForOrder = CouponEventStep.HeldFor(state, domainEvent);
        outcome = MemberDecider.Apply(state, domainEvent, member.Options, now, member.Metrics);
        return outcome.StateChanged ? null : EventReplies.Unchanged(member.Logger, member.MemberId, evt, outcome.Reply);
    }
}
