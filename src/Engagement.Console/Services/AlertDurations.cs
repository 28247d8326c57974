using Engagement.Console.Resources;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>
/// How long an alert was open, raised to resolved, as the alert history shows it (docs/programme-health.md): whole
/// minutes, cut and never rounded up (59 s is "under 1 min", 1 h 59 min 59 s is "1 h 59 min"), in the largest two units
/// of days, hours and minutes, a zero second unit left out: <c>under 1 min</c>, <c>37 min</c>, <c>2 h</c>,
/// <c>2 h 5 min</c>, <c>1 d</c>, <c>1 d 3 h</c> (from a day up, the minutes are cut too). A day is 24 hours of elapsed
/// time, not a local calendar day. In the viewer's language (<c>ProgrammeStrings</c>: <c>1 天 3 小时</c>).
/// </summary>
public static class AlertDurations
{
    /// <summary>
    /// The text for an alert raised at <paramref name="raisedAt"/> and resolved at <paramref name="resolvedAt"/> (any
    /// offsets: the elapsed time is what counts); <paramref name="none"/> while it is open (no resolved time). A resolved
    /// time before the raised one (two silos' clocks apart) reads as under a minute.
    /// </summary>
    public static string Lasted(DateTimeOffset raisedAt, DateTimeOffset? resolvedAt, IStringLocalizer<ProgrammeStrings> text, string none)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (resolvedAt is not { } resolved)
        {
            return none;
        }

        // Whole minutes from the ticks, so no floating-point step can carry 59:59.9999999 up to the next minute.
        var minutes = Math.Max(0, (resolved - raisedAt).Ticks / TimeSpan.TicksPerMinute);
        var (days, hours, rest) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
        return minutes < 1 ? text["LastedUnderMinute"].Value
            : days > 0 && hours > 0 ? text["LastedDays", days, hours].Value
            : days > 0 ? text["LastedDaysOnly", days].Value
            : hours > 0 && rest > 0 ? text["LastedHours", hours, rest].Value
            : hours > 0 ? text["LastedHoursOnly", hours].Value
            : text["LastedMinutes", rest].Value;
    }
}
