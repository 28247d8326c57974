using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Growth;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Points;

/// <summary>
/// What each purchase earns, as one deterministic function of the member's order book and behaviour records sorted
/// by (occurredAt, id) (CONTRACT.md §1.1, §2): floor(floor(amount) × multiplier of the tier held just before it ×
/// first-purchase factor). When a late event changes that for orders already applied, the difference is appended as
/// a <c>points.earn.correction</c> entry naming the late event; nothing already written is rewritten.
/// </summary>
public static class EarningPolicy
{
    /// <summary>What one purchase earns, and why (for the ledger reason).</summary>
    public readonly record struct Earning(long Points, string Tier, decimal Multiplier, bool First, decimal FirstFactor);

    /// <summary>True when <paramref name="order"/> is the member's earliest purchase by (occurredAt, orderId).</summary>
    public static bool IsFirst(MemberState state, OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(order);
        if (state.FirstPurchaseAt is not { } first || first.UtcTicks != order.At.UtcTicks)
        {
            return false;
        }

        // State written before FirstPurchaseOrderId existed: the earliest kept order at that instant (summaries included).
        return state.FirstPurchaseOrderId is { } id
            ? string.Equals(id, order.OrderId, StringComparison.Ordinal)
            : IsEarliestKeptAt(state, first, order);
    }

    private static bool IsEarliestKeptAt(MemberState state, DateTimeOffset first, OrderRecord order)
    {
        var key = GrowthTimeline.OrderKey(order);
        foreach (var o in state.Orders)
        {
            if (o.At.UtcTicks == first.UtcTicks && GrowthTimeline.OrderKey(o).CompareTo(key) < 0)
            {
                return false;
            }
        }

        foreach (var s in state.OrderSummaries)
        {
            if (s.At.UtcTicks == first.UtcTicks && new EventKey(s.At, s.OrderId).CompareTo(key) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Makes <paramref name="order"/> the first purchase when it is earlier than the one recorded.</summary>
    internal static void NoteFirstPurchase(MemberState state, OrderRecord order)
    {
        var key = GrowthTimeline.OrderKey(order);
        if (state.FirstPurchaseAt is not { } at || key.CompareTo(new EventKey(at, state.FirstPurchaseOrderId ?? "")) < 0)
        {
            state.FirstPurchaseAt = order.At;
            state.FirstPurchaseOrderId = order.OrderId;
        }
    }

    /// <summary>What <paramref name="order"/> earns over <paramref name="timeline"/>, built with the refunds that occurred by the order's instant.</summary>
    public static Earning Earned(MemberState state, ProgramOptions options, GrowthTimeline timeline, OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeline);
        var tier = timeline.TierHeldBefore(GrowthTimeline.OrderKey(order));
        var multiplier = options.Tiers[tier].PointsMultiplier;
        var first = IsFirst(state, order);
        var factor = first ? options.FirstPurchaseMultiplier : 1m;
        var points = (long)decimal.Floor(decimal.Floor(order.Amount) * multiplier * factor);
        return new Earning(points, tier, multiplier, first, factor);
    }

    /// <summary>"at V2 ×1.2, first purchase ×2", for ledger reasons: invariant culture whatever the host's (the console parses it back).</summary>
    public static string Describe(Earning earning) => Text(earning).ToString();

    /// <summary>
    /// <see cref="Describe"/>'s words as a value an interpolated reason writes in place: a ledger reason that contains them
    /// makes one string, not one more for them.
    /// </summary>
    internal static EarningText Text(Earning earning) => new(earning);

    /// <summary>The words of <see cref="Describe"/>, formatted where they are written (see <see cref="Text"/>).</summary>
    internal readonly struct EarningText(Earning earning) : ISpanFormattable
    {
        /// <inheritdoc/>
        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            if (!destination.TryWrite(CultureInfo.InvariantCulture, $"at {earning.Tier} ×{earning.Multiplier:0.0#}", out var written))
            {
                charsWritten = 0;
                return false;
            }

            // Invariant like the rest: the console reads the factor back as [0-9.]+, so a de-DE host's "×1,5" could not be read.
            var rest = 0;
            if (earning.First && !destination[written..].TryWrite(CultureInfo.InvariantCulture, $", first purchase ×{earning.FirstFactor:0.##}", out rest))
            {
                charsWritten = 0;
                return false;
            }

            charsWritten = written + rest;
            return true;
        }

        /// <inheritdoc/>
        public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

        /// <summary>The words as a string of their own.</summary>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{this}");
    }

    /// <summary>
    /// Recomputes every kept order (summaries revived, <see cref="OrderBook.ReviveLaterThan"/>) after <paramref name="after"/> (the earliest point of history the late event
    /// changed; with <paramref name="occurredFrom"/>, only orders that occurred at or after that instant), their lots expired
    /// or not, and appends a correction for each whose points differ (a loss takes back only what the member kept: see
    /// <see cref="PointsWallet.Adjust"/>). An order's refund reversal follows its new
    /// points: reversed = floor(refunded × points / amount), so the correction is the change of what the order nets.
    /// <paramref name="laterRevived"/>: the caller already revived those summaries (<see cref="OrderBook.ReviveLaterThan"/> with
    /// the same <paramref name="after"/> and <paramref name="occurredFrom"/>, nothing summarised since), so they are not scanned again.
    /// </summary>
    internal static void CorrectOrdersAfter(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey after, CorrectionCause cause, string? causeEventId, List<LedgerEntry> entries,
        DateTimeOffset? occurredFrom = null, bool laterRevived = false)
    {
        // An order whose lot has expired is re-priced too: its points were not all gone to expiry (some were spent, or paid
        // a debt), and a loss takes only those from the member, never the ones that expired (PointsWallet.Reverse); a gain to
        // an expired lot pays debt first and the rest expires at once. A bonus lot (adjustment, points offer) is no purchase
        // to re-price. Most events are the member's latest: nothing to correct, nothing allocated.
        // A purchase the count cap summarised is re-priced like any other: brought back in full (the next prune summarises it again).
        if (!laterRevived)
        {
            OrderBook.ReviveLaterThan(state, options, now, after, occurredFrom);
        }

        List<OrderRecord>? later = null;
        foreach (var o in state.Orders)
        {
            if (!o.IsBonusLot && GrowthTimeline.OrderKey(o).CompareTo(after) > 0 && (occurredFrom is not { } instant || o.At >= instant))
            {
                (later ??= []).Add(o);
            }
        }

        if (later is null)
        {
            return;
        }

        later.Sort(static (a, b) => GrowthTimeline.OrderKey(a).CompareTo(GrowthTimeline.OrderKey(b)));

        // The timeline counts the refunds that occurred by each order's instant (summarised orders' too): refilled only when
        // that set grows. It is the thread's reusable one (GrowthTimeline.Rent), read only here and handed back below.
        var refundInstants = RefundInstants.Of(state);
        GrowthTimeline? timeline = null;
        var counted = -1;
        foreach (var order in later)
        {
            var refundsBy = RefundInstants.CountAtOrBefore(refundInstants, order.At.UtcTicks);
            if (timeline is null || refundsBy != counted)
            {
                if (timeline is not null)
                {
                    GrowthTimeline.Return(timeline);
                }

                timeline = GrowthTimeline.Rent(state, options, order.At);
                counted = refundsBy;
            }

            var earning = Earned(state, options, timeline, order);
            if (earning.Points == order.Points)
            {
                continue;
            }

            var netBefore = order.Points - order.PointsReversed;
            var reversed = order.Amount > 0m ? (long)decimal.Floor(order.Refunded * earning.Points / order.Amount) : 0;
            var was = order.Points;
            order.Points = earning.Points;
            order.PointsReversed = reversed;
            var delta = (earning.Points - reversed) - netBefore;
            if (delta == 0)
            {
                continue;
            }

            // A loss's debt is dated at the latest of the order's last refund (else its occurredAt), the newest refund of any
            // kept order, summaries included (PointsWallet.Reverse), and the newest piece owed: in order, a loss on a refunded
            // order arose as debt no earlier than that refund (PointsDebtBook).
            // Lots that had expired by then (a late purchase's, in the wallet until this event ends) give none of a loss: the
            // order's own expires first, the others are skipped (PointsWallet.Reverse) and expire at their dates at the end,
            // so a held refund of such a lot dated before its expiry, applied after this, still finds its points.
            var lossAt = LastRefundOrPurchase(order);
            if (delta < 0)
            {
                entries.AddRange(PointsWallet.ExpireOwnBy(state, order, lossAt, now));
            }

            var moved = PointsWallet.Adjust(state, order, delta, lossAt, now);
            if (moved == 0)
            {
                continue; // a loss of points that had all expired: nothing of the member's changes
            }

            var reason = string.Create(CultureInfo.InvariantCulture,
                $"purchase {order.OrderId} earns {earning.Points} points {Text(earning)} (was {was}): {cause}");
            if (moved != delta)
            {
                reason += string.Create(CultureInfo.InvariantCulture, $"; {moved - delta} of the {-delta} points it takes back had expired");
            }

            LedgerBook.Append(state, entries, now, LedgerKinds.Points, moved, PointsWallet.Balance(state), reason, RuleIds.PointsEarnCorrection, causeEventId);
        }

        if (timeline is not null)
        {
            GrowthTimeline.Return(timeline);
        }
    }

    /// <summary>When the order was last refunded (<see cref="OrderRecord.RefundMarks"/>), else when it was placed.</summary>
    private static DateTimeOffset LastRefundOrPurchase(OrderRecord order)
    {
        var at = order.At;
        foreach (var mark in order.RefundMarks ?? [])
        {
            if (mark.At > at)
            {
                at = mark.At;
            }
        }

        return at;
    }
}
