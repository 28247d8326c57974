using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// A late purchase's upgrade judged again once a refund made before the upgrade's instant arrives (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// When the tier held now was entered by the <c>tier.upgrade</c> a late purchase recorded (<see cref="LateUpgradeOf"/>),
    /// dated at an instant after <paramref name="refundAt"/> (a later purchase completed what the late one brought), and a
    /// refund made before tierSince (that instant, or where a refund kept moved it), of the late purchase's order or of
    /// another one made before it (<paramref name="orderId"/>, made at <paramref name="orderAt"/>), takes the member down to
    /// <paramref name="supported"/> (at or above the tier the upgrade left, below the tier held now): in order the refund
    /// counted before that move, so the member never entered the tier held now and holds <paramref name="supported"/> since
    /// where it held it in order. Returns that instant (UTC, <c>Since</c>), with the late purchase's key and the ladder rank
    /// of the tier the upgrade left (for <see cref="GrantedCountingOrderRefund"/>) and the upgrade entry's date (UTC, <c>Entered</c>:
    /// the drop's entry is dated there, the move it reverses): the tierSince the upgrade replaced when the member held that tier
    /// since before the late purchase, else where trailing growth, net of the refunds made by each instant, reached it from
    /// the late purchase on (<see cref="GrowthTimeline.ReachedAt"/>). Null when the case does not apply or the history does not say (the
    /// lowest tier, the move before the upgrade no longer in the ledger, or growth reaching a tier above
    /// <paramref name="supported"/> between the late purchase and now, net of the refunds made by then: a refund took a tier in
    /// order); the caller then drops the tier at the arrival as before.
    /// </summary>
    private static (DateTimeOffset Since, EventKey Order, int Left, DateTimeOffset Entered)? SinceCountingOrderRefund(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt, string supported)
    {
        if (LateUpgradeOf(state, orderId, orderAt, refundAt) is not ({ } upgrade, var last, var entered, var order) || upgrade.TierLeft is not { } leftName)
        {
            return null;
        }

        var left = Rank(options, leftName);
        var target = Rank(options, supported);
        var held = Rank(options, Current(state, options));
        if (left < 0 || target < left || target >= held || target == 0 || ReachedAbove(state, options, now, order.At, refundAt, target))
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

            if (since < order.At)
            {
                return (since.ToUniversalTime(), order, left, entered);
            }
        }

        return GrowthTimeline.Build(state, options).ReachedAt(options.Tiers[supported].Threshold, order) is { } reached && reached < now
            ? (reached.ToUniversalTime(), order, left, entered)
            : null;
    }

    /// <summary>
    /// After <see cref="SinceCountingOrderRefund"/>'s drop to <paramref name="supported"/>, above the tier the late upgrade
    /// left (ladder rank <paramref name="left"/>): the benefits of the tiers above that one up to <paramref name="supported"/>
    /// came with the upgrade, dated where growth from the late purchase (<paramref name="order"/>) reached each tier on its
    /// growth whole. In order the refund counted before, so each is dated where trailing growth, net of the refunds made by
    /// each instant, reached its own tier from the late purchase on (<see cref="GrowthTimeline.ReachedAt"/>), when that is
    /// before <paramref name="now"/> (stored UTC), as <see cref="GrantedAsReached"/> dates a jump's benefits (CONTRACT.md
    /// §1.1, §2); a dedicated advisor assigned under its first date stays assigned (<see cref="BenefitUses.TierBenefitRedated"/>).
    /// </summary>
    private static void GrantedCountingOrderRefund(MemberState state, ProgramOptions options, DateTimeOffset now, EventKey order, int left, string supported)
    {
        var target = Rank(options, supported);
        GrowthTimeline? timeline = null;
        for (var i = 0; i < state.Benefits.Count; i++)
        {
            var benefit = state.Benefits[i];
            if (Rank(options, benefit.FromTier) is var rank && rank > left && rank <= target
                && (timeline ??= GrowthTimeline.Build(state, options)).ReachedAt(options.Tiers[benefit.FromTier].Threshold, order) is { } reached
                && reached < now && reached != benefit.GrantedAt)
            {
                state.Benefits[i] = benefit with { GrantedAt = reached.ToUniversalTime() };
                BenefitUses.TierBenefitRedated(state, benefit.Code, benefit.GrantedAt, reached.ToUniversalTime());
            }
        }
    }

    /// <summary>
    /// The member's last tier move when it is the <c>tier.upgrade</c> a late purchase recorded (its growth entry, written
    /// with it, has the move's event id; the purchase is the order made at that entry's occurredAt, the refunded order
    /// <paramref name="orderId"/> when it was made then, else the one kept order made then; an entry not dated yet was
    /// written by this event, a purchase applied with the refund it held: the refunded order's), dated at an
    /// instant after the purchase (a later purchase completed what the late one brought) and before the move was recorded;
    /// tierSince at or after that date (a refund kept since then may have moved it later:
    /// <see cref="KeptCountingOrderRefund"/>), and after both <paramref name="refundAt"/> and the refunded order's
    /// <paramref name="orderAt"/> (in order the refund counted before the move; one made before the late purchase, of
    /// another order, counted before it too).
    /// Returns the entry, its ledger index, its date (<c>Entered</c>, UTC) and the late purchase's key. Null otherwise.
    /// </summary>
    private static (LedgerEntry Upgrade, int Index, DateTimeOffset Entered, EventKey Cause)? LateUpgradeOf(
        MemberState state, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt)
    {
        var last = state.Ledger.FindLastIndex(static e => e.Kind == LedgerKinds.Tier);
        if (last < 0 || state.Ledger[last] is not { RuleId: RuleIds.TierUpgrade, EventId: { } cause } upgrade || state.TierSince is not { } since
            || upgrade.EffectiveOccurredAt is var entered && (since < entered || !(upgrade.At > entered))
            || !(refundAt < since) || !(orderAt < since)
            || state.Ledger.FindLast(e => e.RuleId == RuleIds.GrowthPurchase && string.Equals(e.EventId, cause, StringComparison.Ordinal)) is not { } growth
            || (growth.OccurredAt ?? orderAt) is var bought && !(bought < entered))
        {
            return null;
        }

        if (bought == orderAt)
        {
            return (upgrade, last, entered.ToUniversalTime(), new EventKey(orderAt, orderId));
        }

        var orders = state.Orders.FindAll(o => o.At == bought);
        return orders.Count == 1 ? (upgrade, last, entered.ToUniversalTime(), GrowthTimeline.OrderKey(orders[0])) : null;
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
    /// A late refund of order <paramref name="orderId"/> (the late purchase's, or another made before tierSince) that leaves
    /// the member on the tier held now, when that tier was entered by the upgrade a late purchase recorded, dated after the
    /// refund (<see cref="LateUpgradeOf"/>): in order the refund counted before that move, so the member reached the tier
    /// where trailing growth, net of the refunds made by each instant, reached it from the late purchase on
    /// (<see cref="GrowthTimeline.ReachedAt"/>, CONTRACT.md
    /// §1.1, §2). When that is later than tierSince (and before <paramref name="now"/>), tierSince moves there (UTC), and so
    /// does the grant date of each benefit of that tier dated at tierSince (the upgrade's instant, or where an earlier refund
    /// kept moved it: a later refund is judged against tierSince, not the entry's date): a dedicated advisor
    /// assigned under its first date stays assigned (<see cref="BenefitUses.TierBenefitRedated"/>). No tier entry is
    /// written: the tier does not move, the upgrade's entry stands, dated where it was recorded (tierSince is then later than
    /// it). Nothing changes when a tier above it was reached in between (<see cref="ReachedAbove"/>) or the history does not
    /// say.
    /// </summary>
    private static void KeptCountingOrderRefund(
        MemberState state, ProgramOptions options, DateTimeOffset now, string orderId, DateTimeOffset orderAt, DateTimeOffset refundAt)
    {
        var tier = Current(state, options);
        var rank = Rank(options, tier);
        if (rank <= 0 || state.TierSince is not { } since || LateUpgradeOf(state, orderId, orderAt, refundAt) is not (_, _, _, var order)
            || ReachedAbove(state, options, now, order.At, refundAt, rank)
            || GrowthTimeline.Build(state, options).ReachedAt(options.Tiers[tier].Threshold, order) is not { } reached
            || !(reached > since) || !(reached < now))
        {
            return;
        }

        var to = reached.ToUniversalTime();
        state.TierSince = to;
        for (var i = 0; i < state.Benefits.Count; i++)
        {
            if (state.Benefits[i] is var benefit && string.Equals(benefit.FromTier, tier, StringComparison.Ordinal) && benefit.GrantedAt == since)
            {
                state.Benefits[i] = benefit with { GrantedAt = to };
                BenefitUses.TierBenefitRedated(state, benefit.Code, since, to);
            }
        }
    }
}
