using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Orders;

/// <summary>A purchase, applied as of its occurredAt (CONTRACT.md §1, §1.1, §2): the order, its points lot, its growth, late corrections.</summary>
public static class PurchasePolicy
{
    /// <summary>Purchases above this (CNY, after conversion) are refused (CONTRACT.md §1); the wire validator holds the same bound.</summary>
    public const decimal MaxPurchaseAmount = 10_000_000m;

    /// <summary>A purchase whose occurredAt is older than this many days is refused (CONTRACT.md §1: not older than 365 days).</summary>
    public const int MaxPurchaseAgeDays = 365;

    internal static (EventStatus, string?) Apply(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        var maxAge = Math.Min(MaxPurchaseAgeDays, options.OrderRetentionDays);
        if (evt.OccurredAt < now.AddDays(-maxAge))
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"occurredAt: purchase {evt.OrderId} occurred more than {maxAge} days ago; too old to earn"));
        }

        var currency = Money.CurrencyOf(evt, options);
        var (amount, rate) = Money.ToProgramme(evt.Amount!.Value, currency, options);
        if (amount > MaxPurchaseAmount || amount <= 0m)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"amount: {evt.Amount} {currency} is {amount:0.00} {options.Currency}; a purchase must be > 0 and ≤ {MaxPurchaseAmount:0} {options.Currency}"));
        }

        var order = new OrderRecord
        {
            OrderId = evt.OrderId!,
            At = evt.OccurredAt,
            Amount = amount,
            ExpiresAt = PointsWallet.ExpiryOf(state, options, evt.OccurredAt),
            Foreign = rate is { } r ? new ForeignAmount { Currency = currency, Amount = evt.Amount.Value, Rate = r } : null,
        };
        // Summarised purchases later than this one come back in full first (CorrectOrdersAfter below re-prices them without
        // scanning the summaries again): their growth sits in the bucket of their day, counted from its start, so one made
        // later that day would count here. An in-order purchase finds none: one pass over the summaries, nothing revived.
        OrderBook.ReviveLaterThan(state, options, now, GrowthTimeline.OrderKey(order), occurredFrom: null);
        state.Orders.Add(order);
        work.NewOrderId = order.OrderId;
        GrowthPolicy.Added(state, options, order.At, order.NetGrowth, orders: 1);
        EarningPolicy.NoteFirstPurchase(state, order);
        // The timeline is read for this one price and handed back: the thread's reusable one, not a new one per purchase.
        var timeline = GrowthTimeline.Rent(state, options, order.At);
        var earning = EarningPolicy.Earned(state, options, timeline, order);
        GrowthTimeline.Return(timeline);
        order.Points = earning.Points;
        PointsWallet.AddLot(state, order);
        state.LastPurchaseAt = MemberEngine.Max(state.LastPurchaseAt, evt.OccurredAt);

        var what = $"purchase {OrderIds.Named(evt.OrderId!)} of {Money.Text(amount, order.Foreign, null, options)}";
        if (earning.Points > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, earning.Points, PointsWallet.Balance(state),
                $"{what} {EarningPolicy.Text(earning)}",
                earning.First ? RuleIds.PointsEarnFirstPurchaseDouble : RuleIds.PointsEarn, evt.EventId);
        }

        var growth = (long)decimal.Floor(amount);
        if (growth > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, growth, GrowthPolicy.TrailingGrowth(state, options, now), what,
                RuleIds.GrowthPurchase, evt.EventId);
            TierPolicy.AfterGrowthGain(state, options, now, GrowthTimeline.OrderKey(order), evt.EventId, work.Entries, work.TierChanges, work.Granted, growth);
        }

        // Refunds of this order that arrived before it are applied first: in event time they came before the purchases made
        // after them (CONTRACT.md §1.1), so those are re-priced once, below, with the refunded growth gone, never credited it
        // and charged it back (HeldRefundBeforeCorrectionsTests). The refunds do not re-price on their own: every purchase
        // they could change is after this one, and one correction naming this late purchase says why it changed (the double
        // it took, the tier). A refund only reverses growth, so it cannot change which purchase is the first.
        ApplyHeldRefunds(state, order.OrderId, options, now, work);

        // A late purchase changes what later ones earned: the first-purchase double, the tier they were made at.
        EarningPolicy.CorrectOrdersAfter(state, options, now, GrowthTimeline.OrderKey(order), new CorrectionCause(evt.EventId, what, evt.OccurredAt), evt.EventId, work.Entries,
            laterRevived: true);
        return (EventStatus.Applied, null);
    }

    /// <summary>
    /// Refunds that arrived before this purchase are applied right after it, oldest first, before the purchase re-prices
    /// later ones (the refunds re-price none themselves: the purchase's correction covers every order after it).
    /// </summary>
    private static void ApplyHeldRefunds(MemberState state, string orderId, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        if (HeldRefund.ForOrder(state.HeldRefunds, orderId) is not { } held)
        {
            return;
        }

        held.Sort(static (a, b) => new EventKey(a.OccurredAt, a.EventId).CompareTo(new EventKey(b.OccurredAt, b.EventId)));
        foreach (var refund in held)
        {
            state.HeldRefunds.Remove(refund);
            var evt = refund.ToEvent();
            var mark = work.Entries.Count;
            var (status, reason) = RefundPolicy.Apply(state, OrderBook.Find(state, orderId)!, evt, options, now, work, correctLater: false);
            LedgerBook.DateFrom(state, work.Entries, mark, evt.OccurredAt); // the held refund's own time, not its purchase's
            if (status == EventStatus.Applied)
            {
                MemberEngine.Stamp(state, evt, options, now);

                // In the eventId window as any applied refund is, so its id cannot come back as another event (a purchase).
                EventIdWindow.Remember(state, refund.EventId, options, now, EventIdWindow.Fingerprint(evt, options));
                work.AppliedHeld.Add(refund.EventId);
            }
            else
            {
                work.RejectedHeld.Add(new RejectedHeldRefund(refund, reason ?? "refused"));
            }
        }
    }
}
