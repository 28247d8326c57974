using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Metrics;

/// <summary>
/// What a member outcome means for programme metrics (CONTRACT.md §5): <see cref="MemberDecider"/> takes a
/// <see cref="MetricsBefore"/> before the rules run and calls <see cref="Record"/> after them; the contributions go
/// into the member's outbox as one <see cref="RecordMetrics"/> in the same state write, and
/// <see cref="MemberState.Metrics"/> moves with them. Pure: same state, input and <c>now</c>, same ids.
/// </summary>
/// <remarks>
/// Gauges (<c>GET /segments</c>) move from the segments the member last counted
/// (<see cref="MemberMetricState.Segments"/>) to its segments now, so they stay the exact sum over members even when
/// time alone (RFM recency, value-class thresholds) moved a member between two outcomes.
/// </remarks>
public static class MemberMetricsPolicy
{
    /// <summary>What the member looked like before an outcome, as far as metrics need it.</summary>
    /// <param name="Existed">The member had been seen (<see cref="MemberState.FirstSeenAt"/> set).</param>
    /// <param name="HadPurchase">The member had a purchase (<see cref="MemberState.FirstPurchaseAt"/> set).</param>
    /// <param name="OrderUnrefunded">The unrefunded amount (CNY) of the outcome's order before it; 0 when unknown.</param>
    /// <param name="FromSequence">The member's next ledger sequence before the outcome: coupon moves (ledger kind
    /// <c>coupon</c>) from it on are the outcome's (<see cref="CouponsSince"/>); <see cref="long.MaxValue"/>: none.</param>
    /// <param name="Coupons">The member's coupon book before the outcome (immutable), to count coupons per offer
    /// (<see cref="CouponMetrics.ByOffer"/>); null: not counted per offer.</param>
    /// <param name="RegisteredAt">The member's registration before the outcome (<see cref="MemberState.RegisteredAt"/>: its
    /// register event, else its first appearance); null: not seen, or not known.</param>
    /// <param name="Held">The refunds held for the outcome's order before it (<see cref="MemberState.HeldRefunds"/>), whose
    /// region a purchase that applies them counts them in; null: none, or not known.</param>
    public readonly record struct MetricsBefore(bool Existed, bool HadPurchase, decimal OrderUnrefunded, long FromSequence = long.MaxValue, Offers.CouponBook? Coupons = null, DateTimeOffset? RegisteredAt = null, IReadOnlyList<HeldRefund>? Held = null);

    /// <summary>The outcome being recorded: its deterministic id and, for an applied event, its type and order.</summary>
    /// <param name="OutcomeId">Unique per member and outcome: <c>e:{eventId}</c>, <c>r:{redemptionId}</c>, <c>a:{adjustmentId}</c>, <c>t:{ticks}</c>.</param>
    /// <param name="At">The instant that names the local day: occurredAt for events, <c>now</c> otherwise (UTC).</param>
    /// <param name="EventType">The applied event's type (CONTRACT.md §1); null for held or refused events, commands and ticks.</param>
    /// <param name="OrderId">The order of a purchase or refund, else null.</param>
    /// <param name="CampaignReached">1 when the outcome sent a campaign arm's touch, else 0.</param>
    /// <param name="CampaignConverted">Campaign arms the outcome's purchase converted (<see cref="CampaignMetrics.Converted"/>), else 0.</param>
    /// <param name="RegionId">The region the outcome counts in and whose local day <paramref name="At"/> names, when not the
    /// member's (a held refund's step counted in its own event's region, as an in-order refund moves the member there);
    /// null or blank: the member's. Gauges still follow the member.</param>
    public readonly record struct MetricsInput(string OutcomeId, DateTimeOffset At, string? EventType = null, string? OrderId = null, int CampaignReached = 0, int CampaignConverted = 0, string? RegionId = null);

    /// <summary>The snapshot to take before the rules run (cheap: a few fields, one order lookup, the held refunds' scan).</summary>
    public static MetricsBefore Before(MemberState state, string? orderId = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new MetricsBefore(
            state.FirstSeenAt is not null, state.FirstPurchaseAt is not null, Orders.OrderBook.UnrefundedOf(state, orderId),
            state.NextSequence, Offers.MemberCoupons.Book(state), state.RegisteredAt, HeldRefund.ForOrder(state.HeldRefunds, orderId));
    }

    /// <summary>
    /// An applied event's input (held and refused events count nothing but their gauges and points). It counts in the
    /// event's own region: the member's, unless the event is late and the member has since moved, when in order it
    /// would have counted where it happened (CONTRACT.md §1.1).
    /// </summary>
    public static MetricsInput ForEvent(MemberEvent evt, EventStatus status)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return new MetricsInput("e:" + evt.EventId, evt.OccurredAt, status == EventStatus.Applied ? evt.Type : null, evt.OrderId, RegionId: status == EventStatus.Applied ? evt.RegionId : null);
    }

    /// <summary>A tick's input: its id is its instant.</summary>
    public static MetricsInput ForTick(DateTimeOffset now) => new("t:" + now.UtcTicks.ToString(CultureInfo.InvariantCulture), now);

    /// <summary>
    /// Derives the outcome's contributions (<see cref="MemberMetrics.Derive"/>), moves <see cref="MemberState.Metrics"/>
    /// and queues them in the outbox (and in <paramref name="effects"/>). Nothing when <paramref name="metrics"/> is null
    /// (a host without programme metrics) or when the outcome changes no counter. Returns true when it queued.
    /// </summary>
    public static bool Record(
        MemberState state, MetricsBefore before, MetricsInput input, IReadOnlyList<LedgerEntry> entries,
        ProgramOptions options, MetricsOptions? metrics, DateTimeOffset now, List<MemberEffect>? effects)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(options);
        if (metrics is null || string.IsNullOrEmpty(state.MemberId))
        {
            return false;
        }

        var after = Segments(state, options, now, state.Metrics.Segments);
        var points = PointsOf(entries);
        var coupons = CouponsSince(state, before.FromSequence);
        var reissue = Offers.CouponReissues.IsReissue(input.OutcomeId);
        var (issuedByOffer, redeemedByOffer) = CouponMetrics.ByOffer(before.Coupons, Offers.MemberCoupons.Book(state), reissue);
        var order = Orders.OrderBook.Find(state, input.OrderId);
        var held = input.EventType == MemberEventTypes.Purchase ? HeldRefunds(order, before.Held, entries, metrics, after.RegionId) : null;
        var countsIn = string.IsNullOrWhiteSpace(input.RegionId) ? null : MetricsOptions.RegionOf(input.RegionId);
        var transition = new MemberTransition
        {
            MemberId = state.MemberId,
            EffectId = input.OutcomeId,
            Day = metrics.LocalDay(input.At, countsIn ?? after.RegionId),
            MovedOutDay = state.Metrics.Segments is { } left ? metrics.LocalDay(input.At, left.RegionId) : null,
            RegionId = countsIn,
            EventType = input.EventType,
            Joined = !before.Existed && state.FirstSeenAt is not null,
            // A late registration (or a late first event of a member not registered) moves the member's join to its own day.
            RegisteredDay = before.RegisteredAt is { } was && state.RegisteredAt is { } registered && registered < was ? metrics.LocalDay(registered, after.RegionId) : null,
            HeldRefunds = held,
            FirstPurchase = input.EventType == MemberEventTypes.Purchase && !before.HadPurchase && state.FirstPurchaseAt is not null,
            // The held refunds net on their own days, not on the purchase's: its day keeps the whole amount.
            Revenue = input.OrderId is null ? 0m : Orders.OrderBook.UnrefundedOf(state, input.OrderId) - before.OrderUnrefunded + (held?.Sum(static h => h.Amount) ?? 0m),
            // The points the held refunds reversed (or corrected) count on their own days too.
            PointsIssued = points.Issued - (held?.Sum(static h => h.PointsIssued) ?? 0),
            PointsRedeemed = points.Redeemed,
            PointsExpired = points.Expired == 0 ? null : ExpiredByDay(entries, metrics, after.RegionId),
            PointsReversed = points.Reversed - (held?.Sum(static h => h.PointsReversed) ?? 0),
            PointsAdjusted = points.Adjusted,
            // A reissue's fresh coupon replaces one already counted: not a new issue.
            CouponsIssued = reissue ? 0 : coupons.Issued,
            CouponsIssuedByOffer = issuedByOffer,
            CouponsRedeemedByOffer = redeemedByOffer,
            CouponsRedeemed = coupons.Redeemed,
            CampaignReached = input.CampaignReached,
            CampaignConverted = input.CampaignConverted,
            Before = state.Metrics.Segments,
            After = after,
        };
        var (next, contributions) = MemberMetrics.DeriveWithSegments(state.Metrics, transition, metrics);
        state.Metrics = next;
        if (contributions.Count == 0)
        {
            return false;
        }

        var effect = new RecordMetrics(input.OutcomeId, contributions);
        state.Outbox.Add(effect);
        effects?.Add(effect);
        return true;
    }

    /// <summary>
    /// The member's gauge dimensions now: region, tier, RFM segment, value class, stage, trailing monetary, points, and
    /// whether it counts as a member yet (<see cref="MemberSegments.Counted"/>: not while known only by a held refund).
    /// </summary>
    public static MemberSegments Segments(MemberState state, ProgramOptions options, DateTimeOffset now) => Segments(state, options, now, null);

    /// <summary>
    /// <see cref="Segments(MemberState, ProgramOptions, DateTimeOffset)"/>, answering <paramref name="same"/> itself when the
    /// member's segments now equal it exactly (every field; the monetary amount to its scale, so the stored JSON is the
    /// same too): an event that moves no gauge (a browse, a second login) allocates no segments.
    /// </summary>
    internal static MemberSegments Segments(MemberState state, ProgramOptions options, DateTimeOffset now, MemberSegments? same)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rfm = RfmScorer.Read(state, options, now);
        var region = MetricsOptions.RegionOf(state.RegionId);
        var tier = TierPolicy.Current(state, options);
        var stage = state.Lifecycle.Stage;
        var balance = PointsWallet.Balance(state);
        // Known only by a held refund: not a member yet (it joins with its first applied event), CONTRACT.md §5.
        var counted = state.FirstSeenAt is not null;
        if (same is not null && same.Counted == counted && same.PointsBalance == balance
            && same.Monetary == rfm.Monetary && same.Monetary.Scale == rfm.Monetary.Scale
            && string.Equals(same.RegionId, region, StringComparison.Ordinal) && string.Equals(same.Tier, tier, StringComparison.Ordinal)
            && string.Equals(same.RfmSegment, rfm.Segment, StringComparison.Ordinal) && string.Equals(same.ValueClass, rfm.ValueClass, StringComparison.Ordinal)
            && string.Equals(same.Stage, stage, StringComparison.Ordinal))
        {
            return same;
        }

        return new MemberSegments
        {
            RegionId = region,
            Tier = tier,
            RfmSegment = rfm.Segment,
            ValueClass = rfm.ValueClass,
            Stage = stage,
            Monetary = rfm.Monetary,
            PointsBalance = balance,
            Counted = counted,
        };
    }

    /// <summary>
    /// Coupons the outcome issued and redeemed (net of restores on a full refund): the member's ledger rows of kind
    /// <c>coupon</c> (issue +1, redeem −1, restore +1, expire −1; issue 11) from <paramref name="fromSequence"/> on.
    /// </summary>
    public static (int Issued, int Redeemed) CouponsSince(MemberState state, long fromSequence)
    {
        ArgumentNullException.ThrowIfNull(state);
        int issued = 0, redeemed = 0;
        for (var i = state.Ledger.Count - 1; i >= 0 && state.Ledger[i].Sequence >= fromSequence; i--)
        {
            var e = state.Ledger[i];
            if (e.Kind != Offers.MemberCoupons.LedgerKind)
            {
                continue;
            }

            switch (e.RuleId)
            {
                case Offers.MemberCoupons.IssueRule: issued++; break;
                case Offers.MemberCoupons.RedeemRule: redeemed++; break;
                case Offers.MemberCoupons.RestoreRule: redeemed--; break;
            }
        }

        return (issued, redeemed);
    }

    /// <summary>
    /// Records what a step outside <see cref="Members.MemberDecider"/> wrote (a coupon issued or redeemed, a campaign
    /// offer's points lot or coupon): the ledger rows from <paramref name="before"/>'s sequence on, under
    /// <paramref name="input"/>'s id, in the member's outbox like every other contribution. Same contract as <see cref="Record"/>.
    /// </summary>
    public static bool RecordStep(MemberState state, MetricsBefore before, MetricsInput input, ProgramOptions options, MetricsOptions? metrics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Record(state, before, input, EntriesSince(state, before.FromSequence), options, metrics, now, null);
    }

    /// <summary>The member's ledger rows from <paramref name="fromSequence"/> on (what a grain-side step wrote), oldest first.</summary>
    public static IReadOnlyList<LedgerEntry> EntriesSince(MemberState state, long fromSequence)
    {
        ArgumentNullException.ThrowIfNull(state);
        var first = state.Ledger.Count;
        while (first > 0 && state.Ledger[first - 1].Sequence >= fromSequence)
        {
            first--;
        }

        return first == state.Ledger.Count ? [] : state.Ledger.GetRange(first, state.Ledger.Count - first);
    }

    /// <summary>
    /// Points moved by the outcome's ledger entries, by the rule that wrote them; the engine's give-back of a redemption
    /// (<see cref="AdjustmentPolicy.IsRedemptionUndo"/>) counts as redeemed negated, not as adjusted.
    /// </summary>
    public static (long Issued, long Redeemed, long Expired, long Reversed, long Adjusted) PointsOf(IReadOnlyList<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long issued = 0, redeemed = 0, expired = 0, reversed = 0, adjusted = 0;
        foreach (var e in entries)
        {
            if (e.Kind != LedgerKinds.Points || e.Delta == 0)
            {
                continue;
            }

            switch (e.RuleId)
            {
                case RuleIds.PointsRedeem:
                    redeemed -= e.Delta;
                    break;
                case RuleIds.PointsExpire:
                    expired -= e.Delta;
                    break;
                case AdjustmentPolicy.PointsRule when AdjustmentPolicy.IsRedemptionUndo(e.EventId):
                    // A catalogue redemption given back (stock lost): it un-redeems its points, it is no adjustment.
                    redeemed -= e.Delta;
                    break;
                case AdjustmentPolicy.PointsRule:
                    adjusted += e.Delta;
                    break;
                default:
                    // Earning, offers and upward corrections issue; refunds and downward corrections reverse.
                    if (e.Delta > 0)
                    {
                        issued += e.Delta;
                    }
                    else
                    {
                        reversed -= e.Delta;
                    }

                    break;
            }
        }

        return (issued, redeemed, expired, reversed, adjusted);
    }

    /// <summary>
    /// Points of the outcome's <c>points.expire</c> entries by the local day (in <paramref name="regionId"/>'s zone) of
    /// their instant, which is the lot's own expiry instant (<see cref="PointsWallet.ExpireDue"/>), not the outcome's.
    /// Only called when the outcome expired points, so no other outcome pays for it.
    /// </summary>
    public static IReadOnlyDictionary<DateOnly, long> ExpiredByDay(IReadOnlyList<LedgerEntry> entries, MetricsOptions metrics, string regionId)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(metrics);
        var byDay = new Dictionary<DateOnly, long>();
        foreach (var e in entries)
        {
            if (e.Kind == LedgerKinds.Points && e.RuleId == RuleIds.PointsExpire && e.Delta != 0)
            {
                var day = metrics.LocalDay(e.At, regionId);
                byDay[day] = byDay.GetValueOrDefault(day) - e.Delta;
            }
        }

        return byDay;
    }

    /// <summary>
    /// The refunds an applied purchase's order already carries, on their local days: they were held for it and applied
    /// with it (the order did not exist before its purchase), so they are activity, revenue and points of their own days
    /// the outcome has not counted yet. Their marks add up to the order's refunded amount exactly (a new order has no
    /// older, unmarked refunds); the points each moved are the outcome's points entries naming its event id (its
    /// <c>points.refund</c> only: a held refund re-prices nothing itself; the late purchase's one correction of later
    /// orders is named after the purchase and counts on the purchase's day), as its own outcome would have counted them. Each
    /// counts in the region of its own event (its <c>regionId</c>, like an in-order refund, which moves the member there),
    /// else in <paramref name="regionId"/>, the member's, and takes that region's local day.
    /// </summary>
    private static List<HeldRefundDay>? HeldRefunds(Orders.OrderRecord? order, IReadOnlyList<HeldRefund>? wereHeld, IReadOnlyList<LedgerEntry> entries, MetricsOptions metrics, string regionId)
    {
        if (order?.RefundMarks is not { Count: > 0 } marks)
        {
            return null;
        }

        // Both lists grow together as each refund applies (RefundPolicy.Apply); a new order has no refund without a mark.
        var ids = order.RefundEventIds is { } known && known.Count == marks.Count ? known : null;
        var held = new List<HeldRefundDay>(marks.Count);
        for (var i = 0; i < marks.Count; i++)
        {
            var (issued, reversed) = ids is null ? (0L, 0L) : PointsOfEvent(entries, ids[i]);
            var own = ids is null ? null : HeldRefund.RegionOf(wereHeld, ids[i]);
            var region = string.IsNullOrWhiteSpace(own) ? regionId : MetricsOptions.RegionOf(own);
            held.Add(new HeldRefundDay(metrics.LocalDay(marks[i].At, region), marks[i].Amount)
            {
                RegionId = region,
                PointsIssued = issued,
                PointsReversed = reversed,
            });
        }

        return held;
    }

    /// <summary>Points issued and reversed by the entries of <paramref name="entries"/> that name <paramref name="eventId"/>.</summary>
    private static (long Issued, long Reversed) PointsOfEvent(IReadOnlyList<LedgerEntry> entries, string eventId)
    {
        var own = new List<LedgerEntry>();
        foreach (var e in entries)
        {
            if (string.Equals(e.EventId, eventId, StringComparison.Ordinal))
            {
                own.Add(e);
            }
        }

        var points = PointsOf(own);
        return (points.Issued, points.Reversed);
    }
}
