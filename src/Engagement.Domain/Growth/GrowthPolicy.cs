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
        long total = 0;
        foreach (var (date, growth) in DailyTotals(state, zone))
        {
            if (date >= first && (includeLaterDays || date <= day))
            {
                total += growth;
            }
        }

        return total;
    }

    /// <summary>Growth per member-local day, from orders and the day buckets together.</summary>
    internal static Dictionary<DateOnly, long> DailyTotals(MemberState state, TimeZoneInfo zone)
    {
        var totals = new Dictionary<DateOnly, long>(state.GrowthByDay);
        foreach (var order in state.Orders)
        {
            var date = MemberTimeZones.LocalDate(order.At, zone);
            totals[date] = totals.GetValueOrDefault(date) + order.NetGrowth;
        }

        return totals;
    }

    /// <summary>
    /// Applies growth for a capped behaviour event (share, review, login). Returns null when it counted
    /// (or the type earns no growth), else why it earned nothing.
    /// </summary>
    internal static string? ApplyBehaviour(
        MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, ICollection<LedgerEntry> entries)
    {
        if (!options.BehaviourGrowth.TryGetValue(evt.Type, out var rule) || rule is null || rule.Growth == 0)
        {
            return null;
        }

        var zone = Zone(state, options);
        var day = MemberTimeZones.LocalDate(evt.OccurredAt, zone);
        var today = MemberTimeZones.LocalDate(now, zone);
        var dayText = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (day < today.AddDays(-CapDaysKept))
        {
            return $"{evt.Type} on {dayText} is older than the {CapDaysKept.ToString(CultureInfo.InvariantCulture)} days whose caps are kept; no growth";
        }

        if (!state.CappedActionsByDay.TryGetValue(day, out var counts))
        {
            counts = new Dictionary<string, int>(StringComparer.Ordinal);
            state.CappedActionsByDay[day] = counts;
        }

        var used = counts.GetValueOrDefault(evt.Type);
        if (used >= rule.DailyCap)
        {
            return string.Create(CultureInfo.InvariantCulture, $"daily cap of {rule.DailyCap} {evt.Type} reached for {dayText}; no growth");
        }

        counts[evt.Type] = used + 1;
        state.GrowthByDay[day] = state.GrowthByDay.GetValueOrDefault(day) + rule.Growth;
        LedgerBook.Append(
            state, entries, now, LedgerKinds.Growth, rule.Growth, TrailingGrowth(state, options, now),
            string.Create(CultureInfo.InvariantCulture, $"{evt.Type} {used + 1} of {rule.DailyCap} on {dayText}"),
            RuleIds.GrowthFor(evt.Type), evt.EventId);
        return null;
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

    /// <summary>Drops day buckets that can no longer count and cap counters past <see cref="CapDaysKept"/>.</summary>
    internal static void Prune(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var today = MemberTimeZones.LocalDate(now, Zone(state, options));

        // One day of slack beyond the window: a time zone change can shift a date by a day.
        var oldestGrowth = today.AddDays(-options.GrowthWindowDays);
        foreach (var day in state.GrowthByDay.Keys.Where(d => d < oldestGrowth || state.GrowthByDay[d] == 0).ToList())
        {
            state.GrowthByDay.Remove(day);
        }

        var oldestCap = today.AddDays(-CapDaysKept);
        foreach (var day in state.CappedActionsByDay.Keys.Where(d => d < oldestCap).ToList())
        {
            state.CappedActionsByDay.Remove(day);
        }
    }
}
