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
            Move(state, options, ladder[rank], now, RuleIds.TierUpgrade, reason, eventId, entries, changes, granted);
            state.TierSince = reached;
            changes[^1] = changes[^1] with { ReachedAt = reached };

            // The move took effect when growth reached the tier in order (a later event's instant when the late one only
            // completed it, or reached it again after the tier was lost through a full grace), as tierSince says; the
            // event's own date would be before the member qualified, or before a break in holding the tier.
            LedgerBook.DateFrom(state, entries, mark, reached);
            state.TierGraceStartedAt = GraceStart(state, options, thresholds[rank], now);
            Reassess(state, options, now, entries, changes, granted);
            return;
        }
    }

    /// <summary>
    /// The late refund's drop in order (<see cref="AfterRefund"/>'s remarks); nothing when the refund's own day did not qualify
    /// either. The growth of that day is read net of the refunds that occurred by the refund's instant only.
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
        // As of the refund: net of the refunds made by then only (this one included); one applied before it arrived but
        // made later took its growth when it occurred, not on this refund's day.
        var thenAfter = GrowthTimeline.Build(state, options, refundsBy: refundAt).GrowthThrough(refundDay);
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
