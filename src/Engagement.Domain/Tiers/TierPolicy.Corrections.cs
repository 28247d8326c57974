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
    /// Undoes the newest drops of the member's saved run of <c>tier.downgrade.grace</c> moves (<see cref="MemberState.TierGraceDrop"/>)
    /// that took effect after the late event at <paramref name="cause"/> and that, with its growth, would not have happened
    /// in event time: the tier was still held just before the drop's instant (<see cref="GrowthTimeline.TierHeldBefore"/>,
    /// the grace counted). CONTRACT.md §1.1: a late event has the effect it would have had in order, and what was already
    /// recorded is corrected by an entry, not rewritten: one <c>tier.downgrade.grace.correction</c> tier entry (dated at the
    /// late event's <c>occurredAt</c> by the caller, its reason naming the late event and the drops undone) moves the member
    /// back, <see cref="MemberState.TierSince"/> back to what it was before the first drop undone (saved, not read from the
    /// ledger, so a trimmed ledger or an earlier correction does not change it), and the benefits the drops took put back
    /// exactly as they were, grant dates included, not granted anew (nothing in <c>granted</c>: in order the member never
    /// lost them, CONTRACT.md §2 "granted on entering a tier"; the set held just before the first drop undone, whether
    /// that is the run's first drop or a later one, so a benefit enabled since is not granted by the undo). The grace is then judged as of <paramref name="now"/>: none
    /// when growth reaches the tier, otherwise the one that ran out in order drops the tier again at its own end
    /// (<see cref="Reassess(MemberState, ProgramOptions, DateTimeOffset)"/>, which saves that drop in turn).
    /// </summary>
    /// <remarks>
    /// Nothing is undone without a saved run (a state stored before it was kept, or a drop followed by another tier move):
    /// the late event is applied as before (an upgrade dated by <see cref="GrowthTimeline.ReachedAt"/>). The check at each
    /// drop reads the growth as of the drop's instant, net of the refunds that occurred by then only (a refund applied
    /// earlier but made after the drop, after the late event too, is not counted at it); such a later refund is judged where
    /// it occurred once the drop is undone (<see cref="RefundDropsSince"/>).
    /// </remarks>
    /// <returns>True when some drop was undone.</returns>
    private static bool UndoGraceDrops(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey cause, long added, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        if (added <= 0 || state.TierGraceDrop is not { Drops.Count: > 0 } saved)
        {
            return false;
        }

        var current = Current(state, options);
        var rank = Rank(options, current);
        var savedRank = Rank(options, saved.Tier);
        if (savedRank < 0 || savedRank - saved.Drops.Count != rank)
        {
            // Stale (the ladder changed since): nothing known to undo.
            state.TierGraceDrop = null;
            return false;
        }

        var keep = saved.Drops.Count;
        var ticks = RefundInstants.Of(state);
        GrowthTimeline? timeline = null;
        var counted = -1;
        for (var j = saved.Drops.Count - 1; j >= 0 && saved.Drops[j] > cause.At; j--)
        {
            // As of the drop's instant: net of the refunds made by then only. One made after it took its growth when it
            // occurred (RefundDropsSince below), not at a drop before it. Rebuilt only when that count of refunds changes.
            var by = RefundInstants.CountAtOrBefore(ticks, saved.Drops[j].UtcTicks);
            if (timeline is null || by != counted)
            {
                timeline = GrowthTimeline.Build(state, options, refundsBy: saved.Drops[j]);
                counted = by;
            }

            if (Rank(options, timeline.TierHeldBefore(new EventKey(saved.Drops[j], ""))) < savedRank - j)
            {
                break;
            }

            keep = j;
        }

        if (keep == saved.Drops.Count)
        {
            return false;
        }

        var restored = savedRank - keep;
        var tier = Ladder(options)[restored];
        DateTimeOffset? entered = keep == 0 ? saved.TierSince : saved.Drops[keep - 1];
        var drops = string.Join(", ", saved.Drops.Skip(keep).Select(static d => d.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)));
        var held = entered is { } e ? e.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture) : "first seen";
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {tier}: grace drop of {drops} undone: late event {eventId} that occurred {cause.At:yyyy-MM-dd'T'HH:mm:ssK} kept {tier} within the grace; held since {held}");
        var ruleId = RuleIds.CorrectionOf(RuleIds.TierDowngradeGrace);
        state.Tier = tier;
        state.TierSince = entered;
        state.TierGraceDrop = keep == 0 ? null : saved with { Drops = [.. saved.Drops.Take(keep)], LaterBenefits = [.. saved.LaterBenefits.Take(keep - 1)] };
        LedgerBook.Append(state, entries, now, LedgerKinds.Tier, restored - rank, restored + 1, reason, ruleId, eventId, tierLeft: current);
        changes.Add(new TierChange(current, tier, ruleId, now, reason));

        // Restored, not granted: the benefits held just before the first drop undone, exactly as they were. In order the
        // member never left the tier, so a benefit enabled for it since (between the drops, or after them) was never
        // granted by entering it (CONTRACT.md §2) and is not granted now either.
        // One disabled or deleted since the drop is not put back either.
        state.Benefits.Clear();
        state.Benefits.AddRange(HeldBefore(saved, keep, options, tier));
        RefundDropsSince(state, options, now, saved.Drops[keep], eventId, entries, changes, granted);

        var threshold = options.Tiers[Current(state, options)].Threshold;
        state.TierGraceStartedAt = GrowthPolicy.TrailingGrowth(state, options, now) >= threshold ? null : GraceStartInOrder(state, options, threshold, now);
        if (state.TierGraceStartedAt is not null)
        {
            Reassess(state, options, now, entries, changes, granted);
        }

        return true;
    }

    /// <summary>
    /// After <see cref="UndoGraceDrops"/> put the member back on the tier held through <paramref name="since"/> (the first
    /// drop undone): a refund applied before the late event that occurred after that instant took its growth in order when
    /// it occurred, and is judged again as <see cref="AfterRefund"/> judged it then (CONTRACT.md §2: a refund reverses its
    /// growth and the tier is recomputed at once, no grace), oldest first (<see cref="LaterRefundDrops"/>): it drops the
    /// tier there only when it took the growth the tier stood on (growth just before its instant reached the tier and just
    /// after it no longer did) and the member did not hold the tier since before every order it refunded (then the grace
    /// the member would be on without the order runs instead, judged by the caller: <see cref="GraceStartInOrder"/>). A
    /// refund of growth that had aged out already, made while the member was on the tier's grace, takes nothing it stood on.
    /// </summary>
    private static void RefundDropsSince(
        MemberState state, ProgramOptions options, DateTimeOffset now, DateTimeOffset since, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted) =>
        LaterRefundDrops(state, options, now, since, eventId, entries, changes, granted, undone: true);

    /// <summary>
    /// Where the grace of the tier of <paramref name="threshold"/> (growth points) began in order, as of
    /// <paramref name="now"/>: <see cref="GraceStart"/>'s walk back over member-local days, each day's window read net of
    /// the refunds made by that day's end only (a refund made after growth aged out took nothing from the days before it:
    /// the grace runs from where ageing left the window short). A day whose own refunds took a window that reached the
    /// threshold below it (the member held the tier since before the order, or it would have dropped there:
    /// <see cref="AfterRefund"/>) starts the grace the member would be on without the order: from there back, those refunds
    /// count on every earlier day. <paramref name="now"/> when no day walked back over reached the threshold.
    /// </summary>
    private static DateTimeOffset GraceStartInOrder(MemberState state, ProgramOptions options, long threshold, DateTimeOffset now)
    {
        var zone = GrowthPolicy.Zone(state, options);
        var today = MemberTimeZones.LocalDate(now, zone);
        var floor = today.AddDays(-Math.Max(options.GrowthWindowDays, GrowthPolicy.DayBucketsKept(options) - options.GrowthWindowDays));
        if (state.TierSince is { } since && MemberTimeZones.LocalDate(since, zone) > floor)
        {
            floor = MemberTimeZones.LocalDate(since, zone);
        }

        var ticks = RefundInstants.Of(state, now);
        var counted = long.MinValue; // refunds made by this instant (UTC ticks) count on every day walked back over
        GrowthTimeline? view = null;
        var made = -1;
        var day = today;
        while (day > floor)
        {
            var previousEnd = MemberTimeZones.StartOfDay(day, zone).AddTicks(-1).UtcTicks;
            if (Window(Math.Max(previousEnd, counted)) < threshold)
            {
                day = day.AddDays(-1);
                continue;
            }

            // The day before reached the threshold: did this day's refunds take it below (not ageing at its midnight)?
            var dayEnd = Math.Min(MemberTimeZones.StartOfDay(day.AddDays(1), zone).AddTicks(-1).UtcTicks, now.UtcTicks);
            if (dayEnd > counted && RefundInstants.CountAtOrBefore(ticks, dayEnd) > RefundInstants.CountAtOrBefore(ticks, Math.Max(previousEnd, counted))
                && Window(dayEnd) < threshold)
            {
                counted = dayEnd;
                continue;
            }

            break;
        }

        if (day == floor && day < today)
        {
            return now;
        }

        var start = MemberTimeZones.StartOfDay(day, zone);
        return start < now ? start : now;

        // The window of the day before `day`, net of the refunds made by `by` (UTC ticks); rebuilt when their count changes.
        long Window(long by)
        {
            var n = RefundInstants.CountAtOrBefore(ticks, by);
            if (view is null || n != made)
            {
                view = GrowthTimeline.Build(state, options, refundsBy: new DateTimeOffset(by, TimeSpan.Zero));
                made = n;
            }

            return view.GrowthThrough(day.AddDays(-1));
        }
    }

    /// <summary>
    /// The benefits held just before drop <paramref name="index"/> of the saved run, as they were (for a run saved before
    /// <see cref="TierGraceDrop.LaterBenefits"/> was kept, those held before its first drop), less any the configuration no
    /// longer lists for <paramref name="tier"/> (<see cref="BenefitCatalog.For"/>: disabled, deleted or moved up since).
    /// </summary>
    private static IEnumerable<GrantedBenefit> HeldBefore(TierGraceDrop saved, int index, ProgramOptions options, string tier)
    {
        var held = index > 0 && index - 1 < saved.LaterBenefits.Count ? saved.LaterBenefits[index - 1] : saved.Benefits;
        var carried = BenefitCatalog.For(options, tier).Select(static b => b.Code).ToHashSet(StringComparer.Ordinal);
        return held.Where(b => carried.Contains(b.Code));
    }

    /// <summary>
    /// Keeps <see cref="MemberState.TierGraceDrop"/> in step with a tier move about to be recorded (from <paramref name="from"/>,
    /// at <paramref name="at"/>): a grace drop right after the saved run's last one joins it (with the benefits held just
    /// before it); a first grace drop saves the tier, tierSince and benefits held now; any other move clears it (the saved run is stale once the member moved otherwise).
    /// </summary>
    private static void SaveOrClearGraceDrop(MemberState state, ProgramOptions options, string from, DateTimeOffset at, string ruleId)
    {
        if (!string.Equals(ruleId, RuleIds.TierDowngradeGrace, StringComparison.Ordinal))
        {
            state.TierGraceDrop = null;
            return;
        }

        if (state.TierGraceDrop is { } saved && Rank(options, saved.Tier) - saved.Drops.Count == Rank(options, from))
        {
            // Only while aligned with the drops (a run saved before LaterBenefits existed is not).
            if (saved.LaterBenefits.Count == saved.Drops.Count - 1)
            {
                saved.LaterBenefits.Add([.. state.Benefits]);
            }

            saved.Drops.Add(at);
            return;
        }

        state.TierGraceDrop = new TierGraceDrop { Tier = from, TierSince = state.TierSince, Benefits = [.. state.Benefits], Drops = [at] };
    }
}
