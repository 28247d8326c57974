using System.Globalization;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Points;

/// <summary>
/// What support adjusted on one member on one programme-local day (<see cref="ProgramOptions.DefaultTimeZone"/>): the
/// sums of |delta| of its applied points and growth adjustments. The member keeps one day only
/// (<see cref="MemberState.SupportDay"/>); the first adjustment of a later day replaces it.
/// </summary>
public sealed class SupportDeskDay
{
    /// <summary>The programme-local date the sums are for.</summary>
    public DateOnly Day { get; set; }

    /// <summary>Sum of |delta| of support's applied points adjustments that day, in points.</summary>
    public long Points { get; set; }

    /// <summary>Sum of |delta| of support's applied growth adjustments that day, in growth value.</summary>
    public long Growth { get; set; }
}

/// <summary>
/// The support desk's daily limit (CONTRACT.md §4, "support up to a configured limit, admin beyond"): support's applied
/// adjustments to one member on one programme-local day sum (absolute, per kind) to at most the limit
/// (<c>Engagement:Api:Adjustments:SupportLimit</c>); beyond it only an admin adjusts. A replay of an applied adjustment
/// is answered before the limit is read and counts once; a refused one counts nothing.
/// </summary>
public static class SupportDeskLimit
{
    /// <summary>The programme-local date of <paramref name="now"/> (UTC instant) the day's sums are kept under.</summary>
    public static DateOnly DayOf(ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MemberTimeZones.LocalDate(now, MemberTimeZones.Resolve(null, options.DefaultTimeZone));
    }

    /// <summary>What support adjusted of <paramref name="kind"/> (points or growth) on the member on the programme-local day of <paramref name="now"/>.</summary>
    public static long Used(MemberState state, string kind, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.SupportDay is { } day && day.Day == DayOf(options, now)
            ? kind == AdjustmentPolicy.GrowthKind ? day.Growth : day.Points
            : 0;
    }

    /// <summary>
    /// Null when support may apply <paramref name="delta"/> within <paramref name="limit"/> today; else the refusal, naming
    /// the limit, the day (programme-local), what support already adjusted that day, and that an admin can make it.
    /// </summary>
    public static string? Exceeds(MemberState state, string kind, long delta, long limit, ProgramOptions options, DateTimeOffset now)
    {
        var used = Used(state, kind, options, now);
        var size = Math.Abs(delta);
        return used + size <= limit
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"support's daily limit is {limit} {kind} per member ({options.DefaultTimeZone} day {DayOf(options, now):yyyy-MM-dd}); {used} already adjusted today, {size} more would pass it; an admin can make this adjustment");
    }

    /// <summary>Counts an applied support adjustment into the day of <paramref name="now"/>, replacing an earlier day's sums.</summary>
    public static void Count(MemberState state, string kind, long delta, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var today = DayOf(options, now);
        if (state.SupportDay is not { } day || day.Day != today)
        {
            day = new SupportDeskDay { Day = today };
            state.SupportDay = day;
        }

        if (kind == AdjustmentPolicy.GrowthKind)
        {
            day.Growth += Math.Abs(delta);
        }
        else
        {
            day.Points += Math.Abs(delta);
        }
    }
}
