using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

/// <summary>Purchases and refunds, applied as of their occurredAt (CONTRACT.md §1.1, §2).</summary>
public static partial class MemberEngine
{
    /// <summary>A purchase whose occurredAt is older than this many days is refused (CONTRACT.md §1: not older than 365 days).</summary>
    public const int MaxPurchaseAgeDays = 365;

    private static (EventStatus, string?) ApplyPurchase(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
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
            ExpiresAt = evt.OccurredAt.AddMonths(options.PointsLifetimeMonths),
            Foreign = rate is { } r ? new ForeignAmount { Currency = currency, Amount = evt.Amount.Value, Rate = r } : null,
        };
        state.Orders.Add(order);
        EarningPolicy.NoteFirstPurchase(state, order);
        var earning = EarningPolicy.Earned(state, options, GrowthTimeline.Build(state, options, order.At), order);
        order.Points = earning.Points;
        PointsWallet.AddLot(state, order);
        state.LastPurchaseAt = Max(state.LastPurchaseAt, evt.OccurredAt);

        var what = $"purchase {order.OrderId} of {Money.Describe(amount, order.Foreign, null, options)}";
        if (earning.Points > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, earning.Points, PointsWallet.Balance(state),
                $"{what} {EarningPolicy.Describe(earning)}",
                earning.First ? RuleIds.PointsEarnFirstPurchaseDouble : RuleIds.PointsEarn, evt.EventId);
        }

        var growth = (long)decimal.Floor(amount);
        if (growth > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, growth, GrowthPolicy.TrailingGrowth(state, options, now), what,
                RuleIds.GrowthPurchase, evt.EventId);
            TierPolicy.AfterGrowthGain(state, options, now, evt.EventId, work.Entries, work.TierChanges, work.Granted);
        }

        // A late purchase changes what later ones earned: the first-purchase double, the tier they were made at.
        EarningPolicy.CorrectOrdersAfter(state, options, now, GrowthTimeline.OrderKey(order), Late(evt, what), evt.EventId, work.Entries);
        ApplyHeldRefunds(state, order.OrderId, options, now, work);
        return (EventStatus.Applied, null);
    }

    /// <summary>"purchase O-1 of 1000.00 CNY (event e-1, occurred 2026-…) arrived after it": the cause a correction names.</summary>
    private static string Late(MemberEvent evt, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"late event {evt.EventId}, {what} that occurred {evt.OccurredAt:yyyy-MM-dd'T'HH:mm:ssK}");

    /// <summary>Refunds that arrived before this purchase are applied right after it, oldest first.</summary>
    private static void ApplyHeldRefunds(MemberState state, string orderId, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var held = state.HeldRefunds
            .Where(h => string.Equals(h.OrderId, orderId, StringComparison.Ordinal))
            .OrderBy(h => new EventKey(h.OccurredAt, h.EventId))
            .ToList();
        foreach (var refund in held)
        {
            state.HeldRefunds.Remove(refund);
            var evt = refund.ToEvent();
            var (status, reason) = ApplyRefund(state, OrderBook.Find(state, orderId)!, evt, options, now, work);
            if (status == EventStatus.Applied)
            {
                Stamp(state, evt, now);
                work.AppliedHeld.Add(refund.EventId);
            }
            else
            {
                work.RejectedHeld.Add(new RejectedHeldRefund(refund, reason ?? "refused"));
            }
        }
    }

    private static (EventStatus, string?) ApplyRefundOrHold(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var order = OrderBook.Find(state, evt.OrderId);
        if (order is not null)
        {
            return ApplyRefund(state, order, evt, options, now, work);
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
        });
        return (EventStatus.Held, string.Create(CultureInfo.InvariantCulture,
            $"purchase of order {evt.OrderId} not seen yet; refund held until {now + options.HeldRefundTimeout:yyyy-MM-dd'T'HH:mm:ssK}"));
    }

    private static (EventStatus, string?) ApplyRefund(MemberState state, OrderRecord order, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var currency = Money.CurrencyOf(evt, options);
        var orderCurrency = order.Foreign?.Currency ?? options.Currency;
        if (!string.Equals(currency, orderCurrency, StringComparison.Ordinal))
        {
            return (EventStatus.Rejected, $"currency: refund in {currency} of order {order.OrderId}, which was paid in {orderCurrency}; refund in {orderCurrency}");
        }

        var asked = evt.Amount!.Value;
        var left = order.Foreign is { } paid ? paid.Amount - paid.Refunded : order.Unrefunded;
        if (asked <= 0m || asked > left)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"amount: refund of {asked:0.00} {currency} exceeds the {left:0.00} {currency} left unrefunded on order {order.OrderId} ({order.Foreign?.Amount ?? order.Amount:0.00} {currency})"));
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
        order.PointsReversed = pointsTarget;
        (order.RefundEventIds ??= []).Add(evt.EventId);
        (order.RefundMarks ??= []).Add(new RefundMark(evt.OccurredAt, amount));
        PointsWallet.Reverse(state, order, pointsDelta);

        var what = $"refund of {Money.Describe(amount, order.Foreign, asked, options)} on order {order.OrderId} ({Money.Describe(order.Amount, order.Foreign, null, options)})";
        if (pointsDelta > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, -pointsDelta, PointsWallet.Balance(state), what, RuleIds.PointsRefund, evt.EventId);
        }

        if (growthDelta > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, -growthDelta, GrowthPolicy.TrailingGrowth(state, options, now), what, RuleIds.GrowthRefund, evt.EventId);
        }

        TierPolicy.AfterRefund(state, options, now, growthBefore, order.OrderId, evt.EventId, work.Entries, work.TierChanges, work.Granted);

        // Purchases made when or after this refund occurred (and after the order) were made without its growth: a late
        // refund corrects them. Purchases made before it occurred keep what they earned.
        if (growthDelta > 0)
        {
            EarningPolicy.CorrectOrdersAfter(state, options, now, GrowthTimeline.OrderKey(order),
                $"late event {evt.EventId}, {what} that occurred {evt.OccurredAt:yyyy-MM-dd'T'HH:mm:ssK}", evt.EventId, work.Entries,
                occurredFrom: evt.OccurredAt);
        }

        return (EventStatus.Applied, null);
    }
}
