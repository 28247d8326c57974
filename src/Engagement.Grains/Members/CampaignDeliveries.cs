using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Metrics;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Touches;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>How a campaign delivery lands on a member, and what the member owes its campaigns (reports via the outbox).</summary>
public static class CampaignDeliveries
{
    /// <summary>The touch kind of every campaign touch; with the campaign id as dedupe key it makes one touch id per campaign.</summary>
    public const string CampaignTouchKind = "campaign";

    /// <summary>
    /// A campaign's delivery to one member on the member's one-write path (run inside <paramref name="gate"/>'s change):
    /// a repeat is answered as first decided; an unknown member is ineligible; else the delivery is applied
    /// (<see cref="Apply"/>, stock checked for a goods-tied coupon), the reminder moved for a deferred touch, written once.
    /// A member holding <c>maxMemberships</c> (the hard cap, <c>Engagement:Campaigns:MaxMembershipsKept</c>,
    /// <see cref="CampaignOptions.MaxMembershipsKept"/>) memberships it cannot forget yet is refused
    /// (<see cref="MembershipCap.Admit"/>) once its live state still matches the audience (one that no longer does is
    /// answered ineligible, as below the cap, but not recorded): answered <see cref="CampaignOutcomes.MembershipCapRefused"/>,
    /// group <c>none</c>, with the cap's reason; nothing is stored, no touch is recorded (so its touch history, CONTRACT.md
    /// §4 <c>GET /members/{memberId}/touches</c>, shows none, and a later ask once the member has room is a fresh
    /// delivery), nothing it keeps is dropped. See docs/campaigns.md, "How it holds up".
    /// </summary>
    internal static async Task<CampaignDeliveryResult> DeliverAsync(
        MemberActivation member, CampaignDelivery delivery, IGrainFactory grains, MemberWriteGate gate, MemberWakeUps wakeUps, ILogger logger, int maxMemberships)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (CampaignMemberships.Find(member.Member.Campaigns, delivery.CampaignId) is { } known)
        {
            return ResultOf(member.Member, known, repeat: true);
        }

        if (delivery.RepeatOnly)
        {
            return new CampaignDeliveryResult { Outcome = CampaignOutcomes.Ineligible, Group = CampaignGroups.None, Reason = CampaignDelivery.NotDeliveredBefore };
        }

        if (!member.Exists)
        {
            // An index row without a member (e.g. state cleared): nothing to remember, nothing to touch.
            return new CampaignDeliveryResult { Outcome = CampaignOutcomes.Ineligible, Group = CampaignGroups.None, Reason = "member has never been seen" };
        }

        var now = member.Now;
        if (MembershipCap.Admit(member.Member.Campaigns, now, maxMemberships) is { Admitted: false } refused)
        {
            // Not stored, so the member's state stays bounded; a replayed page asks again and gets the same answer.
            // The audience is checked first: only a member the campaign would reach is counted as refused by the cap.
            await gate.CommitAsync(changed: false);
            if (!MatchesAudience(member.Context(now), delivery))
            {
                return new CampaignDeliveryResult { Outcome = CampaignOutcomes.Ineligible, Group = CampaignGroups.None, Reason = "no longer matches the audience" };
            }

            // Debug per member; the campaign logs one line per page with the count (CampaignFanOut).
            logger.LogCampaignMembershipCapRefused(member.MemberId, delivery.CampaignId, refused.Held, maxMemberships);
            return new CampaignDeliveryResult { Outcome = CampaignOutcomes.MembershipCapRefused, Group = CampaignGroups.None, Reason = refused.Reason };
        }

        var heldBack = await CampaignOffers.HeldBackForStockAsync(grains, member.Context(now), delivery);
        var membership = Apply(member.Context(now), delivery, checkAudience: true, heldBack);
        if (membership.Outcome == TouchDecisions.Deferred)
        {
            await wakeUps.WakeAtAsync(TouchGovernor.NextDeferredAt(member.Member), now);
        }

        CampaignMemberships.Prune(member.Member.Campaigns, now, maxMemberships);
        await gate.CommitAsync(changed: true);
        logger.LogCampaignDelivered(member.MemberId, delivery.CampaignId, membership.Group, membership.Arm, membership.Outcome);
        return ResultOf(member.Member, membership, repeat: false);
    }

    /// <summary>
    /// Records the campaign in the member and, for an arm, lets the governor decide the touch (a sent one is queued in the
    /// outbox) and fulfils the offer of a sent or deferred touch (<see cref="CampaignOffers.Grant"/>). A member
    /// <paramref name="heldBackForStock"/> (a goods-tied coupon its store cannot honour) is recorded, not touched.
    /// </summary>
    public static CampaignMembership Apply(MemberContext member, CampaignDelivery delivery, bool checkAudience, bool heldBackForStock = false)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var metricsBefore = MemberMetricsPolicy.Before(member.Member);
        var membership = new CampaignMembership
        {
            CampaignId = delivery.CampaignId,
            Group = delivery.Group,
            Arm = delivery.Arm,
            AssignedAt = member.Now,
            AttributionWindowDays = delivery.AttributionWindowDays,
            ValidUntil = delivery.ValidUntil,
        };

        if (checkAudience && !MatchesAudience(member, delivery))
        {
            // The index lagged the live state; remembered, so a repeat answers the same.
            membership.Group = CampaignGroups.None;
            membership.Outcome = CampaignOutcomes.Ineligible;
        }
        else if (delivery.Group is CampaignGroups.Control or CampaignGroups.GlobalControl)
        {
            membership.Outcome = CampaignOutcomes.Held;
        }
        else if (heldBackForStock)
        {
            membership.Outcome = CampaignOutcomes.HeldBackForStock;
        }
        else
        {
            var touch = TouchGovernor.Decide(member.Member, CampaignTouch(delivery, CampaignOffers.NoRoomReason(member, delivery)), member.Options, member.Now);
            membership.Outcome = touch.Decision;
            membership.TouchId = touch.TouchId;
            CampaignOffers.Grant(member, delivery, touch);
            MemberDecider.QueueSentTouches(member.Member);
        }

        membership.ReportedOutcome = membership.Outcome;
        member.Member.Campaigns.Memberships.Add(membership);
        var reached = membership.Outcome == TouchDecisions.Sent ? 1 : 0;
        MemberMetricsPolicy.RecordStep(member.Member, metricsBefore, new("cd:" + delivery.CampaignId, member.Now, CampaignReached: reached), member.Options, member.Metrics, member.Now);
        return membership;
    }

    /// <summary>Whether the member's live state (at <see cref="MemberContext.Now"/>) matches the delivery's audience.</summary>
    private static bool MatchesAudience(MemberContext member, CampaignDelivery delivery) =>
        CampaignMapping.ToCriteria(delivery.Audience).Matches(MemberAttributesReader.Read(member.Member, member.Options, member.Now));

    /// <summary>The campaign's marketing touch for the member (one touch id per campaign); suppressed with <paramref name="suppressReason"/> when given.</summary>
    private static TouchRequest CampaignTouch(CampaignDelivery delivery, string? suppressReason) => new()
    {
        Kind = CampaignTouchKind,
        Channel = delivery.Channel,
        CampaignId = delivery.CampaignId,
        Offer = delivery.Offer?.Code,
        ValidUntil = delivery.ValidUntil,
        DedupeKey = delivery.CampaignId,
        Category = TouchCategories.Marketing,
        SuppressReason = suppressReason,
    };

    /// <summary>
    /// Queues a report for every arm outcome that moved since the campaign last heard (a deferred touch went out) and
    /// every attributed purchase, and marks them reported: the outbox owns them now. True when it queued any.
    /// </summary>
    public static bool QueueReports(MemberState member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var queued = false;
        foreach (var m in member.Campaigns.Memberships)
        {
            if (m.Group == CampaignGroups.Arm && CurrentOutcome(member, m) is { } current && current != m.ReportedOutcome)
            {
                member.Outbox.Add(new ReportCampaignOutcome(m.CampaignId, m.Arm ?? "", m.ReportedOutcome, current));
                m.ReportedOutcome = current;
                queued = true;
            }

            foreach (var p in m.PendingPurchases)
            {
                member.Outbox.Add(new ReportCampaignPurchase(m.CampaignId, m.Group, m.Arm, p.EventId, p.Amount, p.Conversion));
                queued = true;
            }

            m.PendingPurchases.Clear();
        }

        return queued;
    }

    /// <summary>
    /// The touch's decision now (a deferred touch may have gone out); once the touch has left the member's touch history,
    /// the outcome last reported to the campaign (<see cref="CampaignMembership.ReportedOutcome"/>), else the delivery's.
    /// Falling back to the delivery's outcome, a deferred touch that went out and was later forgotten reported a move
    /// back from sent to deferred: the arm's sent counter went down for good.
    /// </summary>
    public static string CurrentOutcome(MemberState member, CampaignMembership m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.TouchId is { } touchId && TouchGovernor.Find(member, touchId) is { } touch ? touch.Decision
            : m.ReportedOutcome.Length > 0 ? m.ReportedOutcome : m.Outcome;
    }

    /// <summary>What the campaign grain hears back from a delivery.</summary>
    public static CampaignDeliveryResult ResultOf(MemberState member, CampaignMembership m, bool repeat)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new()
        {
            Outcome = m.Outcome,
            Group = m.Group,
            Arm = m.Arm,
            Repeat = repeat,
            TouchId = m.TouchId,
            Reason = m.TouchId is { } touchId ? TouchGovernor.Find(member, touchId)?.Reason : null,
        };
    }

    /// <summary>The member's membership of one campaign, as support sees it.</summary>
    public static CampaignMembershipView View(MemberState member, CampaignMembership m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new()
        {
            CampaignId = m.CampaignId,
            Group = m.Group,
            Arm = m.Arm,
            Outcome = m.Outcome,
            CurrentOutcome = CurrentOutcome(member, m),
            AssignedAt = m.AssignedAt,
            Converted = m.Converted,
            Revenue = m.Revenue,
            TouchId = m.TouchId,
        };
    }
}
