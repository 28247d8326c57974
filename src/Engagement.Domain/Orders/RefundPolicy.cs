using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Orders;

/// <summary>
/// Refunds (CONTRACT.md §1.1, §2): reverse points and growth on the cumulative refunded amount, drop the tier at once
/// when growth falls, correct later purchases; a refund whose purchase has not arrived is held, bounded, then dead-lettered.
/// </summary>
public static class RefundPolicy
{
    /// <summary>Applies a refund to its order, or holds it (bounded) until its purchase arrives.</summary>
    internal static (EventStatus, string?) ApplyOrHold(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        // An order the count cap summarised comes back for the refund (and is summarised again by the next prune).
        var order = OrderBook.Find(state, evt.OrderId) ?? OrderBook.Revive(state, options, evt.OrderId);
        if (order is not null)
        {
            return Apply(state, order, evt, options, now, work);
        }

        if (state.HeldRefunds.Count >= options.MaxHeldRefunds)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"order {evt.OrderId} is unknown and {options.MaxHeldRefunds} refunds already wait for their purchase"));
        }

        state.HeldRefunds.Add(new HeldRefund
        {
            EventId = evt.EventId,
            OrderId = evt.OrderId!,
            Amount = evt.Amount!.Value,
            Currency = string.IsNullOrWhiteSpace(evt.Currency) ? null : evt.Currency,
            OccurredAt = evt.OccurredAt,
            HeldAt = now,
            RegionId = evt.RegionId,
            StoreId = evt.StoreId,
            Channel = evt.Channel,
            SourceQueue = evt.SourceQueue,
            SourceText = evt.SourceText is { } text && HeldRefund.KeepsSourceText(text) ? text : null,
            SourceBatchIndex = evt.SourceBatchIndex,
            SourceBatchSize = evt.SourceBatchSize,
        });
        return (EventStatus.Held, HeldReason(evt.OrderId, now, options));
    }

    /// <summary>
    /// Why a refund is held: <c>purchase of order O-1 not seen yet; refund held until 2026-11-30T08:40:00+00:00</c> (UTC, held
    /// at <paramref name="heldAt"/> plus <see cref="ProgramOptions.HeldRefundTimeout"/>). The first send and every resend of
    /// a refund still held are told the same (docs/publishing-events.md, status <c>held</c>).
    /// </summary>
    internal static string HeldReason(string? orderId, DateTimeOffset heldAt, ProgramOptions options) =>
        string.Create(CultureInfo.InvariantCulture, $"purchase of order {orderId} not seen yet; refund held until {heldAt + options.HeldRefundTimeout:yyyy-MM-dd'T'HH:mm:ssK}");

    /// <summary>
    /// Reverses points and growth for the cumulative refund of an order, in the order's currency, then re-prices the
    /// purchases made at or after the refund (when it reversed growth) unless <paramref name="correctLater"/> is false: a
    /// held refund applied with its late purchase, which re-prices every purchase after it once all its refunds are in.
    /// </summary>
    internal static (EventStatus, string?) Apply(
        MemberState state, OrderRecord order, MemberEvent evt, ProgramOptions options, DateTimeOffset now, RuleChanges work, bool correctLater = true)
    {
        var currency = Money.CurrencyOf(evt, options);
        var orderCurrency = order.Foreign?.Currency ?? options.Currency;
        if (!string.Equals(currency, orderCurrency, StringComparison.Ordinal))
        {
            return (EventStatus.Rejected, $"currency: refund in {currency} of order {evt.OrderId}, which was paid in {orderCurrency}; refund in {orderCurrency}");
        }

        if (order.RefundEventIds is { } earlier && earlier.Count >= options.MaxRefundsPerOrder)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"orderId: order {evt.OrderId} already has {earlier.Count} refunds, the most one order takes (MaxRefundsPerOrder); settle this one by an adjustment"));
        }

        var asked = evt.Amount!.Value;
        var left = order.Foreign is { } paid ? paid.Amount - paid.Refunded : order.Unrefunded;
        if (asked <= 0m || asked > left)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"amount: refund of {asked:0.00} {currency} exceeds the {left:0.00} {currency} left unrefunded on order {evt.OrderId} ({order.Foreign?.Amount ?? order.Amount:0.00} {currency})"));
        }

        // In another currency the cumulative refund is converted at the order's own rate, so parts add up to the whole.
        var refunded = order.Refunded + asked;
        if (order.Foreign is { } foreign)
        {
            foreign.Refunded += asked;
            refunded = foreign.Refunded == foreign.Amount ? order.Amount : Math.Min(order.Amount, Money.Convert(foreign.Refunded, foreign.Rate, options));
        }

        var growthBefore = GrowthPolicy.TrailingGrowth(state, options, now);
        var amount = refunded - order.Refunded;

        // Reverse on the cumulative refund, minus what earlier refunds reversed, so two halves reverse exactly the whole.
        var pointsTarget = (long)decimal.Floor(refunded * order.Points / order.Amount);
        var pointsDelta = pointsTarget - order.PointsReversed;
        var growthDelta = (long)decimal.Floor(refunded) - (long)decimal.Floor(order.Refunded);
        order.Refunded = refunded;
        GrowthPolicy.Added(state, options, order.At, -growthDelta);
        order.PointsReversed = pointsTarget;
        (order.RefundEventIds ??= []).Add(OrderIds.Key(evt.EventId)); // as stored, so memory matches what a reload reads
        (order.RefundMarks ??= []).Add(new RefundMark(evt.OccurredAt, amount));
        // The order's own lot, if it had expired by the refund's occurredAt (a late purchase's, its held refund applied with
        // it), expires first; other lots expired by then are skipped by Reverse and expire at their own dates when the event ends.
        work.Entries.AddRange(PointsWallet.ExpireOwnBy(state, order, evt.OccurredAt, now));
        var taken = PointsWallet.Reverse(state, order, pointsDelta, evt.OccurredAt, now);

        var what = $"refund of {Money.Text(amount, order.Foreign, asked, options)} on order {OrderIds.Named(evt.OrderId!)} ({Money.Text(order.Amount, order.Foreign, null, options)})";
        if (taken > 0)
        {
            // Points of the order's lot that had expired are not taken again (from other lots, or as debt).
            var reason = taken == pointsDelta ? what
                : string.Create(CultureInfo.InvariantCulture, $"{what}; {pointsDelta - taken} of the {pointsDelta} points it reverses had expired");
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, -taken, PointsWallet.Balance(state), reason, RuleIds.PointsRefund, evt.EventId, evt.OccurredAt);
        }

        if (growthDelta > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, -growthDelta, GrowthPolicy.TrailingGrowth(state, options, now), what, RuleIds.GrowthRefund, evt.EventId, evt.OccurredAt);
        }

        TierPolicy.AfterRefund(state, options, now, growthBefore, order.OrderId, order.At, evt.EventId, work.Entries, work.TierChanges, work.Granted, evt.OccurredAt, growthDelta);

        // Purchases made when or after this refund occurred (and after the order) were made without its growth: a late
        // refund corrects them. Purchases made before it occurred keep what they earned.
        if (growthDelta > 0 && correctLater)
        {
            EarningPolicy.CorrectOrdersAfter(state, options, now, GrowthTimeline.OrderKey(order),
                new CorrectionCause(evt.EventId, what, evt.OccurredAt), evt.EventId, work.Entries,
                occurredFrom: evt.OccurredAt);
        }

        return (EventStatus.Applied, null);
    }

    /// <summary>Removes and returns the refunds that waited longer than <see cref="ProgramOptions.HeldRefundTimeout"/> for their purchase.</summary>
    public static IReadOnlyList<HeldRefund> ReleaseExpiredHeldRefunds(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        List<HeldRefund>? expired = null;
        foreach (var h in state.HeldRefunds)
        {
            if (now - h.HeldAt >= options.HeldRefundTimeout)
            {
                (expired ??= []).Add(h);
            }
        }

        if (expired is null)
        {
            return [];
        }

        state.HeldRefunds.RemoveAll(expired.Contains);
        return expired;
    }
}
