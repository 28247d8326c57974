using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// The tier after a late event: what the member held in order, when growth it counted has aged out since (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// A late event whose growth lifted the member to a higher tier in order, on its own day or with an event applied
    /// after it, growth that has aged out since: in order the member moved up then and is on that tier's grace now
    /// (CONTRACT.md §1.1, §2), or has dropped one level per grace run out since (as <c>Reassess</c> does). Judged today
    /// alone, it stayed on the lower tier. An event the window already qualified without lifted nothing.
    /// </summary>
    private static void UpgradeAsOf(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey cause, long added, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        if (added <= 0)
        {
            return;
        }

        var current = Current(state, options);
        var (ladder, thresholds) = LadderWithThresholds(options);
        var timeline = GrowthTimeline.Build(state, options);
        for (var rank = ladder.Length - 1; rank > Rank(options, current); rank--)
        {
            if (timeline.ReachedWith(thresholds[rank], cause, added) is not { } reached || reached > now)
            {
                continue;
            }

            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"{current} → {ladder[rank]}: trailing growth reached {thresholds[rank]} at {reached:yyyy-MM-dd'T'HH:mm:ssK} with a late event; it has aged out since");
            var mark = entries.Count;
            var grants = granted.Count;
            Move(state, options, ladder[rank], now, RuleIds.TierUpgrade, reason, eventId, entries, changes, granted);
            state.TierSince = reached;
            changes[^1] = changes[^1] with { ReachedAt = reached };

            // The move took effect when growth reached the tier in order (a later event's instant when the late one only
            // completed it, or reached it again after the tier was lost through a full grace), as tierSince says; the
            // event's own date would be before the member qualified, or before a break in holding the tier. The tier's
            // benefits came with it then (CONTRACT.md §2: granted on entering a tier), not at the late event's arrival.
            LedgerBook.DateFrom(state, entries, mark, reached);
            GrantedSince(state, granted, grants, reached);
            state.TierGraceStartedAt = GraceStartInOrder(state, options, thresholds[rank], now);
            Reassess(state, options, now, entries, changes, granted);
            return;
        }
    }

    /// <summary>
    /// The late refund's drop in order (<see cref="AfterRefund"/>'s remarks); nothing when the refund's own day did not qualify
    /// either. The growth of that day is read as the whole day: its purchases and the refunds that occurred by its end (a
    /// refund made later on that day counts on it, as a purchase made later on it does), not refunds of later days. When
    /// the refund did not take the tier on its day, the refunds of later days are judged again with it counted
    /// (<see cref="LaterRefundDrops"/>).
    /// </summary>
    private static void DropAsOf(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, string? eventId,
        DateTimeOffset refundAt, long reversedGrowth, string supportedNow, List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var zone = GrowthPolicy.Zone(state, options);
        var refundDay = MemberTimeZones.LocalDate(refundAt, zone);
        if (refundDay >= MemberTimeZones.LocalDate(now, zone))
        {
            return;
        }

        var current = Current(state, options);
        var rank = Rank(options, current);
        var orderDay = MemberTimeZones.LocalDate(orderAt, zone);
        // As of the refund's day, the whole day (its purchases and its refunds alike): net of the refunds made by the end
        // of it only (this one included); one applied before it arrived but made on a later day took its growth when it
        // occurred, not on this refund's day.
        var endOfDay = MemberTimeZones.StartOfDay(refundDay.AddDays(1), zone).AddTicks(-1);
        var thenAfter = GrowthTimeline.Build(state, options, refundsBy: endOfDay).GrowthThrough(refundDay);
        var counted = orderDay <= refundDay && orderDay > refundDay.AddDays(-options.GrowthWindowDays);
        var thenBefore = thenAfter + (counted ? reversedGrowth : 0);
        var leftThen = Qualifying(options, thenAfter);
        if (Rank(options, Qualifying(options, thenBefore)) < rank)
        {
            return;
        }

        if (Rank(options, leftThen) >= rank)
        {
            // Not taken on its own day; a refund made on a later day, with this one counted, may have taken it in order.
            if (LaterRefundDrops(state, options, now, endOfDay, eventId, entries, changes, granted))
            {
                GraceAfterReplay(state, options, now, entries, changes, granted);
            }

            return;
        }

        var target = Rank(options, leftThen) > Rank(options, supportedNow) ? leftThen : supportedNow;
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {target}: refund on order {orderId} at {refundAt:yyyy-MM-dd'T'HH:mm:ssK} (a late event) left trailing growth {thenAfter} below {options.Tiers[current].Threshold}");
        Move(state, options, target, now, RuleIds.TierDowngradeRefund, reason, eventId, entries, changes, granted);

        // Held since the refund in order (a UTC instant, as stored): its grace, if any, runs from the first day after it whose window fell short.
        state.TierSince = refundAt.ToUniversalTime();
        var threshold = options.Tiers[target].Threshold;
        state.TierGraceStartedAt = GrowthPolicy.TrailingGrowth(state, options, now) >= threshold ? null : GraceStartInOrder(state, options, threshold, now);
        if (state.TierGraceStartedAt is not null)
        {
            Reassess(state, options, now, entries, changes, granted);
        }
    }

    /// <summary>
    /// A late refund after which growth now still reaches the tier held now (<see cref="AfterRefund"/> moved nothing): in
    /// order it was judged at its own instant, and the refunds made after it were judged with it counted (CONTRACT.md §1.1,
    /// §2: a refund recomputes the tier at once). Where one of them took the tier then, a <c>tier.downgrade.refund</c> dated
    /// at that instant is recorded, and the later event that reached the tier again lifts the member back
    /// (<see cref="LaterRefundDrops"/>), so the tier history agrees with the multiplier the purchases in between are re-priced
    /// at (<c>points.earn.correction</c>). Nothing to replay when no purchase, behaviour or refund occurred after it.
    /// </summary>
    private static void KeptNowReplayedInOrder(
        MemberState state, ProgramOptions options, DateTimeOffset now, DateTimeOffset refundAt, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var ticks = RefundInstants.Of(state, now);
        var later = ticks.Count > 0 && ticks[^1] > refundAt.UtcTicks
            || state.Orders.Exists(o => o.At > refundAt) || state.OrderSummaries.Exists(o => o.At > refundAt)
            || state.BehaviourRecords.Exists(r => r.At > refundAt);
        if (later && LaterRefundDrops(state, options, now, refundAt.AddTicks(-1), eventId, entries, changes, granted))
        {
            GraceAfterReplay(state, options, now, entries, changes, granted);
        }
    }

    /// <summary>After replayed refunds moved the tier: the grace of the tier held now as it ran in order, and its drops when past.</summary>
    private static void GraceAfterReplay(
        MemberState state, ProgramOptions options, DateTimeOffset now, List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var kept = options.Tiers[Current(state, options)].Threshold;
        state.TierGraceStartedAt = GrowthPolicy.TrailingGrowth(state, options, now) >= kept ? null : GraceStartInOrder(state, options, kept, now);
        if (state.TierGraceStartedAt is not null)
        {
            Reassess(state, options, now, entries, changes, granted);
        }
    }

    /// <summary>
    /// After a late refund that did not take the tier on its own day: each refund recorded before it arrived that occurred
    /// after <paramref name="after"/> (oldest instant first, up to <paramref name="now"/>) is judged again as it was when
    /// applied (<see cref="AfterRefund"/>, CONTRACT.md §2: a refund recomputes the tier at once, no grace), now with the
    /// late refund counted, against the tier held when it occurred (<see cref="HeldThen"/>): when growth just before its instant (purchases by then, net of the refunds made before it)
    /// reached the current tier's threshold and just after it (net of the refunds made by then) no longer does, and the
    /// member did not hold the tier since before an order it refunded (then its grace runs instead), it drops the tier
    /// there: a <c>tier.downgrade.refund</c> entry dated at that instant, tierSince that instant, the benefits of the tier
    /// it leaves removed. After such a drop, an event before the next refund instant (or <paramref name="now"/>) with which
    /// growth, net of the refunds made by then, reached a higher tier again lifts the member there in order, up to the tier
    /// it started on or the tier the refund took, the higher (<see cref="RegainsBetween"/>); the next refund is then judged against that tier. With
    /// <c>undone</c> (after a grace drop was undone, <see cref="RefundDropsSince"/>) a drop's reason says the late event
    /// kept the tier until then. With <c>history</c> (a late refund dated before the moves that led to the tier held now,
    /// <see cref="DropAtOnce"/>) the first refund, the late one, is judged against the tier all recorded moves say was held
    /// then (<see cref="HeldInHistory"/>, however many moves and of whatever kind are dated after it), with no skip to the
    /// upgrade that entered the tier held now; when it does not drop there, nothing moves and the result is false.
    /// </summary>
    /// <returns>True when some refund dropped the tier.</returns>
    private static bool LaterRefundDrops(
        MemberState state, ProgramOptions options, DateTimeOffset now, DateTimeOffset after, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted, bool undone = false, bool history = false)
    {
        var moved = false;
        var top = Rank(options, Current(state, options));
        var ticks = RefundInstants.Of(state, now);
        // A refund made before an upgrade entered the tier held now was judged then against the tier held then, and the
        // drop and lift it brought are recorded already: judged against this tier it would record them a second time.
        // With `history` the first refund is judged against the tier the recorded moves say was held then (HeldInHistory).
        var from = !history && EnteredByUpgrade(state) is { } entered ? Math.Max(after.UtcTicks, entered.UtcTicks - 1) : after.UtcTicks;
        GrowthTimeline? previous = null;
        for (var i = RefundInstants.CountAtOrBefore(ticks, from); i < ticks.Count; i++)
        {
            if (i > 0 && ticks[i] == ticks[i - 1])
            {
                continue;
            }

            var at = new DateTimeOffset(ticks[i], TimeSpan.Zero);
            var key = new EventKey(at.AddTicks(1), "");
            // The refunds made before this instant are those made by the previous one: its timeline is reused, not rebuilt.
            var before = (previous ?? GrowthTimeline.Build(state, options, refundsBy: at.AddTicks(-1))).GrowthBefore(key);
            previous = GrowthTimeline.Build(state, options, refundsBy: at);
            var left = previous.GrowthBefore(key);
            var current = Current(state, options);
            var (rank, since) = history && !moved ? HeldInHistory(state, options, at) : HeldThen(state, options, at);
            var supported = Qualifying(options, left);
            // Judged against the tier held then: a refund that took it in order moves the member there even when the tier it
            // left is at or above the one held now (a later drop entered that): the entry re-enters it in order (delta from
            // the tier held now, maybe 0), tierSince that instant, and the grace of the tier held now is judged again after.
            if (rank > 0 && Rank(options, Qualifying(options, before)) >= rank && Rank(options, supported) < rank
                && !HeldBeforeEveryOrderRefunded(state, since, ticks[i]))
            {
                var heldNow = current;
                var kept = string.Equals(current, supported, StringComparison.Ordinal);
                current = Ladder(options)[rank];
                top = Math.Max(top, rank);
                // The entry moves from the tier held now (its delta, the tier change); when the member held a higher tier then,
                // the reason names the move in order too.
                var move = string.Equals(heldNow, current, StringComparison.Ordinal) ? $"{current} → {supported}"
                    : kept ? $"{heldNow} kept (in order {current} → {supported})" : $"{heldNow} → {supported} (in order {current} → {supported})";
                var reason = undone
                    ? string.Create(
                        CultureInfo.InvariantCulture,
                        $"{move}: a refund at {at:yyyy-MM-dd'T'HH:mm:ssK} left trailing growth {left} below {options.Tiers[current].Threshold}; late event {eventId} kept {current} until then")
                    : string.Create(
                        CultureInfo.InvariantCulture,
                        $"{move}: a refund at {at:yyyy-MM-dd'T'HH:mm:ssK} left trailing growth {left} below {options.Tiers[current].Threshold}, counting late event {eventId}");
                var mark = entries.Count;
                var grants = granted.Count;
                Move(state, options, supported, now, RuleIds.TierDowngradeRefund, reason, eventId, entries, changes, granted, left: current);
                if (kept)
                {
                    // The live tier does not move: no tier change to report, only the entry that dates tierSince.
                    changes.RemoveAt(changes.Count - 1);
                }

                state.TierSince = at;
                LedgerBook.DateFrom(state, entries, mark, at);

                // An entry that moves the member up from the tier held now (in order down to a tier above it) grants that
                // tier's benefits: in order the member held that tier from this instant, not from the late event's arrival.
                GrantedSince(state, granted, grants, at);
                moved = true;
            }
            else if (history && !moved)
            {
                // Only a replay that moves from its first refund on is judged by the recorded history; the caller falls back.
                return false;
            }

            if (moved)
            {
                // Lifted again in order before the next refund (read on the growth net of the refunds made by then)?
                var next = RefundInstants.CountAtOrBefore(ticks, ticks[i]);
                var until = next < ticks.Count ? new DateTimeOffset(ticks[next], TimeSpan.Zero) : now.AddTicks(1);
                RegainsBetween(state, options, previous, at, until, top, now, eventId, entries, changes, granted);
            }
        }

        return moved;
    }

    /// <summary>
    /// After a replayed refund dropped the tier (<see cref="LaterRefundDrops"/>): the events after <paramref name="after"/>
    /// and before <paramref name="before"/> (UTC instants), read on <paramref name="view"/> (net of the refunds made by then),
    /// with which trailing growth reached a tier above the current one again, up to ladder rank <paramref name="top"/>, lift
    /// the member in order (CONTRACT.md §2: upgrade at once): a <c>tier.upgrade</c> entry dated at that event's instant
    /// (also the move's <see cref="TierChange.ReachedAt"/>), tierSince that instant, the tier's benefits granted on entering it,
    /// dated at that instant too (CONTRACT.md §1.1: in order they were granted then, not when the late event arrived).
    /// </summary>
    private static void RegainsBetween(
        MemberState state, ProgramOptions options, GrowthTimeline view, DateTimeOffset after, DateTimeOffset before, int top,
        DateTimeOffset now, string? eventId, List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var ladder = Ladder(options);
        while (Rank(options, Current(state, options)) is var rank && rank < top
            && view.FirstReaching(options.Tiers[ladder[rank + 1]].Threshold, after, before) is { } reached)
        {
            var current = ladder[rank];
            var tier = ladder[Math.Min(top, Rank(options, Qualifying(options, reached.Growth)))];
            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"{current} → {tier}: trailing growth {reached.Growth} reached {options.Tiers[tier].Threshold} at {reached.At:yyyy-MM-dd'T'HH:mm:ssK} after a refund took {tier}, counting late event {eventId}");
            var mark = entries.Count;
            var grants = granted.Count;
            Move(state, options, tier, now, RuleIds.TierUpgrade, reason, eventId, entries, changes, granted);
            state.TierSince = reached.At;
            changes[^1] = changes[^1] with { ReachedAt = reached.At };
            LedgerBook.DateFrom(state, entries, mark, reached.At);
            GrantedSince(state, granted, grants, reached.At);
            after = reached.At;
        }
    }
}
