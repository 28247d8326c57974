using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Offers;

/// <summary>
/// A full refund gives back the coupons its order used, while still valid (docs/offers.md §6,
/// <see cref="OffersOptions.RestoreCouponsOnFullRefund"/>): after a refund that completes the order's refund, and after a
/// purchase whose held refunds, applied with it, refunded it in full. Part of <see cref="MemberCoupons"/>' event step.
/// </summary>
internal static class CouponRefundRestore
{
    /// <summary>
    /// A refund that arrived before purchase <paramref name="evt"/> waited and was applied with it (CONTRACT.md §1): when
    /// the held refunds refunded the whole order, the coupons the purchase just confirmed come back as they would have
    /// after it (docs/offers.md §6), each <see cref="MemberCoupons.RestoreRule"/> row naming the last refund
    /// applied (as in order) and dated at the latest refund's occurredAt (<see cref="RefundedInFullAt"/>), as its own coupon
    /// step would have. Returns that event id and instant when any coupon was restored, else null. Call after <see cref="MemberCoupons.AfterEvent(MemberState, MemberEvent, OffersOptions, ProgramOptions, DateTimeOffset)"/>'s confirmations.
    /// The coupon's reason names the order and the row the refund as the POS sent them (the purchase's <c>orderId</c>, the
    /// held refund's <c>eventId</c> from <paramref name="held"/>), not the keys the order keeps for long ids
    /// (<see cref="OrderIds.Key"/>), so support reads the same text whichever arrived first (CONTRACT.md §1.1); without
    /// <paramref name="held"/> the row names the refund as the order keeps it.
    /// </summary>
    internal static (string EventId, DateTimeOffset OccurredAt)? ForHeldRefunds(
        MemberState state, MemberEvent evt, IReadOnlyList<HeldRefund>? held, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        if (evt.Type != MemberEventTypes.Purchase || evt.Coupons.Count == 0 || evt.OrderId is not { } orderId
            || OrderBook.Find(state, orderId) is not { FullyRefunded: true } order)
        {
            return null;
        }

        // The refunds applied with the purchase are the order's (a new order has no other); the last one completed it.
        var refundId = order.RefundEventIds is { Count: > 0 } ids ? HeldRefund.SentId(held, ids[^1]) : evt.EventId;
        var at = RefundedInFullAt(order.RefundMarks, evt.OccurredAt);
        return ForFullRefund(state, orderId, refundId, at, offers, options, now) ? (refundId, at) : null;
    }

    /// <summary>
    /// When an order was refunded in full in event time (UTC offsets kept): the latest of its refunds' <paramref name="marks"/>
    /// (<see cref="MarksOf"/>), whatever order the refunds arrived in (one of 22 Nov arriving before a late one of 20 Nov:
    /// 22 Nov); <paramref name="fallback"/> (the refund being applied) when there are none.
    /// </summary>
    internal static DateTimeOffset RefundedInFullAt(IReadOnlyList<RefundMark>? marks, DateTimeOffset fallback) =>
        marks is { Count: > 0 } ? marks.Max(m => m.At) : fallback;

    /// <summary>
    /// The refund marks of order <paramref name="orderId"/>, kept in full (<see cref="OrderRecord.RefundMarks"/>) or as a
    /// summary the count cap made (<see cref="OrderSummary.RefundMarks"/>, which keeps those after the purchase); null when neither.
    /// </summary>
    internal static IReadOnlyList<RefundMark>? MarksOf(MemberState state, string? orderId) =>
        OrderBook.Find(state, orderId)?.RefundMarks ?? OrderBook.FindSummary(state, orderId)?.RefundMarks;

    /// <summary>
    /// The event id of the refund holding <paramref name="order"/>'s latest mark (the one <see cref="RefundedInFullAt"/>
    /// reads; the first of equal instants); null when the order has no marks or its refund ids do not pair with them.
    /// A restore's metrics count in that refund's region, whichever refund arrived last (CONTRACT.md §1.1).
    /// </summary>
    internal static string? LatestRefundId(OrderRecord? order)
    {
        if (order?.RefundMarks is not { Count: > 0 } marks || order.RefundEventIds is not { } ids || ids.Count != marks.Count)
        {
            return null;
        }

        var latest = 0;
        for (var i = 1; i < marks.Count; i++)
        {
            if (marks[i].At > marks[latest].At)
            {
                latest = i;
            }
        }

        return ids[latest];
    }

    /// <summary>
    /// Order <paramref name="orderId"/> is refunded in full: its coupons still valid at <paramref name="now"/> are issued
    /// again (<see cref="OffersOptions.RestoreCouponsOnFullRefund"/>; docs/offers.md §6), each with a
    /// <see cref="MemberCoupons.RestoreRule"/> ledger entry (+1) naming <paramref name="eventId"/>, recorded at
    /// <paramref name="now"/> and dated (<see cref="Ledger.LedgerEntry.OccurredAt"/>, UTC) at <paramref name="occurredAt"/>, when
    /// the order was refunded in full in event time (<see cref="RefundedInFullAt"/>: the latest refund's occurredAt): the
    /// restore took effect then (CONTRACT.md §1.1), however late or out of order the refunds arrived. True when any was restored.
    /// </summary>
    internal static bool ForFullRefund(
        MemberState state, string orderId, string eventId, DateTimeOffset occurredAt, OffersOptions offers, ProgramOptions options, DateTimeOffset now)
    {
        var (book, restored) = MemberCoupons.Book(state).RestoreForFullRefund(orderId, now, offers.RestoreCouponsOnFullRefund, id => OrderBook.IsFullyRefunded(state, id));
        if (restored.Count == 0)
        {
            return false;
        }

        MemberCoupons.Adopt(state, book);
        foreach (var again in restored)
        {
            MemberCoupons.Record(state, again, +1, MemberCoupons.RestoreRule, eventId, options, now, occurredAt);
        }

        return true;
    }
}
