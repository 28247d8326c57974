namespace Engagement.Domain.Metrics;

/// <summary>
/// The day a health page's headline (CONTRACT.md §5 <c>dau</c>, <c>wau</c>, <c>mau</c>, <c>activeShare</c>, dau / mau)
/// shows for a range: its last complete local day, and the part-day of a range ending on a day not over beside it.
/// At 03:40 local the day so far read DAU 15 and DAU/MAU 5% where the day before, complete, read 104 and 34.67%: a
/// part-day as the headline reads as a collapse.
/// </summary>
/// <param name="Complete">The latest day of the range before <c>currentDay</c> (local), or null when the range has none (it is today only).</param>
/// <param name="SoFar">The range's last day when it is not complete (on or after <c>currentDay</c>, "today so far"), else null.</param>
public sealed record HeadlineDay(HealthDay? Complete, HealthDay? SoFar)
{
    /// <summary>
    /// Picks the headline days of a range's rows (<see cref="HealthMetrics.Series"/>, oldest first).
    /// </summary>
    /// <param name="days">The range's day rows, oldest first.</param>
    /// <param name="currentDay">The first local day not complete (<see cref="MetricsOptions.CurrentDay"/>: the region's
    /// today; the earliest among the zones for the whole programme).</param>
    public static HeadlineDay Of(IReadOnlyList<HealthDay> days, DateOnly currentDay)
    {
        ArgumentNullException.ThrowIfNull(days);
        var complete = days.LastOrDefault(d => d.Day < currentDay);
        var soFar = days.Count > 0 && days[^1].Day >= currentDay ? days[^1] : null;
        return new HeadlineDay(complete, soFar);
    }
}

/// <summary>A local day in one time zone (<see cref="MetricsOptions.LocalDaysByZone"/>).</summary>
/// <param name="Day">The local date in <paramref name="ZoneId"/>.</param>
/// <param name="ZoneId">The zone's IANA id, e.g. <c>Asia/Shanghai</c>.</param>
public readonly record struct ZoneDay(DateOnly Day, string ZoneId);
