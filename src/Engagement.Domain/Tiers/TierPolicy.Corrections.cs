using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// A late event that, in event time, ended a dip inside a grace the engine has already ended (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>
    /// Undoes the member's latest recorded <c>tier.downgrade.grace</c> moves (newest first) that took effect after the
    /// late event at <paramref name="cause"/> and that, with its growth, would not have happened in event time: the tier
    /// was still held just before the drop's instant (<see cref="GrowthTimeline.TierHeldBefore"/>, the grace counted).
    /// CONTRACT.md §1.1: a late event has the effect it would have had in order, and what was already recorded is
    /// corrected by an entry, not rewritten: one <c>tier.downgrade.grace.correction</c> tier entry (dated at the late
    /// event's <c>occurredAt</c> by the caller, its reason naming the late event and the drops undone) moves the member
    /// back to the tier it held before them, <see cref="MemberState.TierSince"/> back to the instant it entered that tier
    /// (the ledger's move before the first drop undone), and the benefits the drops took restored with that date, not
    /// granted anew (nothing in <c>granted</c>: in order the member never lost them, CONTRACT.md §2 "granted on entering
    /// a tier"). The grace is then judged as of <paramref name="now"/>: none when growth reaches the tier, otherwise the
    /// one that ran out in order drops the tier again at its own end (<see cref="Reassess(MemberState, ProgramOptions, DateTimeOffset)"/>).
    /// </summary>
    /// <remarks>
    /// Nothing is undone when the tier entry before a drop is no longer in the member's recent ledger (trimmed): its entry
    /// instant is unknown, and the late event is applied as before (an upgrade dated by <see cref="GrowthTimeline.ReachedAt"/>).
    /// The check reads the timeline net of every refund recorded now, so a refund made after a drop can only keep the drop.
    /// </remarks>
    /// <returns>True when some drop was undone.</returns>
    private static bool UndoGraceDrops(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey cause, long added, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        // The latest tier move set tierSince: a drop after the late event is possible only when tierSince is after it too.
        if (added <= 0 || state.TierSince is not { } held || held <= cause.At)
        {
            return false;
        }

        var current = Current(state, options);
        var rank = Rank(options, current);
        var ladder = Ladder(options);
        GrowthTimeline? timeline = null;
        var undone = new List<LedgerEntry>();
        var restored = rank;
        DateTimeOffset? since = null;
        for (var i = state.Ledger.Count - 1; i >= 0; i--)
        {
            var entry = state.Ledger[i];
            if (entry.Kind != LedgerKinds.Tier)
            {
                continue;
            }

            var to = (int)entry.BalanceAfter - 1;
            var from = to - (int)entry.Delta;
            if (entry.RuleId == RuleIds.TierDowngradeGrace && to == restored && from > to && from < ladder.Count
                && entry.EffectiveOccurredAt > cause.At)
            {
                timeline ??= GrowthTimeline.Build(state, options);
                if (Rank(options, timeline.TierHeldBefore(new EventKey(entry.EffectiveOccurredAt, ""))) >= from)
                {
                    undone.Add(entry);
                    restored = from;
                    continue;
                }
            }

            // The move before the earliest drop undone: the member entered the tier restored then.
            since = undone.Count > 0 && to == restored ? entry.EffectiveOccurredAt : null;
            break;
        }

        if (since is not { } entered)
        {
            return false;
        }

        var tier = ladder[restored];
        var drops = string.Join(", ", undone.Select(static d => d.EffectiveOccurredAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)));
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {tier}: grace drop of {drops} undone: late event {eventId} that occurred {cause.At:yyyy-MM-dd'T'HH:mm:ssK} kept {tier} within the grace; held since {entered:yyyy-MM-dd'T'HH:mm:ssK}");
        var ruleId = RuleIds.CorrectionOf(RuleIds.TierDowngradeGrace);
        state.Tier = tier;
        state.TierSince = entered;
        LedgerBook.Append(state, entries, now, LedgerKinds.Tier, restored - rank, restored + 1, reason, ruleId, eventId);
        changes.Add(new TierChange(current, tier, ruleId, now, reason));

        // Restored, not granted: the member held them since it entered the tier (what the drops removed, at that date).
        _ = BenefitCatalog.OnTierEntered(state, options, tier, entered);

        var threshold = options.Tiers[tier].Threshold;
        state.TierGraceStartedAt = GrowthPolicy.TrailingGrowth(state, options, now) >= threshold ? null : GraceStart(state, options, threshold, now);
        if (state.TierGraceStartedAt is not null)
        {
            Reassess(state, options, now, entries, changes, granted);
        }

        return true;
    }
}
