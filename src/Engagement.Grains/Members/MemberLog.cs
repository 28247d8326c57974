using Engagement.Domain.Members;
using Engagement.Grains.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>What a member activation logs (category <see cref="MemberGrain"/>): one structured message per kind of change.</summary>
internal static partial class MemberLog
{
    /// <summary>Logs what an outcome moved (tiers, stages, touches); tier changes are also counted (<see cref="MemberMetrics.TierChanged"/>).</summary>
    public static void LogOutcome(this ILogger logger, string memberId, MemberOutcome outcome)
    {
        foreach (var change in outcome.TierChanges)
        {
            MemberMetrics.TierChanged(change.From, change.To);
            logger.LogTierChanged(memberId, change.From, change.To, change.Reason);
        }

        foreach (var stage in outcome.StageChanges)
        {
            logger.LogStage(memberId, stage.From, stage.To);
        }

        foreach (var touch in outcome.Touches)
        {
            logger.LogTouch(memberId, touch.Kind, touch.Channel, touch.Decision, touch.Reason);
        }
    }

    /// <summary>
    /// Warns (and counts, <see cref="MemberMetrics.OrdersLostEarly"/>) when the member dropped order summaries past
    /// <c>ProgramOptions.MaxOrderSummaries</c> between <paramref name="droppedBefore"/> and <paramref name="droppedAfter"/>
    /// (<c>MemberState.OrderSummariesDropped</c>): those orders' re-sent purchases and refunds are no longer recognised.
    /// </summary>
    public static void LogOrdersLostEarly(this ILogger logger, string memberId, long droppedBefore, long droppedAfter)
    {
        if (droppedAfter > droppedBefore)
        {
            MemberMetrics.OrdersLostEarly(droppedAfter - droppedBefore);
            logger.LogOrderSummariesDropped(memberId, droppedAfter - droppedBefore, droppedAfter);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} dropped {Orders} order summaries past MaxOrderSummaries before their retention ended ({Total} so far): a re-sent purchase or a refund of those orders is no longer recognised")]
    public static partial void LogOrderSummariesDropped(this ILogger logger, string memberId, long orders, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: a change failed before it was stored; it is dropped and the state reloaded from storage before the next call")]
    public static partial void LogChangeDiscarded(this ILogger logger, Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: state reloaded from storage after a failed change")]
    public static partial void LogReloaded(this ILogger logger, string memberId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId}: state read again from storage before a negative answer (another activation may have written it)")]
    public static partial void LogReadAgain(this ILogger logger, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: storing confirmed effects failed; they may be emitted once more")]
    public static partial void LogConfirmWriteFailed(this ILogger logger, Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: storing confirmed effects on deactivation failed; they may be emitted once more")]
    public static partial void LogDeactivationWriteFailed(this ILogger logger, Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} deactivates after a failed change, and reading its state back failed; effects its stored outbox holds wait for its next event or tick")]
    public static partial void LogDeactivationReloadFailed(this ILogger logger, Exception ex, string memberId);

    [LoggerMessage(Message = "{MemberId}: outbox retry {Attempt} left {Pending} effects pending; the next retry in {NextRetry}")]
    public static partial void LogOutboxRetryFailed(this ILogger logger, LogLevel level, string memberId, int attempt, int pending, TimeSpan nextRetry);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} deactivates with {Pending} effects pending; its lifecycle reminder wakes it at {WakeAt} to send them")]
    public static partial void LogOutboxLeftPending(this ILogger logger, string memberId, int pending, DateTimeOffset wakeAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} deactivates with {Pending} effects pending, and moving its lifecycle reminder to wake it for them failed; they wait for its next event or tick")]
    public static partial void LogOutboxWakeFailed(this ILogger logger, Exception ex, string memberId, int pending);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} wakes early at {WakeAt} for something due")]
    public static partial void LogWake(this ILogger logger, string memberId, DateTimeOffset wakeAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from tier {FromTier} to {ToTier} ({Cause})")]
    public static partial void LogTierChanged(this ILogger logger, string memberId, string fromTier, string toTier, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} refused event {RefusedEventId}: {Reason}")]
    public static partial void LogRejected(this ILogger logger, string memberId, string refusedEventId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} holds refund {RefundEventId} until purchase {OrderId} arrives")]
    public static partial void LogHeld(this ILogger logger, string memberId, string refundEventId, string? orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed {Points} points ({RedemptionId}); balance {Balance}")]
    public static partial void LogRedeemed(this ILogger logger, string memberId, string redemptionId, long points, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} adjusted by {AdjustmentId}: {Kind} {Delta}, now {Balance}")]
    public static partial void LogAdjusted(this ILogger logger, string memberId, string adjustmentId, string kind, long delta, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} consent changed: {Consent}")]
    public static partial void LogConsent(this ILogger logger, string memberId, string consent);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from stage {FromStage} to {ToStage}")]
    public static partial void LogStage(this ILogger logger, string memberId, string fromStage, string toStage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} touch {Kind} on {Channel}: {Decision} ({Reason})")]
    public static partial void LogTouch(this ILogger logger, string memberId, string kind, string channel, string decision, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} campaign {CampaignId}: {Group} {Arm} → {Outcome}")]
    public static partial void LogCampaignDelivered(this ILogger logger, string memberId, string campaignId, string group, string? arm, string outcome);

    /// <summary>Debug, one a member and campaign ask (a triggered campaign's matching event, a broadcast page): the campaign logs a broadcast's refusals once a page.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "{MemberId} campaign {CampaignId}: refused at the membership cap, {Held} memberships held that cannot be forgotten yet, the most is {MaxMemberships}; no membership recorded")]
    public static partial void LogCampaignMembershipCapRefused(this ILogger logger, string memberId, string campaignId, int held, int maxMemberships);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event stream error")]
    public static partial void LogStreamError(this ILogger logger, Exception ex, string memberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} was issued a {Kind} coupon {CodeTail} of offer {OfferId}, valid until {ValidUntil}")]
    public static partial void LogCouponIssued(this ILogger logger, string memberId, string codeTail, string kind, string offerId, DateTimeOffset validUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed a coupon of offer {OfferId} at {StoreId} (redemption {RedemptionId})")]
    public static partial void LogCouponRedeemed(this ILogger logger, string memberId, string offerId, string storeId, string redemptionId);

    /// <summary>A till was told no (409): the code's first characters only, as at issue (a full code is worth its value).</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: coupon {CodeTail} refused at {StoreId}: {Reason} (redemption {RedemptionId})")]
    public static partial void LogCouponRedeemRefused(this ILogger logger, string memberId, string codeTail, string storeId, string reason, string redemptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: the refusal of coupon {CodeTail} (redemption {RedemptionId}) could not be stored; the till still got its refusal, the coupon's history does not show it")]
    public static partial void LogCouponRefusalNotStored(this ILogger logger, Exception ex, string memberId, string codeTail, string redemptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event {MemberEventId} names a coupon the member cannot use; the purchase applies without it: {Refusal}")]
    public static partial void LogCouponRefused(this ILogger logger, string memberId, string memberEventId, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event {MemberEventId} used a reissued coupon whose replacement was redeemed too; the member got its value twice: {Detail}")]
    public static partial void LogCouponUsedTwice(this ILogger logger, string memberId, string memberEventId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: a coupon of offer {OfferId} was reissued by {Actor} (reissue {ReissueId})")]
    public static partial void LogCouponReissued(this ILogger logger, string memberId, string offerId, string actor, string reissueId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: the {Kind} touch {TouchId} waits in its window, decided again at {RetryAt}: {Reason}")]
    public static partial void LogTouchHeldForStock(this ILogger logger, string memberId, string kind, string touchId, DateTimeOffset? retryAt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: the {Kind} touch {TouchId} was held for stock with no look-up made (the tick's look-ahead did not name it), decided again at {RetryAt}")]
    public static partial void LogTouchHeldNotLookedUp(this ILogger logger, string memberId, string kind, string touchId, DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: the stock look-up for grant {GrantId} failed; its touch is held this tick and the rest of the tick goes on")]
    public static partial void LogTouchStockLookUpFailed(this ILogger logger, Exception exception, string memberId, string grantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} booked priority slot {SlotStart} at {StoreId} (booking {BookingId})")]
    public static partial void LogPriorityBooked(this ILogger logger, string memberId, string bookingId, string storeId, DateTimeOffset slotStart);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} was assigned an advisor ({UseId}): {Detail}")]
    public static partial void LogAdvisorAssigned(this ILogger logger, string memberId, string useId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: its lifecycle tick was refused, the outbox is backed up; the tick runs again as soon as an emit brings the outbox under its bound")]
    public static partial void LogTickOwed(this ILogger logger, string memberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId}: the outbox is under its bound again; the lifecycle tick it refused runs now")]
    public static partial void LogOwedTickRuns(this ILogger logger, string memberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: a change was refused, its outbox still holds {Count} effects ({Bytes} bytes stored) its receivers have not taken, over the outbox bound; it takes changes again once they are delivered")]
    public static partial void LogOutboxBacklogRefused(this ILogger logger, string memberId, int count, int bytes);
}
