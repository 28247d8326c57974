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
/// Support's daily limit as one adjustment is judged on it (CONTRACT.md §4, <see cref="SupportDeskLimit"/>): the figures
/// a refusal names (the API's 403 with <c>reason</c> <c>daily_limit</c> maps them one to one).
/// </summary>
/// <param name="Kind"><c>points</c> or <c>growth</c>: the unit of <paramref name="Limit"/>, <paramref name="Used"/> and <paramref name="Requested"/>.</param>
/// <param name="Limit">Support's limit per member, kind and programme-local day (<c>Engagement:Api:Adjustments:SupportLimit</c>), points or growth value.</param>
/// <param name="Used">Sum of |delta| of support's applied adjustments of the kind to the member on <paramref name="Day"/>.</param>
/// <param name="Requested">|delta| of the adjustment judged: a take (negative delta) counts toward the day like a give.</param>
/// <param name="Day">The programme-local date (<paramref name="TimeZone"/>) the day's sum is kept under.</param>
/// <param name="TimeZone">The IANA zone of <paramref name="Day"/>: the programme's (<c>Engagement:Program:DefaultTimeZone</c>, Asia/Shanghai).</param>
public sealed record SupportDeskUse(string Kind, long Limit, long Used, long Requested, DateOnly Day, string TimeZone)
{
    /// <summary>What support may still adjust of <see cref="Kind"/> on the member that day (never below 0).</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>True when <see cref="Requested"/> on top of <see cref="Used"/> passes <see cref="Limit"/>: exactly at the limit is within it.</summary>
    public bool PassesLimit => Used + Requested > Limit;
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
        var use = Judge(state, kind, delta, limit, options, now);
        return !use.PassesLimit
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"support's daily limit is {limit} {kind} per member ({use.TimeZone} day {use.Day:yyyy-MM-dd}); {use.Used} already adjusted today, {use.Requested} more would pass it; an admin can make this adjustment");
    }

    /// <summary>
    /// Support's day on the member as <paramref name="delta"/> of <paramref name="kind"/> is judged against
    /// <paramref name="limit"/> at <paramref name="now"/> (UTC): what it already used that programme-local day (0 on a new
    /// day) and the |delta| requested.
    /// </summary>
    public static SupportDeskUse Judge(MemberState state, string kind, long delta, long limit, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Refused(kind, delta, limit, Used(state, kind, options, now), DayOf(options, now), options.DefaultTimeZone);
    }

    /// <summary>
    /// The figures of a refusal the member reported (its <c>over_desk_limit</c> decision names the day, its zone and the
    /// day's use): the one place the requested size (|delta|) is worked out, for the API's 403.
    /// </summary>
    public static SupportDeskUse Refused(string kind, long delta, long limit, long used, DateOnly day, string timeZone) =>
        new(kind, limit, used, Math.Abs(delta), day, timeZone);

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
