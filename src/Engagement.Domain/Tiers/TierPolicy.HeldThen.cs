using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// The tier held when a late event occurred, and whether it was held before a refunded order (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// The ladder rank the member held at <paramref name="at"/> (UTC instant, before the tier moves recorded after it) and
    /// since when: a refund replayed in order is judged against the tier held when it occurred (CONTRACT.md §1.1), not the
    /// one held now. Before the drop that entered the tier held now, that is the tier it left: for a run of grace drops the
    /// run's tier less one level per drop by then (<see cref="MemberState.TierGraceDrop"/>, held since its saved tierSince or
    /// the drop before), for a <c>tier.downgrade.refund</c> the tier before it, as its entry names it (<see cref="LedgerEntry.TierLeft"/>;
    /// one stored without that name: the tier held now less its delta), held since the last tier move dated before it.
    /// Otherwise, and before the instant that tier was entered (or when the ledger no longer has the move that entered it),
    /// the tier held now and tierSince, as before.
    /// </summary>
    private static (int Rank, DateTimeOffset? Since) HeldThen(MemberState state, ProgramOptions options, DateTimeOffset at)
    {
        var rank = Rank(options, Current(state, options));
        if (state.TierSince is not { } entered || at >= entered)
        {
            return (rank, state.TierSince);
        }

        if (state.TierGraceDrop is { Drops.Count: > 0 } saved && Rank(options, saved.Tier) - saved.Drops.Count == rank
            && !(at < saved.TierSince))
        {
            var dropped = saved.Drops.Count(d => d <= at);
            return (Rank(options, saved.Tier) - dropped, dropped == 0 ? saved.TierSince : saved.Drops[dropped - 1]);
        }

        // The tier a refund's drop left was held from the tier move before it; before that, or with no such move kept in the
        // ledger, the tier held then is not known here and the refund is judged as before, against the tier held now. The
        // entry names the tier it left (read by name: a tier added or removed since, or a replayed drop whose delta counts
        // from another tier, would make rank less delta another one); an entry stored before it did is read from its delta.
        // The move before it is the last one dated before it, not the one written before it: a drop replayed in order is
        // written after the live moves dated later than it.
        var last = state.Ledger.FindLastIndex(static e => e.Kind == LedgerKinds.Tier);
        var dropAt = last >= 0 ? state.Ledger[last].EffectiveOccurredAt : default;
        var previous = last > 0 ? state.Ledger.FindLastIndex(last - 1, e => e.Kind == LedgerKinds.Tier && e.EffectiveOccurredAt < dropAt) : -1;
        if (previous >= 0 && state.Ledger[last] is { RuleId: RuleIds.TierDowngradeRefund } drop
            && state.Ledger[previous].EffectiveOccurredAt is var held && at >= held
            && (drop.TierLeft is { } left ? Rank(options, left) : drop.Delta < 0 ? rank - drop.Delta : -1) is var then && then > rank && then < Ladder(options).Count)
        {
            return ((int)then, held);
        }

        return (rank, state.TierSince);
    }

    /// <summary>
    /// Whether a tier held since <paramref name="held"/> (null: unknown, never before an order) was held since before every
    /// order with a refund at <paramref name="ticks"/> (UTC ticks): then that refund does not take the tier (CONTRACT.md §2).
    /// False when no order (kept or summarised) has a refund there: the exception to dropping at once needs an order the
    /// tier was held before.
    /// </summary>
    internal static bool HeldBeforeEveryOrderRefunded(MemberState state, DateTimeOffset? held, long ticks)
    {
        var found = false;
        foreach (var at in state.Orders.Where(o => RefundedAt(o.RefundMarks, ticks)).Select(static o => o.At)
            .Concat(state.OrderSummaries.Where(o => RefundedAt(o.RefundMarks, ticks)).Select(static o => o.At)))
        {
            if (!(held < at))
            {
                return false;
            }

            found = true;
        }

        return found;
    }

    /// <summary>tierSince when the member's last recorded tier move (ledger) was a <c>tier.upgrade</c>; null otherwise.</summary>
    private static DateTimeOffset? EnteredByUpgrade(MemberState state) =>
        state.Ledger.FindLast(static e => e.Kind == LedgerKinds.Tier) is { RuleId: RuleIds.TierUpgrade } ? state.TierSince : null;

    private static bool RefundedAt(List<RefundMark>? marks, long ticks) => marks?.Exists(m => m.At.UtcTicks == ticks) == true;
}
