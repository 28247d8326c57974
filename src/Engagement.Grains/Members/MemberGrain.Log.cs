using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Grains.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>What the member grain logs and counts (metrics) about its outcomes.</summary>
public sealed partial class MemberGrain
{
    private ApplyResult Rejected(EngagementEvent evt, EventDecision decision)
    {
        MemberMetrics.EventRejected();
        LogRejected(MemberId, evt.EventId, decision.Reason);
        return MemberMapper.ToResult(ApplyStatus.Rejected, decision, decision.Reason);
    }

    private ApplyResult Held(EngagementEvent evt, EventDecision decision)
    {
        MemberMetrics.EventHeld();
        LogHeld(MemberId, evt.EventId, evt.OrderId);
        return MemberMapper.ToResult(ApplyStatus.Held, decision, decision.Reason);
    }

    private static ApplyResult Applied(EventDecision decision)
    {
        IngestionMetrics.Accepted();
        return MemberMapper.ToResult(ApplyStatus.Applied, decision, decision.Reason);
    }

    /// <summary>Logs and counts what an outcome moved (tiers, stages, touches).</summary>
    private void LogOutcome(MemberOutcome outcome)
    {
        foreach (var change in outcome.TierChanges)
        {
            MemberMetrics.TierChanged(change.From, change.To);
            LogTierChanged(MemberId, change.From, change.To, change.Reason);
        }

        foreach (var stage in outcome.StageChanges)
        {
            LogStage(MemberId, stage.From, stage.To);
        }

        foreach (var touch in outcome.Touches)
        {
            LogTouch(MemberId, touch.Kind, touch.Channel, touch.Decision, touch.Reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: a change failed before it was stored; it is dropped and the state reloaded from storage before the next call")]
    private partial void LogChangeDiscarded(Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: state reloaded from storage after a failed change")]
    private partial void LogReloaded(string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: storing confirmed effects failed; they may be emitted once more")]
    private partial void LogConfirmWriteFailed(Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: storing confirmed effects on deactivation failed; they may be emitted once more")]
    private partial void LogDeactivationWriteFailed(Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} wakes early at {WakeAt} for something due")]
    private partial void LogWake(string memberId, DateTimeOffset wakeAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from tier {FromTier} to {ToTier} ({Cause})")]
    private partial void LogTierChanged(string memberId, string fromTier, string toTier, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} refused event {RefusedEventId}: {Reason}")]
    private partial void LogRejected(string memberId, string refusedEventId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} holds refund {RefundEventId} until purchase {OrderId} arrives")]
    private partial void LogHeld(string memberId, string refundEventId, string? orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed {Points} points ({RedemptionId}); balance {Balance}")]
    private partial void LogRedeemed(string memberId, string redemptionId, long points, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} adjusted by {AdjustmentId}: {Kind} {Delta}, now {Balance}")]
    private partial void LogAdjusted(string memberId, string adjustmentId, string kind, long delta, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} consent changed: {Consent}")]
    private partial void LogConsent(string memberId, string consent);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from stage {FromStage} to {ToStage}")]
    private partial void LogStage(string memberId, string fromStage, string toStage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} touch {Kind} on {Channel}: {Decision} ({Reason})")]
    private partial void LogTouch(string memberId, string kind, string channel, string decision, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} campaign {CampaignId}: {Group} {Arm} → {Outcome}")]
    private partial void LogCampaignDelivered(string memberId, string campaignId, string group, string? arm, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event stream error")]
    private partial void LogStreamError(Exception ex, string memberId);
}
