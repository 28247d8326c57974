using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Touches;
using Engagement.Grains.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>The campaign side of the member: delivery through the touch governor, control tracking, attribution.</summary>
/// <remarks>
/// Campaign services are optional (<see cref="CampaignServices"/>): a silo without them runs members with these hooks off.
/// Every campaign-side failure after an event is logged, never thrown: the event is already applied.
/// </remarks>
public sealed partial class MemberGrain
{
    /// <summary>The touch kind of every campaign touch; with the campaign id as dedupe key it makes one touch id per campaign.</summary>
    public const string CampaignTouchKind = "campaign";

    private CampaignServices? _campaignServices;
    private bool _campaignServicesResolved;

    private CampaignServices? CampaignSide
    {
        get
        {
            if (!_campaignServicesResolved)
            {
                _campaignServices = ServiceProvider.GetService<CampaignServices>();
                _campaignServicesResolved = true;
            }

            return _campaignServices;
        }
    }

    public Task<CampaignDeliveryResult> DeliverCampaignAsync(CampaignDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);

        // The campaign retries a failed delivery: it must meet the member as storage holds it, not a touch never stored.
        return ChangeAsync(() => DeliverCampaignCoreAsync(delivery));
    }

    private async Task<CampaignDeliveryResult> DeliverCampaignCoreAsync(CampaignDelivery delivery)
    {
        if (CampaignMemberships.Find(Member.Campaigns, delivery.CampaignId) is { } known)
        {
            return ResultOf(known, repeat: true);
        }

        if (!state.RecordExists)
        {
            // An index row without a member (e.g. state cleared): nothing to remember, nothing to touch.
            return new CampaignDeliveryResult { Outcome = CampaignOutcomes.Ineligible, Group = CampaignGroups.None, Reason = "member has never been seen" };
        }

        var now = time.GetUtcNow();
        var membership = ApplyCampaign(delivery, now, checkAudience: true);
        if (membership.Outcome == TouchDecisions.Deferred)
        {
            await WakeAtAsync(TouchGovernor.NextDeferredAt(Member), now);
        }

        await PersistAsync();
        await EmitPendingEffectsAsync(persistIfChanged: false);
        LogCampaignDelivered(MemberId, delivery.CampaignId, membership.Group, membership.Arm, membership.Outcome);
        return ResultOf(membership, repeat: false);
    }

    public async Task<CampaignMembershipView?> GetCampaignMembershipAsync(string campaignId)
    {
        await EnsureCurrentAsync();
        var m = CampaignMemberships.Find(Member.Campaigns, campaignId);
        return m is null ? null : new CampaignMembershipView
        {
            CampaignId = m.CampaignId,
            Group = m.Group,
            Arm = m.Arm,
            Outcome = m.Outcome,
            CurrentOutcome = CurrentOutcome(m),
            AssignedAt = m.AssignedAt,
            Converted = m.Converted,
            Revenue = m.Revenue,
            TouchId = m.TouchId,
        };
    }

    public Task<bool> ReindexAsync() => ChangeAsync(ReindexCoreAsync);

    private async Task<bool> ReindexCoreAsync()
    {
        if (!state.RecordExists || CampaignSide is not { } services)
        {
            return false;
        }

        if (await RefreshIndexAsync(services, time.GetUtcNow(), force: true))
        {
            await PersistAsync();
        }

        return true;
    }

    /// <summary>
    /// Called after an event was applied and durably written (not for duplicates or rejections):
    /// keeps the member index current, attributes conversions, fires triggered campaigns.
    /// Must not throw for campaign-side failures: the event is already applied.
    /// </summary>
    private async Task OnEventAppliedAsync(EngagementEvent evt, EventDecision decision)
    {
        if (CampaignSide is not { } services)
        {
            return;
        }

        try
        {
            var now = time.GetUtcNow();
            var changed = false;
            if (decision.Status == EventStatus.Applied && evt.Type == EventTypes.Purchase && evt.Amount is > 0m and var amount)
            {
                changed |= CampaignMemberships.AttributePurchase(Member.Campaigns, evt.EventId, amount, evt.OccurredAt).Count > 0;
            }

            if (decision.Status == EventStatus.Applied)
            {
                changed |= await FireTriggeredAsync(services, evt, now);
            }

            changed |= await RefreshIndexAsync(services, now, force: false);
            if (changed)
            {
                CampaignMemberships.Prune(Member.Campaigns, now, services.Options.MaxMembershipsKept);
                await PersistAsync();
                await EmitPendingEffectsAsync(persistIfChanged: false);
            }

            // Reports go after the write, so one the campaign has not acknowledged is still in state to retry.
            if (await FlushCampaignReportsAsync())
            {
                await PersistAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCampaignSideFailed(ex, MemberId, evt.EventId);
        }
    }

    /// <summary>
    /// Called after every lifecycle tick, whether or not it changed stored state: stage, tier and RFM segment may have
    /// moved by time alone. Writes the index row and the state only when the indexed attributes differ from the last
    /// ones written (or a campaign report was acknowledged, or a membership pruned); a settled tick writes nothing.
    /// </summary>
    private async Task OnTickedAsync()
    {
        if (CampaignSide is not { } services)
        {
            return;
        }

        try
        {
            var now = time.GetUtcNow();
            var changed = await RefreshIndexAsync(services, now, force: false);
            changed |= await FlushCampaignReportsAsync();
            var before = Member.Campaigns.Memberships.Count;
            CampaignMemberships.Prune(Member.Campaigns, now, services.Options.MaxMembershipsKept);
            if (changed || Member.Campaigns.Memberships.Count != before)
            {
                await PersistAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCampaignSideFailed(ex, MemberId, "tick");
        }
    }

    /// <summary>Records the campaign in the member and, for an arm, lets the governor decide the touch.</summary>
    private CampaignMembership ApplyCampaign(CampaignDelivery delivery, DateTimeOffset now, bool checkAudience)
    {
        var membership = new CampaignMembership
        {
            CampaignId = delivery.CampaignId,
            Group = delivery.Group,
            Arm = delivery.Arm,
            AssignedAt = now,
            AttributionWindowDays = delivery.AttributionWindowDays,
            ValidUntil = delivery.ValidUntil,
        };

        if (checkAudience && !CampaignMapping.ToCriteria(delivery.Audience).Matches(MemberAttributesReader.Read(Member, _options, now)))
        {
            // The index lagged the live state; remembered, so a repeat answers the same.
            membership.Group = CampaignGroups.None;
            membership.Outcome = CampaignOutcomes.Ineligible;
        }
        else if (delivery.Group is CampaignGroups.Control or CampaignGroups.GlobalControl)
        {
            membership.Outcome = CampaignOutcomes.Held;
        }
        else
        {
            var touch = TouchGovernor.Decide(Member, new TouchRequest
            {
                Kind = CampaignTouchKind,
                Channel = delivery.Channel,
                CampaignId = delivery.CampaignId,
                Offer = delivery.Offer?.Code,
                ValidUntil = delivery.ValidUntil,
                DedupeKey = delivery.CampaignId,
                Category = TouchCategories.Marketing,
            }, _options, now);
            membership.Outcome = touch.Decision;
            membership.TouchId = touch.TouchId;
        }

        membership.ReportedOutcome = membership.Outcome;
        Member.Campaigns.Memberships.Add(membership);
        return membership;
    }

    /// <summary>
    /// Matches the event against the active triggered campaigns, highest priority first; the first that matches
    /// (trigger, audience on the live state, not had before) and grants is applied. At most one per event.
    /// </summary>
    private async Task<bool> FireTriggeredAsync(CampaignServices services, EngagementEvent evt, DateTimeOffset now)
    {
        var active = await services.Active.GetAsync();
        if (active.Count == 0)
        {
            return false;
        }

        MemberAttributes? attributes = null;
        foreach (var definition in active)
        {
            if (definition.Trigger is null
                || now < definition.ValidFrom
                || now >= definition.ValidUntil
                || !CampaignMapping.TriggerMatches(definition.Trigger, evt)
                || CampaignMemberships.Find(Member.Campaigns, definition.Id) is not null)
            {
                continue;
            }

            attributes ??= MemberAttributesReader.Read(Member, _options, now);
            if (!CampaignMapping.ToCriteria(definition.Audience).Matches(attributes))
            {
                continue;
            }

            var grant = await GrainFactory.GetGrain<ICampaignGrain>(definition.Id).RequestGrantAsync(MemberId);
            if (grant.Delivery is null)
            {
                continue;
            }

            var membership = ApplyCampaign(grant.Delivery, now, checkAudience: false);
            if (membership.Group == CampaignGroups.Arm)
            {
                // The campaign counted the assignment; the outcome goes to it by FlushCampaignReportsAsync.
                membership.ReportedOutcome = "";
                if (membership.Outcome == TouchDecisions.Deferred)
                {
                    await WakeAtAsync(TouchGovernor.NextDeferredAt(Member), now);
                }
            }

            LogCampaignDelivered(MemberId, definition.Id, membership.Group, membership.Arm, membership.Outcome);
            return true;
        }

        return false;
    }

    /// <summary>Writes the index row when an audience attribute changed (or when asked to); true when the state changed.</summary>
    private async Task<bool> RefreshIndexAsync(CampaignServices services, DateTimeOffset now, bool force)
    {
        if (!state.RecordExists)
        {
            return false;
        }

        var attributes = MemberAttributesReader.Read(Member, _options, now);
        if (!force && attributes.SameAs(Member.Campaigns.Indexed))
        {
            return false;
        }

        try
        {
            await services.Index.UpsertAsync(new MemberIndexEntry(MemberId, attributes, now));
            Member.Campaigns.Indexed = attributes;
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not recorded as indexed: the next event or tick tries again.
            LogIndexFailed(ex, MemberId);
            return false;
        }
    }

    /// <summary>Tells campaigns about outcome changes and purchases not yet acknowledged; true when something was acknowledged.</summary>
    private async Task<bool> FlushCampaignReportsAsync()
    {
        var changed = false;
        foreach (var m in Member.Campaigns.Memberships)
        {
            if (m.Group == CampaignGroups.Arm && CurrentOutcome(m) is { } current && current != m.ReportedOutcome)
            {
                if (!await TryReportAsync(m.CampaignId, g => g.ReportOutcomeAsync(new CampaignOutcomeReport { MemberId = MemberId, Arm = m.Arm ?? "", From = m.ReportedOutcome, To = current })))
                {
                    return changed;
                }

                m.ReportedOutcome = current;
                changed = true;
            }

            while (m.PendingPurchases.Count > 0)
            {
                var p = m.PendingPurchases[0];
                var report = new CampaignPurchaseReport { MemberId = MemberId, Group = m.Group, Arm = m.Arm, Amount = p.Amount, Conversion = p.Conversion, EventId = p.EventId };
                if (!await TryReportAsync(m.CampaignId, g => g.ReportPurchaseAsync(report)))
                {
                    return changed;
                }

                m.PendingPurchases.RemoveAt(0);
                changed = true;
            }
        }

        return changed;
    }

    private async Task<bool> TryReportAsync(string campaignId, Func<ICampaignGrain, Task> report)
    {
        try
        {
            await report(GrainFactory.GetGrain<ICampaignGrain>(campaignId));
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReportFailed(ex, MemberId, campaignId);
            return false;
        }
    }

    /// <summary>The touch's decision now (a deferred touch may have gone out); the recorded outcome when the touch is forgotten.</summary>
    private string CurrentOutcome(CampaignMembership m) =>
        m.TouchId is { } touchId && TouchGovernor.Find(Member, touchId) is { } touch ? touch.Decision : m.Outcome;

    private CampaignDeliveryResult ResultOf(CampaignMembership m, bool repeat) => new()
    {
        Outcome = m.Outcome,
        Group = m.Group,
        Arm = m.Arm,
        Repeat = repeat,
        TouchId = m.TouchId,
        Reason = m.TouchId is { } touchId ? TouchGovernor.Find(Member, touchId)?.Reason : null,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} campaign {CampaignId}: {Group} {Arm} → {Outcome}")]
    private partial void LogCampaignDelivered(string memberId, string campaignId, string group, string? arm, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: campaign side failed after {AppliedEventId}; the event stays applied")]
    private partial void LogCampaignSideFailed(Exception ex, string memberId, string appliedEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: writing the member index row failed; will retry")]
    private partial void LogIndexFailed(Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: reporting to campaign {CampaignId} failed; will retry")]
    private partial void LogReportFailed(Exception ex, string memberId, string campaignId);
}
