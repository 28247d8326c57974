using System.Globalization;
using Engagement.Domain.Benefits;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

/// <summary>
/// Tiers by trailing growth. Upgrades happen at once; a refund that takes away the growth a tier
/// stood on drops it at once; growth that merely ages out buys a grace period per level.
/// </summary>
public static partial class TierPolicy
{
    /// <summary>The member's tier; a never-seen member or a tier the options dropped reads as the lowest.</summary>
    public static string Current(MemberState state, ProgramOptions options) =>
        Rank(options, state.Tier) >= 0 ? state.Tier! : Lowest(options);

    public static DateTimeOffset? GraceUntil(MemberState state, ProgramOptions options) =>
        state.TierGraceStartedAt?.AddDays(options.TierGraceDays);

    /// <summary>
    /// The periodic check: upgrades if growth allows, starts the grace when ageing growth has fallen
    /// below the tier, and drops one level per elapsed grace. Drops happen at the instant the grace
    /// ends, and each lower level needs its own full grace, so a late tick reaches the same result.
    /// </summary>
    public static TierDecision Reassess(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var entries = new List<LedgerEntry>();
        var changes = new List<TierChange>();
        var granted = new List<GrantedBenefit>();
        Reassess(state, options, now, entries, changes, granted);
        return new TierDecision { Changes = changes, NewEntries = entries, BenefitsGranted = granted };
    }

    internal static void Reassess(
        MemberState state, ProgramOptions options, DateTimeOffset now,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        EnsurePlaced(state, options, now);
        var ladder = Ladder(options);
        for (var guard = 0; guard <= ladder.Count; guard++)
        {
            var current = Current(state, options);
            var rank = Rank(options, current);
            var growth = GrowthPolicy.TrailingGrowth(state, options, now);
            if (UpgradeIfQualified(state, options, now, growth, eventId: null, entries, changes, granted))
            {
                return;
            }

            var threshold = options.Tiers[current].Threshold;
            if (growth >= threshold || rank == 0)
            {
                state.TierGraceStartedAt = null;
                return;
            }

            state.TierGraceStartedAt ??= GraceStart(state, options, threshold, now);
            // Stored in UTC; read in the member's zone, so the drop's instant and its (stored) reason text stay as they were.
            var started = TimeZoneInfo.ConvertTime(state.TierGraceStartedAt.Value, GrowthPolicy.Zone(state, options));
            var until = started.AddDays(options.TierGraceDays);
            if (now < until)
            {
                return;
            }

            var lower = ladder[rank - 1];
            var growthAtDrop = GrowthPolicy.TrailingGrowth(state, options, until, includeLaterDays: false);
            var graceDays = options.TierGraceDays.ToString(CultureInfo.InvariantCulture);
            var reason = string.Create(
                CultureInfo.InvariantCulture,
                $"{current} → {lower}: trailing growth {growthAtDrop} below {threshold} through the {graceDays}-day grace from {started:yyyy-MM-dd'T'HH:mm:ssK}");
            Move(state, options, lower, until, RuleIds.TierDowngradeGrace, reason, eventId: null, entries, changes, granted);

            // The next level down needs its own full grace, starting no earlier than this drop.
            state.TierGraceStartedAt = growthAtDrop < options.Tiers[lower].Threshold ? until : null;
        }
    }

    /// <summary>
    /// Where a grace that a check finds due began: growth leaves the trailing window at a member-local midnight, so the
    /// grace runs from the start of the first local day whose window no longer reached <paramref name="threshold"/>, not
    /// from the check that noticed it (a reminder later in the day, or days late after an outage), CONTRACT.md §2.
    /// Walks back at most to the day the tier was entered (not at all when that is unknown) and as far as the kept day
    /// buckets still sum a whole window (<see cref="GrowthPolicy.DayBucketsKept"/> less one window: 456 days by default),
    /// not one window only: a first check more than a window late (an outage, a short configured window) would otherwise
    /// date the grace, and the drop at its end, too late. Never later than <paramref name="now"/>; <paramref name="now"/> itself
    /// when no day walked back over had a window at or above <paramref name="threshold"/> (the threshold was raised above
    /// the member's growth): the walk would otherwise date the grace at its limit, up to 456 days back.
    /// </summary>
    private static DateTimeOffset GraceStart(MemberState state, ProgramOptions options, long threshold, DateTimeOffset now) =>
        FellShort(state, options, threshold, now) ?? now;

    /// <summary><see cref="GraceStart"/>, or null when no day walked back over had a window at or above <paramref name="threshold"/>.</summary>
    private static DateTimeOffset? FellShort(MemberState state, ProgramOptions options, long threshold, DateTimeOffset now)
    {
        var zone = GrowthPolicy.Zone(state, options);
        var day = MemberTimeZones.LocalDate(now, zone);
        var floor = day.AddDays(-Math.Max(options.GrowthWindowDays, GrowthPolicy.DayBucketsKept(options) - options.GrowthWindowDays));
        var entered = state.TierSince is { } since ? MemberTimeZones.LocalDate(since, zone) : day;
        if (entered > floor)
        {
            floor = entered;
        }

        var today = day;
        while (day > floor
            && GrowthPolicy.TrailingGrowth(state, options, MemberTimeZones.StartOfDay(day.AddDays(-1), zone), includeLaterDays: false) < threshold)
        {
            day = day.AddDays(-1);
        }

        if (day == floor && day < today)
        {
            // No window from the limit on reached the threshold (an admin raised it): growth never fell short, the tier did.
            return null;
        }

        var start = MemberTimeZones.StartOfDay(day, zone);
        return start < now ? start : now;
    }

    /// <summary>
    /// After growth rose (purchase, behaviour): move up at once if the trailing growth reaches a higher tier. The
    /// member holds the new tier from the event-time instant growth reached it, from <paramref name="cause"/> (the
    /// event that added the growth) on (CONTRACT.md §1.1): a late event's upgrade, and the benefits it grants, are not dated by its arrival. The
    /// last argument is the growth the event added on its own local day: a late event lifts the tier only when it did.
    /// A late event that ended a dip inside a grace the engine has already ended first undoes that drop
    /// (<see cref="UndoGraceDrops"/>: a <c>tier.downgrade.grace.correction</c>, tierSince and benefits restored).
    /// </summary>
    internal static void AfterGrowthGain(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey cause, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted, long added)
    {
        UndoGraceDrops(state, options, now, cause, added, eventId, entries, changes, granted);
        var growth = GrowthPolicy.TrailingGrowth(state, options, now);
        var mark = entries.Count;
        var grants = granted.Count;
        if (UpgradeIfQualified(state, options, now, growth, eventId, entries, changes, granted))
        {
            var reached = GrowthTimeline.Build(state, options).ReachedAt(options.Tiers[Current(state, options)].Threshold, cause);
            state.TierSince = reached is { } at && at < now ? at : now;
            changes[^1] = changes[^1] with { ReachedAt = state.TierSince };
            if (reached is { } since && since < now)
            {
                // The move took effect when growth reached the tier in event time: the cause's own instant, or a later
                // event's when the late cause only completed what that one brought, or when the tier the cause reached
                // was lost through a full grace and that event reached it again (the cause's date would be too early).
                // The tier's benefits came with the move then (§2: granted on entering a tier), not at the arrival.
                LedgerBook.DateFrom(state, entries, mark, since);
                GrantedAsReached(state, options, granted, grants, since, cause);
            }
        }
        else
        {
            var threshold = options.Tiers[Current(state, options)].Threshold;
            if (growth >= threshold)
            {
                state.TierGraceStartedAt = null;
            }

            // Only an event of an earlier local day can have seen growth that has aged out since (most are today's).
            var zone = GrowthPolicy.Zone(state, options);
            if (MemberTimeZones.LocalDate(cause.At, zone) < MemberTimeZones.LocalDate(now, zone))
            {
                // A running grace starts where the window ran short in order: the late growth may have kept it
                // qualified past the day the grace was first dated from (never earlier than that day); a threshold raised since,
                // which no window reached, leaves the running grace as it is.
                if (state.TierGraceStartedAt is { } started && FellShort(state, options, threshold, now) is { } inOrder && inOrder > started)
                {
                    state.TierGraceStartedAt = inOrder;
                }

                UpgradeAsOf(state, options, now, cause, added, eventId, entries, changes, granted);
            }
        }
    }

    /// <summary>
    /// After a refund: if the member qualified for the tier before the refund and no longer does,
    /// the tier drops at once to what the remaining growth supports, so buying up and refunding gains
    /// nothing. A member already short of the tier through ageing stays on the running grace; so does a member who
    /// held the tier before the refunded order (<paramref name="orderAt"/>) and whose grace, as if the order had never
    /// been, still runs: the order had ended that grace, and its refund must not cost the member the rest of it.
    /// </summary>
    /// <remarks>
    /// A late refund (<paramref name="refundAt"/> on an earlier local day) is judged on its own day too: one that occurred
    /// while the member still qualified, the order's growth having aged out since, drops the tier in order at once to what
    /// the growth left then (or now, the higher), with the grace of that tier when it is past too. Judged today alone, the
    /// member kept the tier on grace. One that took the tier on its day is dropped as of that day as well, to what the growth
    /// left then or supports now, the higher (<see cref="DropAtOnce"/>). One that leaves the tier held now is judged in order
    /// too, at its own instant and with the refunds made after it (<see cref="KeptNowReplayedInOrder"/>); when the tier held
    /// now was entered by a late purchase (of the refunded order, made at <paramref name="orderAt"/>, or of an earlier one) on
    /// a move dated after the refund, that move is dated where growth net of the refund reached the tier
    /// (<see cref="KeptCountingOrderRefund"/>).
    /// </remarks>
    internal static void AfterRefund(
        MemberState state, ProgramOptions options, DateTimeOffset now, long growthBefore, string orderId, DateTimeOffset orderAt, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted, DateTimeOffset refundAt, long reversedGrowth)
    {
        var current = Current(state, options);
        var rank = Rank(options, current);
        var growthAfter = GrowthPolicy.TrailingGrowth(state, options, now);
        var qualifiedBefore = Rank(options, Qualifying(options, growthBefore)) >= rank;
        var supported = Qualifying(options, growthAfter);
        if (!qualifiedBefore && rank > 0 && !(state.TierSince is { } held && held < orderAt))
        {
            DropAsOf(state, options, now, orderId, orderAt, eventId, refundAt, reversedGrowth, supported, entries, changes, granted);
            return;
        }

        if (!qualifiedBefore || Rank(options, supported) >= rank)
        {
            if (qualifiedBefore && rank > 0)
            {
                KeptNowReplayedInOrder(state, options, now, refundAt, eventId, entries, changes, granted);
                KeptCountingOrderRefund(state, options, now, orderId, orderAt, refundAt);
            }

            return;
        }

        // Held before the order: the grace it would be on without the order (its growth is already taken back), and
        // when that grace has run out since, the drops it would have had in order, one level per grace (Reassess).
        if (rank > 0 && state.TierSince is { } since && since < orderAt)
        {
            state.TierGraceStartedAt = GraceStart(state, options, options.Tiers[current].Threshold, now);
            Reassess(state, options, now, entries, changes, granted);
            return;
        }

        DropAtOnce(state, options, now, orderId, orderAt, refundAt, eventId, growthAfter, entries, changes, granted);
    }

    /// <summary>
    /// Puts a member into the lowest tier on first sight (held since it was first seen: <see cref="MemberState.TierSince"/>
    /// stays null), or back into it now if the options dropped their tier.
    /// </summary>
    internal static void EnsurePlaced(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        if (Rank(options, state.Tier) < 0)
        {
            state.TierSince = state.Tier is null ? null : now;
            state.Tier = Lowest(options);
            state.TierGraceDrop = null;
            state.TierGraceStartedAt = null;
        }
    }

    private static bool UpgradeIfQualified(
        MemberState state, ProgramOptions options, DateTimeOffset now, long growth, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var current = Current(state, options);
        var qualifying = Qualifying(options, growth);
        if (Rank(options, qualifying) <= Rank(options, current))
        {
            return false;
        }

        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {qualifying}: trailing growth {growth} reached {options.Tiers[qualifying].Threshold}");
        Move(state, options, qualifying, now, RuleIds.TierUpgrade, reason, eventId, entries, changes, granted);
        state.TierGraceStartedAt = null;
        return true;
    }

    /// <summary>
    /// Moves to <paramref name="to"/>; the entry's <see cref="LedgerEntry.TierLeft"/> is <paramref name="left"/> (held in order
    /// before), else the tier held now; its occurredAt is <paramref name="occurredAt"/> when given (a grace drop's is
    /// <paramref name="at"/>), else its cause's.
    /// </summary>
    private static void Move(
        MemberState state, ProgramOptions options, string to, DateTimeOffset at, string ruleId, string reason, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted, string? left = null, DateTimeOffset? occurredAt = null)
    {
        var from = Current(state, options);
        var fromRank = Rank(options, from);
        var toRank = Rank(options, to);
        SaveOrClearGraceDrop(state, options, from, at, ruleId);
        state.Tier = to;
        state.TierSince = at;
        // A grace drop happens at the grace's end, whichever event or tick finds it due; other moves take their cause's time.
        LedgerBook.Append(state, entries, at, LedgerKinds.Tier, toRank - fromRank, toRank + 1, reason, ruleId, eventId,
            occurredAt: ruleId == RuleIds.TierDowngradeGrace ? at : occurredAt, tierLeft: left ?? from);
        changes.Add(new TierChange(from, to, ruleId, at, reason));
        granted.AddRange(BenefitCatalog.OnTierEntered(state, options, to, at));
    }
}
