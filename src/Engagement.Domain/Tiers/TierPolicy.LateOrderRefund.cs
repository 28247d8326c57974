using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// A late purchase's upgrade judged again once a refund of its order, made before the upgrade's instant, arrives (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// When the tier held now was entered by the <c>tier.upgrade</c> a late purchase of order <paramref name="orderId"/>
    /// (made at <paramref name="orderAt"/>) recorded, dated at an instant after <paramref name="refundAt"/> (a later purchase
    /// completed what the late one brought), and a refund of that order made before that instant takes the member down to
    /// <paramref name="supported"/> (at or above the tier the upgrade left, below the tier held now): in order the refund
    /// counted before that move, so the member never entered the tier held now and holds <paramref name="supported"/> since
    /// where it held it in order. Returns that instant (UTC): the tierSince the upgrade replaced when the member held that tier
    /// since before the order, else where trailing growth, net of the refunds made by each instant, reached it from the order
    /// on (<see cref="GrowthTimeline.ReachedAt"/>). Null when the case does not apply or the history does not say (the
    /// lowest tier, the move before the upgrade no longer in the ledger, or growth reaching a tier above
    /// <paramref name="supported"/> between the order and now, net of the refunds made by then: a refund took a tier in
    /// order); the caller then drops the tier at the arrival as before.
    /// </summary>
    private static DateTimeOffset? SinceCountingOrderRefund(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt, string supported)
    {
        var last = state.Ledger.FindLastIndex(static e => e.Kind == LedgerKinds.Tier);
        if (last < 0 || state.Ledger[last] is not { RuleId: RuleIds.TierUpgrade } upgrade || state.TierSince is not { } entered
            || upgrade.EffectiveOccurredAt != entered || !(upgrade.At > entered) || !(refundAt < entered) || !(orderAt < entered)
            || upgrade.EventId is not { } cause || upgrade.TierLeft is not { } leftName)
        {
            return null;
        }

        // The upgrade is the late purchase's own: its growth entry, written with it, names this order.
        var prefix = $"purchase {orderId} ";
        if (!state.Ledger.Exists(e => e.RuleId == RuleIds.GrowthPurchase && string.Equals(e.EventId, cause, StringComparison.Ordinal)
                && e.Reason.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return null;
        }

        var left = Rank(options, leftName);
        var target = Rank(options, supported);
        var held = Rank(options, Current(state, options));
        if (left < 0 || target < left || target >= held || target == 0)
        {
            return null;
        }

        // A tier above the one supported reached between the order and now (before the refund, net of the refunds made
        // before it; after it, net of all): in order a refund took that tier somewhere, which this does not replay.
        var above = options.Tiers[Ladder(options)[target + 1]].Threshold;
        if (GrowthTimeline.Build(state, options, refundsBy: refundAt.AddTicks(-1)).FirstReaching(above, orderAt.AddTicks(-1), refundAt) is not null
            || GrowthTimeline.Build(state, options).FirstReaching(above, refundAt, now.AddTicks(1)) is not null)
        {
            return null;
        }

        if (target == left)
        {
            // The tier the upgrade left, and since when it was held: the latest move dated at or before the upgrade, of those
            // written before it. Held since before the order: the refund did not take it (nothing above it was reached).
            DateTimeOffset? before = null;
            for (var i = 0; i < last; i++)
            {
                if (state.Ledger[i] is { Kind: LedgerKinds.Tier } move && move.EffectiveOccurredAt <= entered && !(before >= move.EffectiveOccurredAt))
                {
                    before = move.EffectiveOccurredAt;
                }
            }

            if (before is not { } since)
            {
                return null;
            }

            if (since < orderAt)
            {
                return since.ToUniversalTime();
            }
        }

        var order = new EventKey(orderAt, orderId);
        return GrowthTimeline.Build(state, options).ReachedAt(options.Tiers[supported].Threshold, order) is { } reached && reached < now
            ? reached.ToUniversalTime()
            : null;
    }
}
