using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// A refund's tier drop at once, dated where the refund occurred (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// <see cref="AfterRefund"/>'s drop at once of a member who qualified for the tier before the refund and no longer does:
    /// to the tier growth now supports, held since the refund's occurredAt (as its entry is dated, CONTRACT.md §1.1) when the
    /// member held the tier then, else since <paramref name="now"/> (stored as a UTC instant). A late refund (on an earlier local day) made while the
    /// member held the tier is judged as of its day, as <see cref="DropAsOf"/> judges one: the member moves to what the growth
    /// left then (refunds by the end of that day) or supports now, the higher, held since the refund, on that tier's grace as
    /// it ran in order when growth has aged out since (<see cref="GraceAfterReplay"/>); one that left the tier then moves nothing.
    /// A late refund dated before the instant the tier held now was entered (on an earlier day or earlier on the same day: the
    /// moves are replayed by exact instant), when the tier moves dated around it say the
    /// member held a higher tier then (a drop after it entered the tier held now: <see cref="HeldThen"/>), is judged in order
    /// as a replayed refund is (<see cref="LaterRefundDrops"/>): against that tier at its own instant, the refunds after it
    /// with it counted, each drop dated where it occurred (tierSince that instant, UTC), then the grace as it ran
    /// (<see cref="GraceAfterReplay"/>). Only when that finds no drop does it fall back to the drop at once dated now; held
    /// since then unless the tier held now was entered by the upgrade a late purchase (of this order, made at
    /// <paramref name="orderAt"/>, or of an earlier one) recorded, the refund made before tierSince: then since where the
    /// member held the tier it drops to in order, the refund counted before that move (<see cref="SinceCountingOrderRefund"/>),
    /// and the benefits the upgrade granted of the tiers it keeps dated where each was reached so (<see cref="GrantedCountingOrderRefund"/>);
    /// the drop's entry is then dated at the upgrade's date (the move it reverses), not at the refund's occurredAt.
    /// </summary>
    private static void DropAtOnce(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt, string? eventId,
        long growthAfter, List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var current = Current(state, options);
        var supported = Qualifying(options, growthAfter);
        var heldThen = !(refundAt < state.TierSince);
        var zone = GrowthPolicy.Zone(state, options);
        var refundDay = MemberTimeZones.LocalDate(refundAt, zone);
        if (!heldThen && (HeldThen(state, options, refundAt).Rank > Rank(options, current)
                && LaterRefundDrops(state, options, now, refundAt.AddTicks(-1), eventId, entries, changes, granted)
            || LaterRefundDrops(state, options, now, refundAt.AddTicks(-1), eventId, entries, changes, granted, history: true)))
        {
            // Before the drop that entered the tier held now the member held a higher tier, or the tier held then was left
            // and entered again by later moves (two drops, a drop and an upgrade, an upgrade into the tier held now): judged
            // against it where it occurred, and the moves after it replayed, not dropped at its arrival.
            GraceAfterReplay(state, options, now, entries, changes, granted);
            return;
        }

        if (heldThen && refundDay < MemberTimeZones.LocalDate(now, zone))
        {
            var endOfDay = MemberTimeZones.StartOfDay(refundDay.AddDays(1), zone).AddTicks(-1);
            var thenAfter = GrowthTimeline.Build(state, options, refundsBy: endOfDay).GrowthThrough(refundDay);
            var leftThen = Qualifying(options, thenAfter);
            if (Rank(options, leftThen) < Rank(options, current))
            {
                var target = Rank(options, leftThen) > Rank(options, supported) ? leftThen : supported;
                var late = string.Create(
                    CultureInfo.InvariantCulture,
                    $"{current} → {target}: refund on order {orderId} at {refundAt:yyyy-MM-dd'T'HH:mm:ssK} (a late event) left trailing growth {thenAfter} below {options.Tiers[current].Threshold}");
                Move(state, options, target, now, RuleIds.TierDowngradeRefund, late, eventId, entries, changes, granted);
                state.TierSince = refundAt.ToUniversalTime();
            }

            GraceAfterReplay(state, options, now, entries, changes, granted);
            return;
        }

        // The upgrade into the tier held now was a late purchase's, dated (tierSince) after this refund: in order
        // the refund counted before it, so the member holds the tier it leaves it on since where it held it in order.
        var inOrder = heldThen ? null : SinceCountingOrderRefund(state, options, now, orderId, orderAt, refundAt, supported);
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {supported}: refund on order {orderId} left trailing growth {growthAfter} below {options.Tiers[current].Threshold}");
        // Counted before the upgrade in order, the drop reverses that move: its entry is dated at the upgrade's date, not at
        // the refund's occurredAt before it, so the tier entries read in date order.
        Move(state, options, supported, now, RuleIds.TierDowngradeRefund, reason, eventId, entries, changes, granted, occurredAt: inOrder?.Entered);
        state.TierGraceStartedAt = null;
        state.TierSince = inOrder?.Since ?? (refundAt < now && heldThen ? refundAt : now).ToUniversalTime();
        if (inOrder is { } counted)
        {
            GrantedCountingOrderRefund(state, options, now, counted.Order, counted.Left, supported);
        }
    }

    /// <summary>
    /// The ladder rank held just before <paramref name="at"/> (a UTC instant) by the tier moves the ledger records, and since
    /// when (CONTRACT.md §1.1: a late refund is judged against the tier held when it occurred): the tier the earliest move
    /// dated after it left (<see cref="LedgerEntry.TierLeft"/>), held since the latest move dated at or before it, however
    /// many moves are dated after it (drops, upgrades, a replayed entry). <see cref="HeldThen"/> when the ledger does not say
    /// (no move after it, an entry stored without the tier it left, or no move kept before it).
    /// </summary>
    private static (int Rank, DateTimeOffset? Since) HeldInHistory(MemberState state, ProgramOptions options, DateTimeOffset at)
    {
        LedgerEntry? next = null;
        DateTimeOffset? since = null;
        foreach (var entry in state.Ledger)
        {
            if (entry.Kind != LedgerKinds.Tier)
            {
                continue;
            }

            var when = entry.EffectiveOccurredAt;
            if (when > at)
            {
                next = next is null || when < next.EffectiveOccurredAt ? entry : next;
            }
            else if (!(since >= when))
            {
                since = when;
            }
        }

        return next?.TierLeft is { } left && Rank(options, left) is var rank and >= 0 && since is not null
            ? (rank, since)
            : HeldThen(state, options, at);
    }
}
