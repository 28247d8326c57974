using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Grains.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>The answer to an event the member decided on (CONTRACT.md §1), counted in the ingestion metrics and logged.</summary>
internal static class EventReplies
{
    /// <summary>A refused event: counted, logged with its reason (a warning), answered <see cref="ApplyStatus.Rejected"/> for the poison queue.</summary>
    public static ApplyResult Rejected(ILogger logger, string memberId, EngagementEvent evt, EventDecision decision)
    {
        MemberMetrics.EventRejected();
        logger.LogRejected(memberId, evt.EventId, decision.Reason);
        return MemberMapper.ToResult(ApplyStatus.Rejected, decision, decision.Reason);
    }

    /// <summary>A refund held until its purchase arrives: counted, logged, answered <see cref="ApplyStatus.Held"/>.</summary>
    public static ApplyResult Held(ILogger logger, string memberId, EngagementEvent evt, EventDecision decision)
    {
        MemberMetrics.EventHeld();
        logger.LogHeld(memberId, evt.EventId, evt.OrderId);
        return MemberMapper.ToResult(ApplyStatus.Held, decision, decision.Reason);
    }

    /// <summary>
    /// An applied event: counted, answered <see cref="ApplyStatus.Applied"/>, with the purchase's refused coupons
    /// (<see cref="ApplyResult.RefusedCoupons"/>) when any was. One answer per event: the copy a <c>with</c> makes is
    /// made only when there are refused coupons to add.
    /// </summary>
    public static ApplyResult Applied(EventDecision decision, IReadOnlyList<CouponEventRefusal> refusedCoupons)
    {
        IngestionMetrics.Accepted();
        var result = MemberMapper.ToResult(ApplyStatus.Applied, decision, decision.Reason);
        return refusedCoupons.Count == 0
            ? result
            : result with { RefusedCoupons = [.. refusedCoupons.Select(r => new RefusedCoupon { Code = r.Code, Reason = r.Reason, Detail = CouponCodes.Mask(r.Detail) })] };
    }
}
