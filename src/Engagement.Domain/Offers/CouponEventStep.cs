using Engagement.Domain.Members;
using Engagement.Domain.Metrics;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Offers;

/// <summary>
/// The offer step of an applied event on the member's one-write path, with its programme metrics (CONTRACT.md §2.1,
/// §5): a purchase's <c>coupons</c> confirmed, a full refund's coupons restored (<see cref="MemberCoupons.AfterEvent(MemberState, MemberEvent, OffersOptions, ProgramOptions, DateTimeOffset)"/>),
/// each counted under the outcome id <c>ce:{eventId}</c> on the event's own local day. The grain runs it right after
/// <see cref="MemberDecider.Apply"/> and writes once.
/// </summary>
public static class CouponEventStep
{
    /// <summary>The outcome id of event <paramref name="eventId"/>'s coupon step (its metric contributions' id).</summary>
    public static string OutcomeId(string eventId) => "ce:" + eventId;

    /// <summary>
    /// The refunds held for <paramref name="evt"/>'s order before it is applied (a purchase applies and removes them),
    /// to hand to <see cref="Apply"/>; null when none (the usual case, no allocation).
    /// </summary>
    public static IReadOnlyList<HeldRefund>? HeldFor(MemberState state, MemberEvent evt)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        return evt.Type == MemberEventTypes.Purchase ? HeldRefund.ForOrder(state.HeldRefunds, evt.OrderId) : null;
    }

    /// <summary>
    /// Runs the coupon rules of applied event <paramref name="evt"/> and records what they wrote as programme metrics
    /// (nothing when <paramref name="metrics"/> is null). <paramref name="held"/>: <see cref="HeldFor"/> taken before the
    /// event was applied. A purchase whose held refunds refunded it in full restores its coupons as a step of the refund
    /// that completed it (CONTRACT.md §1.1: the effect it would have had in order): counted under that refund's
    /// <c>ce:</c> id, the ledger rows naming it, on the local day the order was refunded in full (its latest refund's
    /// occurredAt, the instant the ledger dates the restore) and in that latest refund's region (else the member's), so
    /// the purchase's day keeps its redemption. A refund applied in order that completes the refund counts its restore on
    /// the same instant, in its own region (an earlier refund's region is not kept on the order). Returns the refused coupons; in memory only, the caller writes.
    /// </summary>
    public static MemberOutcome<IReadOnlyList<CouponEventRefusal>> Apply(
        MemberState state, MemberEvent evt, IReadOnlyList<HeldRefund>? held, OffersOptions offers, ProgramOptions options, MetricsOptions? metrics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        var mark = state.Outbox.Count;
        var metricsBefore = MemberMetricsPolicy.Before(state);
        var outcome = MemberCoupons.AfterEvent(state, evt, offers, options, now, restoreHeld: false);
        if (outcome.StateChanged)
        {
            // Counted on the purchase's own local day and in its region, like the event; a refund's restore on the day the
            // order was refunded in full (its latest refund), as the ledger dates it and as the held path counts it.
            var at = evt.Type == MemberEventTypes.Refund ? CouponRefundRestore.RefundedInFullAt(CouponRefundRestore.MarksOf(state, evt.OrderId), evt.OccurredAt) : evt.OccurredAt;
            MemberMetricsPolicy.RecordStep(state, metricsBefore, new(OutcomeId(evt.EventId), at, RegionId: evt.RegionId), options, metrics, now);
            metricsBefore = MemberMetricsPolicy.Before(state);
        }

        if (CouponRefundRestore.ForHeldRefunds(state, evt, held, offers, options, now) is not { } refund)
        {
            return outcome;
        }

        // On the instant the ledger dates it (the latest refund) and in the region of that same refund, not the last applied.
        var latestId = CouponRefundRestore.LatestRefundId(OrderBook.Find(state, evt.OrderId)) ?? refund.EventId;
        MemberMetricsPolicy.RecordStep(state, metricsBefore, new(OutcomeId(refund.EventId), refund.OccurredAt, RegionId: HeldRefund.RegionOf(held, latestId)), options, metrics, now);
        return outcome with { StateChanged = true, Effects = MemberCoupons.Since(state, mark) };
    }
}
