using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
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
        if (LateUpgradeOf(state, orderId, orderAt, refundAt) is not ({ } upgrade, var last, var entered) || upgrade.TierLeft is not { } leftName)
        {
            return null;
        }

        var left = Rank(options, leftName);
        var target = Rank(options, supported);
        var held = Rank(options, Current(state, options));
        if (left < 0 || target < left || target >= held || target == 0 || ReachedAbove(state, options, now, orderAt, refundAt, target))
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

    /// <summary>
    /// The member's last tier move when it is the <c>tier.upgrade</c> a late purchase of order <paramref name="orderId"/>
    /// (made at <paramref name="orderAt"/>) recorded (its growth entry, written with it, names the order), dated at tierSince,
    /// an instant after both the order and <paramref name="refundAt"/> (a later purchase completed what the late one
    /// brought) and before the move was recorded: the entry, its ledger index and that instant. Null otherwise.
    /// </summary>
    private static (LedgerEntry Upgrade, int Index, DateTimeOffset Entered)? LateUpgradeOf(
        MemberState state, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt)
    {
        var last = state.Ledger.FindLastIndex(static e => e.Kind == LedgerKinds.Tier);
        if (last < 0 || state.Ledger[last] is not { RuleId: RuleIds.TierUpgrade } upgrade || state.TierSince is not { } entered
            || upgrade.EffectiveOccurredAt != entered || !(upgrade.At > entered) || !(refundAt < entered) || !(orderAt < entered)
            || upgrade.EventId is not { } cause)
        {
            return null;
        }

        var prefix = $"purchase {orderId} ";
        return state.Ledger.Exists(e => e.RuleId == RuleIds.GrowthPurchase && string.Equals(e.EventId, cause, StringComparison.Ordinal)
                && e.Reason.StartsWith(prefix, StringComparison.Ordinal))
            ? (upgrade, last, entered)
            : null;
    }

    /// <summary>
    /// Whether trailing growth reached the tier above ladder rank <paramref name="rank"/> between the order (made at
    /// <paramref name="orderAt"/>) and <paramref name="now"/>: before <paramref name="refundAt"/> net of the refunds made before
    /// it, from it on net of all. Then in order a refund took that tier somewhere, which the callers do not replay. False on
    /// the highest tier.
    /// </summary>
    private static bool ReachedAbove(MemberState state, ProgramOptions options, DateTimeOffset now, DateTimeOffset orderAt, DateTimeOffset refundAt, int rank)
    {
        var ladder = Ladder(options);
        if (rank + 1 >= ladder.Count)
        {
            return false;
        }

        var above = options.Tiers[ladder[rank + 1]].Threshold;
        return GrowthTimeline.Build(state, options, refundsBy: refundAt.AddTicks(-1)).FirstReaching(above, orderAt.AddTicks(-1), refundAt) is not null
            || GrowthTimeline.Build(state, options).FirstReaching(above, refundAt, now.AddTicks(1)) is not null;
    }

    /// <summary>
    /// A late refund of order <paramref name="orderId"/> that leaves the member on the tier held now, when that tier was
    /// entered by the upgrade a late purchase of the order recorded, dated after the refund (<see cref="LateUpgradeOf"/>):
    /// in order the refund counted before that move, so the member reached the tier where trailing growth, net of the
    /// refunds made by each instant, reached it from the order on (<see cref="GrowthTimeline.ReachedAt"/>, CONTRACT.md
    /// §1.1, §2). When that is later than tierSince (and before <paramref name="now"/>), tierSince moves there (UTC), and so
    /// does the grant date of each benefit of that tier the upgrade granted (dated at the upgrade's instant): a dedicated
    /// advisor assigned under its first date stays assigned (<see cref="BenefitUses.TierBenefitRedated"/>). No tier entry is
    /// written: the tier does not move, the upgrade's entry stands. Nothing changes when a tier above it was reached in
    /// between (<see cref="ReachedAbove"/>) or the history does not say.
    /// </summary>
    private static void KeptCountingOrderRefund(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt)
    {
        var tier = Current(state, options);
        var rank = Rank(options, tier);
        if (rank <= 0 || LateUpgradeOf(state, orderId, orderAt, refundAt) is not (_, _, var entered)
            || ReachedAbove(state, options, now, orderAt, refundAt, rank)
            || GrowthTimeline.Build(state, options).ReachedAt(options.Tiers[tier].Threshold, new EventKey(orderAt, orderId)) is not { } reached
            || !(reached > entered) || !(reached < now))
        {
            return;
        }

        var since = reached.ToUniversalTime();
        state.TierSince = since;
        for (var i = 0; i < state.Benefits.Count; i++)
        {
            if (state.Benefits[i] is var benefit && string.Equals(benefit.FromTier, tier, StringComparison.Ordinal) && benefit.GrantedAt == entered)
            {
                state.Benefits[i] = benefit with { GrantedAt = since };
                BenefitUses.TierBenefitRedated(state, benefit.Code, entered, since);
            }
        }
    }
}
