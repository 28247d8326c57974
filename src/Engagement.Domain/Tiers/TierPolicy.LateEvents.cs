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
    /// A late event that lifted growth to a higher tier on its own day, growth that has aged out of the window since:
    /// in order the member moved up then and is on that tier's grace now (CONTRACT.md §1.1, §2), or has dropped one level
    /// per grace run out since (as <c>Reassess</c> does). Judged today alone, it stayed on the lower tier.
    /// </summary>
    private static void UpgradeAsOf(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventKey cause, long added, string? eventId,
        List<LedgerEntry> entries, List<TierChange> changes, List<GrantedBenefit> granted)
    {
        var current = Current(state, options);
        var then = GrowthPolicy.TrailingGrowth(state, options, cause.At, includeLaterDays: false);
        var qualifying = Qualifying(options, then);

        // The event must be what reached the tier: one the day already qualified without lifted nothing in order (the
        // tier and the grace it had were played out by the ticks).
        if (Rank(options, qualifying) <= Rank(options, current) || Rank(options, Qualifying(options, then - added)) >= Rank(options, qualifying))
        {
            return;
        }

        var threshold = options.Tiers[qualifying].Threshold;
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {qualifying}: trailing growth {then} reached {threshold} at {cause.At:yyyy-MM-dd'T'HH:mm:ssK} (a late event); it has aged out since");
        Move(state, options, qualifying, now, RuleIds.TierUpgrade, reason, eventId, entries, changes, granted);
        var reached = GrowthTimeline.Build(state, options).ReachedAt(threshold, cause);
        state.TierSince = reached is { } at && at < now ? at : cause.At;
        state.TierGraceStartedAt = GraceStart(state, options, threshold, now);
        Reassess(state, options, now, entries, changes, granted);
    }

    /// <summary>The late refund's drop in order (<see cref="AfterRefund"/>'s remarks); nothing when the refund's own day did not qualify either.</summary>
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
        var thenAfter = GrowthPolicy.TrailingGrowth(state, options, refundAt, includeLaterDays: false);
        var counted = orderDay <= refundDay && orderDay > refundDay.AddDays(-options.GrowthWindowDays);
        var thenBefore = thenAfter + (counted ? reversedGrowth : 0);
        var leftThen = Qualifying(options, thenAfter);
        if (Rank(options, Qualifying(options, thenBefore)) < rank || Rank(options, leftThen) >= rank)
        {
            return;
        }

        var target = Rank(options, leftThen) > Rank(options, supportedNow) ? leftThen : supportedNow;
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{current} → {target}: refund on order {orderId} at {refundAt:yyyy-MM-dd'T'HH:mm:ssK} (a late event) left trailing growth {thenAfter} below {options.Tiers[current].Threshold}");
        Move(state, options, target, now, RuleIds.TierDowngradeRefund, reason, eventId, entries, changes, granted);

        // Held since the refund in order: its grace, if any, runs from the first day after it whose window fell short.
        state.TierSince = refundAt;
        var threshold = options.Tiers[target].Threshold;
        state.TierGraceStartedAt = GrowthPolicy.TrailingGrowth(state, options, now) >= threshold ? null : GraceStart(state, options, threshold, now);
        if (state.TierGraceStartedAt is not null)
        {
            Reassess(state, options, now, entries, changes, granted);
        }
    }
}
