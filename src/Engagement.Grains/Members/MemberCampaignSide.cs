using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Storage;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// The member being changed, as the campaign side sees it: id, live state, programme rules, the change's instant. A value
/// (made for each event on the member's hot path, and copied with the event's instants for a triggered campaign): no
/// heap object per change.
/// </summary>
/// <param name="MemberId">The grain key.</param>
/// <param name="Member">The live state; the campaign side changes it in place, before the grain's one write.</param>
/// <param name="Options">The programme rules.</param>
/// <param name="Now">The engine clock's instant of this change (UTC).</param>
public readonly record struct MemberContext(string MemberId, MemberState Member, ProgramOptions Options, DateTimeOffset Now)
{
    /// <summary><c>Engagement:Offers</c> when the silo has the offer side: campaign offers are then fulfilled (<see cref="CampaignOffers"/>).</summary>
    public Domain.Offers.OffersOptions? Offers { get; init; }

    /// <summary>Programme metrics rules when the silo counts them (issue 12); null: the change records no contributions.</summary>
    public Domain.Metrics.MetricsOptions? Metrics { get; init; }

    /// <summary>
    /// The occurredAt (UTC) of the event that caused this change (a purchase firing a triggered campaign): the ledger entries
    /// of what it grants are dated then (CONTRACT.md §1.1); null when the change is the engine's own (a broadcast's delivery).
    /// </summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>
    /// When that event's last tier move is an upgrade: the instant (UTC, event time) the member reached the tier
    /// (<see cref="Domain.Offers.OfferFulfilment.TierReachedAt"/>); a campaign for members of given tiers dates its grant then
    /// when later than <see cref="OccurredAt"/> (<see cref="Domain.Offers.OfferFulfilment.EffectiveAt"/>). Null otherwise.
    /// </summary>
    public DateTimeOffset? TierReachedAt { get; init; }

    /// <summary>
    /// The tier the member left with that upgrade (<see cref="Domain.Offers.OfferFulfilment.TierReachedFrom"/>): a campaign
    /// whose audience already named it dates its grant at <see cref="OccurredAt"/>. Null when <see cref="TierReachedAt"/> is.
    /// </summary>
    public string? TierReachedFrom { get; init; }
}

/// <summary>What the campaign side changed: whether the member state moved, and when the grain must wake for a deferred touch.</summary>
public readonly record struct CampaignSideResult(bool Changed, DateTimeOffset? WakeAt);

/// <summary>
/// The campaign side of a member, injected into <see cref="MemberGrain"/>: conversion attribution, triggered
/// campaigns, the member index row and the reports campaigns count. Everything it decides goes into the member
/// state and its outbox before the grain's one write; it never writes or emits itself. <see cref="NoMemberCampaignSide"/>
/// is the silo without campaign services. Failures are logged, never thrown: the event is applied whatever happens here
/// (a grain call's <see cref="TimeoutException"/> and a callee's storage timeout, a <see cref="TaskCanceledException"/>, too).
/// </summary>
public interface IMemberCampaignSide
{
    /// <summary>
    /// After an event was applied (not a duplicate or a refusal), before the state is written. A <see cref="ValueTask{TResult}"/>:
    /// with no triggered campaign active or matching (most events) it completes at once, with no task allocated per event.
    /// </summary>
    ValueTask<CampaignSideResult> AfterEventAsync(MemberContext member, EngagementEvent evt, EventDecision decision);

    /// <summary>After every lifecycle tick, changed or not: stage, tier and RFM segment move by time alone.</summary>
    CampaignSideResult AfterTick(MemberContext member);

    /// <summary>Queues the index row whatever it held before; false when campaigns are off.</summary>
    bool Reindex(MemberContext member);

    /// <summary>
    /// After a staff change (a manual adjustment): queues the index row when an indexed attribute (tier, segment, stage, …)
    /// moved, through the outbox as after an event; true when the state changed and must be written.
    /// </summary>
    bool AfterChange(MemberContext member);

    /// <summary>The hard cap on a member's campaign memberships (<see cref="CampaignOptions.MaxMembershipsKept"/>, <see cref="MembershipCap"/>).</summary>
    int MaxMemberships { get; }
}

/// <summary>The campaign side of a silo without campaign services: does nothing.</summary>
public sealed class NoMemberCampaignSide : IMemberCampaignSide
{
    public static readonly NoMemberCampaignSide Instance = new();

    public ValueTask<CampaignSideResult> AfterEventAsync(MemberContext member, EngagementEvent evt, EventDecision decision) => default;

    public CampaignSideResult AfterTick(MemberContext member) => default;

    public bool Reindex(MemberContext member) => false;

    public bool AfterChange(MemberContext member) => false;

    public int MaxMemberships => MemberStateSizes.DefaultMaxMembershipsKept;
}

/// <summary>The campaign side of a silo with campaign services (<see cref="CampaignServices"/>).</summary>
public sealed partial class MemberCampaignSide(CampaignServices services, IGrainFactory grains, ILogger<MemberCampaignSide> logger) : IMemberCampaignSide
{
    public int MaxMemberships => services.Options.MaxMembershipsKept;

    public async ValueTask<CampaignSideResult> AfterEventAsync(MemberContext member, EngagementEvent evt, EventDecision decision)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(decision);
        var changed = false;
        DateTimeOffset? wake = null;
        try
        {
            // Revenue and thresholds are CNY: a purchase priced in another currency counts at its configured rate.
            var programmeAmount = Money.InProgrammeCurrency(evt.Amount, evt.Currency, member.Options);
            if (decision.Status == EventStatus.Applied && evt.Type == EventTypes.Purchase && programmeAmount is > 0m and var amount)
            {
                var attributed = CampaignMemberships.AttributePurchase(member.Member.Campaigns, evt.EventId, amount, evt.OccurredAt, evt.OrderId);
                changed |= attributed.Count > 0;
                if (CampaignMetrics.Converted(attributed, evt.EventId) is > 0 and var converted)
                {
                    // Counted on the purchase's own day, under its own outcome id.
                    MemberMetricsPolicy.RecordStep(member.Member, MemberMetricsPolicy.Before(member.Member), new("cv:" + evt.EventId, evt.OccurredAt, CampaignConverted: converted), member.Options, member.Metrics, member.Now);
                }
            }

            // A refund (or a purchase meeting the refund that waited for it) takes back the revenue it counted.
            if (decision.Status == EventStatus.Applied && evt.Type is EventTypes.Purchase or EventTypes.Refund
                && evt.OrderId is { } orderId && OrderBook.RefundedOf(member.Member, orderId) is > 0m and var refunded)
            {
                changed |= CampaignMemberships.AttributeRefund(member.Member.Campaigns, evt.EventId, orderId, refunded).Count > 0;
            }

            if (decision.Status == EventStatus.Applied)
            {
                // What the campaign grants took effect with the event (or the tier move it made), not at its arrival.
                var firedBy = member with { OccurredAt = evt.OccurredAt.ToUniversalTime(), TierReachedAt = Domain.Offers.OfferFulfilment.TierReachedAt(decision),
                    TierReachedFrom = Domain.Offers.OfferFulfilment.TierReachedFrom(decision) };
                (var fired, wake) = await FireTriggeredAsync(firedBy, evt, programmeAmount);
                changed |= fired;
            }

            changed |= RefreshIndex(member, force: false);
            if (changed)
            {
                CampaignMemberships.Prune(member.Member.Campaigns, member.Now, services.Options.MaxMembershipsKept);
                PruneOrders(member);
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            // No token of the member's is in these calls: a TaskCanceledException out of them is a callee's storage
            // timing out (it crosses a grain call as it is), a failure like any other; the event stays applied.
            LogCampaignSideFailed(ex, member.MemberId, evt.EventId);
        }

        changed |= CampaignDeliveries.QueueReports(member.Member);
        return new CampaignSideResult(changed, wake);
    }

    public CampaignSideResult AfterTick(MemberContext member)
    {
        var changed = RefreshIndex(member, force: false);
        changed |= CampaignDeliveries.QueueReports(member.Member);
        var before = member.Member.Campaigns.Memberships.Count;
        CampaignMemberships.Prune(member.Member.Campaigns, member.Now, services.Options.MaxMembershipsKept);
        changed |= PruneOrders(member);
        return new CampaignSideResult(changed || member.Member.Campaigns.Memberships.Count != before, null);
    }

    /// <summary>
    /// Keeps the member's attributed orders within <see cref="CampaignOptions.MaxAttributedOrders"/>
    /// (<see cref="CampaignMemberships.PruneAttributedOrders"/>), warning when the cap dropped some; true when any was dropped.
    /// </summary>
    private bool PruneOrders(MemberContext member)
    {
        var (removed, overCap) = CampaignMemberships.PruneAttributedOrders(member.Member, services.Options.MaxAttributedOrders);
        if (overCap > 0)
        {
            LogAttributedOrdersDropped(member.MemberId, overCap, services.Options.MaxAttributedOrders);
        }

        return removed > 0;
    }

    public bool Reindex(MemberContext member)
    {
        RefreshIndex(member, force: true);
        return true;
    }

    public bool AfterChange(MemberContext member) => RefreshIndex(member, force: false);

    /// <summary>
    /// Matches the event against the active triggered campaigns, highest priority first; the first that matches
    /// (trigger, audience on the live state, not had before) and grants is applied. At most one per event. The
    /// campaigns after it that match too are told to release a grant they may hold pending for the member: an earlier
    /// attempt of this event, whose write failed, may have been granted by one of them before the one applied now
    /// started or had room (<see cref="ICampaignGrain.ReleasePendingGrantAsync"/>, sent through the outbox as
    /// <see cref="ReleaseCampaignGrant"/>). A request whose answer is lost, or a failure between the grant and its
    /// membership, queues the same release for the campaign asked: it may have counted a grant the member never stores.
    /// </summary>
    /// <remarks>
    /// Cost on the hot path: nothing unless a campaign fires (once per member and campaign), then one call per
    /// lower-priority campaign the event matches as well, after the write; with one matching campaign, none.
    /// </remarks>
    private async ValueTask<(bool Fired, DateTimeOffset? WakeAt)> FireTriggeredAsync(MemberContext member, EngagementEvent evt, decimal? programmeAmount)
    {
        var active = await services.Active.GetAsync();
        if (active.Count == 0)
        {
            return (false, null);
        }

        MemberAttributes? attributes = null;
        bool Matches(CampaignDefinition definition)
        {
            if (definition.Trigger is null
                || !CampaignTriggerRule.Fires(definition.ValidFrom, definition.ValidUntil, evt.OccurredAt, member.Now)
                || !CampaignMapping.TriggerMatches(definition.Trigger, evt, programmeAmount)
                || CampaignMemberships.Find(member.Member.Campaigns, definition.Id) is not null)
            {
                return false;
            }

            attributes ??= MemberAttributesReader.Read(member.Member, member.Options, member.Now);
            if (!CampaignMapping.ToCriteria(definition.Audience).Matches(attributes))
            {
                return false;
            }

            // At the membership cap the member asks for no grant: nothing is counted or held for a membership it cannot store.
            var admission = MembershipCap.Admit(member.Member.Campaigns, member.Now, services.Options.MaxMembershipsKept);
            if (!admission.Admitted)
            {
                logger.LogCampaignMembershipCapRefused(member.MemberId, definition.Id, admission.Held, services.Options.MaxMembershipsKept);
            }

            return admission.Admitted;
        }

        for (var i = 0; i < active.Count; i++)
        {
            var definition = active[i];
            if (!Matches(definition))
            {
                continue;
            }

            CampaignMembership membership;
            try
            {
                var grant = await grains.GetGrain<ICampaignGrain>(definition.Id).RequestGrantAsync(member.MemberId);
                if (grant.Delivery is null)
                {
                    continue;
                }

                var heldBack = await CampaignOffers.HeldBackForStockAsync(grains, member, grant.Delivery);
                membership = CampaignDeliveries.Apply(member, grant.Delivery, checkAudience: false, heldBack);
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // A response timeout (TimeoutException) or a callee's storage timeout (a TaskCanceledException nobody
                // here asked for) alike. The campaign may have counted the grant and hold it pending (its answer lost, or this side failed
                // after it): unless the member took it as a membership before the failure, it never stores it, so the
                // campaign is told to release it after this write.
                if (CampaignMemberships.Find(member.Member.Campaigns, definition.Id) is null)
                {
                    member.Member.Outbox.Add(new ReleaseCampaignGrant(definition.Id));
                }

                LogGrantNotStored(ex, member.MemberId, definition.Id);
                return (true, null);
            }

            // A release queued by an earlier attempt whose answer was lost: this request got the same grant, now stored.
            member.Member.Outbox.Withdraw(new ReleaseCampaignGrant(definition.Id));
            DateTimeOffset? wake = null;
            if (membership.Group == CampaignGroups.Arm)
            {
                // The campaign counted the assignment; the outcome goes to it as a report through the outbox.
                membership.ReportedOutcome = "";
                if (membership.Outcome == TouchDecisions.Deferred)
                {
                    wake = TouchGovernor.NextDeferredAt(member.Member);
                }
            }
            else
            {
                // Nothing to count, but the campaign holds the grant as pending until this write confirms it.
                member.Member.Outbox.Add(new ReportCampaignOutcome(definition.Id, "", "", membership.Outcome));
            }

            LogCampaignDelivered(member.MemberId, definition.Id, membership.Group, membership.Arm, membership.Outcome);

            // The campaigns after it that match too may hold a grant pending for the member from an earlier attempt of
            // this event (its write failed): they are told to release it after this write, retried until they answer.
            foreach (var skipped in active.Skip(i + 1).Where(Matches))
            {
                member.Member.Outbox.Add(new ReleaseCampaignGrant(skipped.Id));
            }

            return (true, wake);
        }

        return (false, null);
    }

    /// <summary>Queues the index row when an audience attribute changed (or when asked to); true when the state changed.</summary>
    private static bool RefreshIndex(MemberContext member, bool force)
    {
        var attributes = MemberAttributesReader.Read(member.Member, member.Options, member.Now);
        if (!force && attributes.SameAs(member.Member.Campaigns.Indexed))
        {
            return false;
        }

        member.Member.Campaigns.Indexed = attributes;
        member.Member.Outbox.Add(new UpsertMemberIndex(attributes, member.Now));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} campaign {CampaignId}: {Group} {Arm} → {Outcome}")]
    private partial void LogCampaignDelivered(string memberId, string campaignId, string group, string? arm, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: {Dropped} attributed orders dropped over the cap of {MaxAttributedOrders}; a refund of one no longer reduces its campaign's revenue")]
    private partial void LogAttributedOrdersDropped(string memberId, int dropped, int maxAttributedOrders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: the grant of campaign {CampaignId} was not stored (no answer, or failed after it); the campaign is told to release it")]
    private partial void LogGrantNotStored(Exception ex, string memberId, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: campaign side failed after {AppliedEventId}; the event stays applied")]
    private partial void LogCampaignSideFailed(Exception ex, string memberId, string appliedEventId);
}
