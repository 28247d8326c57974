using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Growth;

/// <summary>
/// Growth value: floor(amount) per purchase (derived from the retained orders) plus capped
/// behaviour growth, counted over the trailing window of member-local calendar days.
/// </summary>
public static class GrowthPolicy
{
    /// <summary>
    /// Daily cap counters are kept this many days back. A capped event older than that earns nothing:
    /// its day's count is gone, and a late replay must not farm growth.
    /// </summary>
    public const int CapDaysKept = 7;

    /// <summary>
    /// The <see cref="BehaviourRecord.Type"/> of a manual growth adjustment (not an event type, so it never counts toward a
    /// behaviour's daily cap); such records are kept with their instant until their day bucket would be dropped.
    /// </summary>
    public const string AdjustmentRecordType = "adjustment";

    public static TimeZoneInfo Zone(MemberState state, ProgramOptions options) =>
        MemberTimeZones.Resolve(state.TimeZone, options.DefaultTimeZone);

    /// <summary>Growth earned in the trailing window ending on the member-local day of <paramref name="now"/>.</summary>
    public static long TrailingGrowth(MemberState state, ProgramOptions options, DateTimeOffset now) =>
        TrailingGrowth(state, options, now, includeLaterDays: true);

    /// <summary>
    /// Growth in the window ending on the local day of <paramref name="at"/>. Days after it count only
    /// when asked (an event a few minutes in the future may already sit on tomorrow's date).
    /// </summary>
    internal static long TrailingGrowth(MemberState state, ProgramOptions options, DateTimeOffset at, bool includeLaterDays)
    {
        var zone = Zone(state, options);
        var day = MemberTimeZones.LocalDate(at, zone);
        var first = day.AddDays(-(options.GrowthWindowDays - 1));
        if (!includeLaterDays)
        {
            return Sum(state, zone, first, day);
        }

        // The running total (GrowthTotals): recounted only when the window moved or the sources changed unannounced.
        if (state.GrowthTotals.TryGet(state, zone, first, options.GrowthWindowDays, out var total))
        {
            return total;
        }

        total = Sum(state, zone, first, DateOnly.MaxValue);
        state.GrowthTotals.Set(state, zone, first, options.GrowthWindowDays, total);
        return total;
    }

    /// <summary>Growth on the member-local days first..last, summed straight from the three sources.</summary>
    internal static long Sum(MemberState state, TimeZoneInfo zone, DateOnly first, DateOnly last)
    {
        long total = 0;
        foreach (var (date, growth) in state.GrowthByDay)
        {
            if (date >= first && date <= last)
            {
                total += growth;
            }
        }

        foreach (var order in state.Orders)
        {
            var date = MemberTimeZones.LocalDate(order.At, zone);
            if (date >= first && date <= last)
            {
                total += order.NetGrowth;
            }
        }

        foreach (var record in state.BehaviourRecords)
        {
            var date = MemberTimeZones.LocalDate(record.At, zone);
            if (date >= first && date <= last)
            {
                total += record.Growth;
            }
        }

        return total;
    }

    /// <summary>
    /// Tells the running total (<see cref="MemberState.GrowthTotals"/>) about the one change of the growth sources just made:
    /// <paramref name="delta"/> of growth on the member-local day of <paramref name="at"/> (an order added or refunded, a
    /// behaviour record added or removed, a day bucket adjusted), with how many orders, records and day buckets it added.
    /// </summary>
    internal static void Added(MemberState state, ProgramOptions options, DateTimeOffset at, long delta, int orders = 0, int records = 0, int days = 0)
    {
        var zone = Zone(state, options);
        state.GrowthTotals.Add(state, zone, options.GrowthWindowDays, MemberTimeZones.LocalDate(at, zone), delta, orders, records, days);
    }

    /// <summary>
    /// Applies growth for a capped behaviour event (share, review, login) as of its occurredAt (CONTRACT.md §1.1):
    /// the cap counts the member-local day of occurredAt (in the zone the member had at occurredAt,
    /// <see cref="MemberTimeZones.ZoneAt"/>, as it would have been dated in order; an earlier earner
    /// keeps the date it counted on, <see cref="BehaviourRecord.Day"/>, through a later zone change, so each date on the
    /// member's clock gets its cap once and the reason's date stays the one counted), and of that day's events of one type the earliest (by
    /// <see cref="EventKey"/>) earn, whatever order they arrived in. A late event earlier than the day's last earner
    /// takes its place: the displaced one gives its growth back in a <c>growth.{type}.correction</c> entry.
    /// Returns null when it counted (or the type earns no growth), else why it earned nothing.
    /// </summary>
    internal static string? ApplyBehaviour(
        MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, ICollection<LedgerEntry> entries)
    {
        if (!options.BehaviourGrowth.TryGetValue(evt.Type, out var rule) || rule is null || rule.Growth == 0)
        {
            return null;
        }

        var zone = Zone(state, options);
        var day = MemberTimeZones.LocalDate(evt.OccurredAt, MemberTimeZones.ZoneAt(state, options.DefaultTimeZone, evt.OccurredAt));
        var today = MemberTimeZones.LocalDate(now, zone);
        var dayText = new DayText(day);
        if (day < today.AddDays(-CapDaysKept))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{evt.Type} on {dayText} is older than the {CapDaysKept} days whose caps are kept; no growth");
        }

        var key = new EventKey(evt.OccurredAt, evt.EventId);

        // The day's earners of this type: how many, how many occurred before this event, and the latest of them.
        var earners = 0;
        var earlier = 0;
        BehaviourRecord? latest = null;
        foreach (var r in state.BehaviourRecords)
        {
            if (!string.Equals(r.Type, evt.Type, StringComparison.Ordinal) || CapDay(r, zone) != day)
            {
                continue;
            }

            earners++;
            var rKey = r.Key;
            earlier += rKey.CompareTo(key) < 0 ? 1 : 0;
            if (latest is null || latest.Key.CompareTo(rKey) < 0)
            {
                latest = r;
            }
        }

        // Days before this version kept only a count (no instants): those earners cannot be displaced.
        var legacy = state.CappedActionsByDay?.TryGetValue(day, out var counts) == true ? counts.GetValueOrDefault(evt.Type) : 0;
        BehaviourRecord? displaced = null;
        if (legacy + earners >= rule.DailyCap)
        {
            if (latest is null || latest.Key.CompareTo(key) < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"daily cap of {rule.DailyCap} {evt.Type} reached for {dayText}; no growth");
            }

            displaced = latest;
            state.BehaviourRecords.Remove(displaced);
            Added(state, options, displaced.At, -displaced.Growth, records: -1);
        }

        state.BehaviourRecords.Add(new BehaviourRecord { EventId = evt.EventId, Type = evt.Type, At = evt.OccurredAt, Day = day, Growth = rule.Growth });
        Added(state, options, evt.OccurredAt, rule.Growth, records: 1);
        var position = legacy + earlier + 1;
        LedgerBook.Append(
            state, entries, now, LedgerKinds.Growth, rule.Growth, TrailingGrowth(state, options, now),
            string.Create(CultureInfo.InvariantCulture, $"{evt.Type} {position} of {rule.DailyCap} on {dayText}"),
            RuleIds.GrowthFor(evt.Type), evt.EventId);
        if (displaced is not null)
        {
            LedgerBook.Append(
                state, entries, now, LedgerKinds.Growth, -displaced.Growth, TrailingGrowth(state, options, now),
                string.Create(CultureInfo.InvariantCulture,
                    $"{evt.Type} {displaced.EventId} is past the daily cap of {rule.DailyCap} on {dayText}: late {evt.Type} {evt.EventId} occurred earlier that day"),
                RuleIds.CorrectionOf(RuleIds.GrowthFor(evt.Type)), evt.EventId);
        }

        return null;
    }

    /// <summary>
    /// The member-local date a capped behaviour counts on: the one pinned when it earned (<see cref="BehaviourRecord.Day"/>,
    /// the date its ledger reason names), else, for a record from before the pin, its instant's date in <paramref name="zone"/>.
    /// </summary>
    private static DateOnly CapDay(BehaviourRecord record, TimeZoneInfo zone) => record.Day ?? MemberTimeZones.LocalDate(record.At, zone);

    /// <summary>
    /// True when an event with <paramref name="eventId"/> earned behaviour growth still kept with its instant
    /// (<see cref="MemberState.BehaviourRecords"/>, the last <see cref="CapDaysKept"/> days): applying it again would earn
    /// twice, so the engine answers it as a duplicate (CONTRACT.md §1: the eventId is the idempotency key).
    /// </summary>
    public static bool HasRecord(MemberState state, string eventId)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var record in state.BehaviourRecords)
        {
            if (string.Equals(record.EventId, eventId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Keeps a forgotten order's growth counting until it ages out of the window by itself.</summary>
    internal static void FoldOrder(MemberState state, ProgramOptions options, Orders.OrderRecord order)
    {
        if (order.NetGrowth == 0)
        {
            return;
        }

        var day = MemberTimeZones.LocalDate(order.At, Zone(state, options));
        state.GrowthByDay[day] = state.GrowthByDay.GetValueOrDefault(day) + order.NetGrowth;
    }

    /// <summary>
    /// Undoes <see cref="FoldOrder"/> for an order brought back from its summary (<see cref="Orders.OrderBook.Revive"/>):
    /// its net growth leaves the day bucket of its member-local day, where the order itself counts it again. The caller
    /// invalidates the running total.
    /// </summary>
    internal static void UnfoldOrder(MemberState state, ProgramOptions options, Orders.OrderRecord order)
    {
        if (order.NetGrowth == 0)
        {
            return;
        }

        var day = MemberTimeZones.LocalDate(order.At, Zone(state, options));
        var left = state.GrowthByDay.GetValueOrDefault(day) - order.NetGrowth;
        if (left == 0)
        {
            state.GrowthByDay.Remove(day);
        }
        else
        {
            state.GrowthByDay[day] = left;
        }
    }

    /// <summary>
    /// Folds the oldest growth-adjustment records (<see cref="AdjustmentRecordType"/>) into the day buckets of their
    /// member-local days until at most <paramref name="kept"/> remain; the window's totals do not change.
    /// </summary>
    internal static void FoldOldestAdjustmentsOver(MemberState state, ProgramOptions options, int kept)
    {
        var records = state.BehaviourRecords;
        var count = records.Count(r => string.Equals(r.Type, AdjustmentRecordType, StringComparison.Ordinal));
        while (count > Math.Max(0, kept))
        {
            var oldest = records.Where(r => string.Equals(r.Type, AdjustmentRecordType, StringComparison.Ordinal)).MinBy(r => r.Key)!;
            records.Remove(oldest);
            var day = MemberTimeZones.LocalDate(oldest.At, Zone(state, options));
            var newDay = !state.GrowthByDay.ContainsKey(day);
            state.GrowthByDay[day] = state.GrowthByDay.GetValueOrDefault(day) + oldest.Growth;
            Added(state, options, oldest.At, 0, records: -1, days: newDay ? 1 : 0);
            count--;
        }
    }

    /// <summary>
    /// Days of growth buckets kept: the tier held at a purchase up to 365 days late looks back through the window and
    /// every grace level before it (<see cref="Tiers.GrowthTimeline"/>), so 2 × window + grace × (tiers − 1) + 1 days
    /// (the one day of slack covers a time zone change shifting a date). 821 by default: at most ~15 KB of buckets.
    /// </summary>
    public static int DayBucketsKept(ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (2 * options.GrowthWindowDays) + (options.TierGraceDays * Math.Max(0, options.Tiers.Count - 1)) + 1;
    }

    /// <summary>
    /// Folds behaviour records past <see cref="CapDaysKept"/> into the day buckets (their instants are no longer
    /// needed: no late behaviour can displace them), drops day buckets that can no longer count and old cap counters.
    /// A behaviour stays while either its instant's member-local date (zone of now) or the date its cap counted
    /// (<see cref="BehaviourRecord.Day"/>) is a kept day; it folds into the bucket of the former, as the window sums it.
    /// </summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var tracked = state.GrowthTotals.Tracks(state);
        var zone = Zone(state, options);
        var today = MemberTimeZones.LocalDate(now, zone);
        var oldestRecord = today.AddDays(-CapDaysKept);
        var oldestGrowth = today.AddDays(-DayBucketsKept(options));
        var lostCounted = false;
        var records = state.BehaviourRecords;
        var kept = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var day = MemberTimeZones.LocalDate(record.At, zone);
            var adjustment = string.Equals(record.Type, AdjustmentRecordType, StringComparison.Ordinal);
            // A behaviour kept while the date its cap counted (CapDay, pinned before a zone change) is still a kept day,
            // even when its instant's date in the zone of now is older: folded, a late event on that date would earn again.
            if (day >= oldestRecord || (!adjustment && CapDay(record, zone) >= oldestRecord) || (adjustment && day >= oldestGrowth))
            {
                records[kept++] = record;
                continue;
            }

            if (adjustment)
            {
                lostCounted |= day >= state.GrowthTotals.First && record.Growth != 0;
                continue;
            }

            state.GrowthByDay[day] = state.GrowthByDay.GetValueOrDefault(day) + record.Growth;
        }

        var changed = kept < records.Count;
        if (changed)
        {
            records.RemoveRange(kept, records.Count - kept);
        }

        List<DateOnly>? drop = null;
        foreach (var (day, growth) in state.GrowthByDay)
        {
            if (day < oldestGrowth || growth == 0)
            {
                (drop ??= []).Add(day);
            }
        }

        foreach (var day in drop ?? Enumerable.Empty<DateOnly>())
        {
            lostCounted |= day >= state.GrowthTotals.First && state.GrowthByDay[day] != 0;
            state.GrowthByDay.Remove(day);
            changed = true;
        }

        if (state.CappedActionsByDay is { } legacy)
        {
            // Declared in this block, so the lambda's closure is made only for a state that still has the legacy map.
            var oldestCap = today.AddDays(-CapDaysKept);
            foreach (var day in legacy.Keys.Where(d => d < oldestCap).ToList())
            {
                legacy.Remove(day);
            }

            state.CappedActionsByDay = legacy.Count == 0 ? null : legacy;
        }

        // Records folded into their own day and buckets that can no longer count (older than any window, or empty)
        // leave every window's total as it was.
        if (lostCounted)
        {
            state.GrowthTotals.Invalidate();
        }
        else if (changed)
        {
            state.GrowthTotals.Restamp(state, tracked);
        }
    }

    /// <summary>A member-local date written yyyy-MM-dd into a message, formatted only when a message is built.</summary>
    private readonly struct DayText(DateOnly day) : ISpanFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
            day.TryFormat(destination, out charsWritten, "yyyy-MM-dd", CultureInfo.InvariantCulture);

        public override string ToString() => ToString(null, null);
    }
}
