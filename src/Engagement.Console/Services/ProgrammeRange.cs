using System.Globalization;
using Engagement.Api.Programme;

namespace Engagement.Console.Services;

/// <summary>The ranges the programme health page offers: five presets counted back from today, or two chosen days.</summary>
public enum ProgrammeRangePreset
{
    /// <summary>The 7 local days ending today.</summary>
    Last7Days,

    /// <summary>The 30 local days ending today: the API's default range (its summary's distinct basis is <c>trailing30</c>).</summary>
    Last30Days,

    /// <summary>From the first local day of this month to today (month-to-date).</summary>
    ThisMonth,

    /// <summary>The whole previous calendar month.</summary>
    LastMonth,

    /// <summary>
    /// The last complete ISO week, Monday to Sunday, before the week holding today: every day of it over, its summary
    /// counted on the <c>isoWeek</c> basis (a weekly report's range).
    /// </summary>
    LastCompleteWeek,

    /// <summary>A from and a to the viewer chose.</summary>
    Custom,
}

/// <summary>Why a range asked for (in the picker or the page's URL) is not shown; the page words it with its bounds.</summary>
public enum ProgrammeRangeProblem
{
    /// <summary>Nothing wrong.</summary>
    None,

    /// <summary>A <c>from</c> or <c>to</c> that is not a date <c>YYYY-MM-DD</c>, or a <c>range</c> that names no preset.</summary>
    NotADate,

    /// <summary>A day before <see cref="ProgrammeEndpoints.EarliestDay"/> (2000-01-01), as the API refuses it.</summary>
    BeforeEarliest,

    /// <summary>A day after the latest local day the API accepts (<see cref="ProgrammeViews.LatestDay"/>).</summary>
    AfterLatest,

    /// <summary><c>from</c> after <c>to</c>.</summary>
    Inverted,

    /// <summary>More than <see cref="ProgrammeEndpoints.MaxDays"/> (400) local days.</summary>
    TooLong,
}

/// <summary>
/// A range of local days of the programme health page (CONTRACT.md §5; the bounds of <c>GET /programme/health</c>: from
/// 2000-01-01, to no later than the latest local day, from not after to, at most 400 days), and how it is written in the
/// page's URL: <c>?range=last-7-days|last-30-days|this-month|last-month|last-complete-week</c> for a preset (counted again from today on
/// each visit, so a shared "last month" link is the viewer's last month), <c>?from=YYYY-MM-DD&amp;to=YYYY-MM-DD</c> for
/// a custom range. No query is the API's default, the last 30 days.
/// </summary>
/// <param name="Preset">Which preset, or <see cref="ProgrammeRangePreset.Custom"/>.</param>
/// <param name="From">First local day, inclusive.</param>
/// <param name="To">Last local day, inclusive.</param>
public sealed record ProgrammeRange(ProgrammeRangePreset Preset, DateOnly From, DateOnly To)
{
    /// <summary>The URL's preset names, in the order the picker lists them.</summary>
    public static readonly IReadOnlyList<(ProgrammeRangePreset Preset, string Key)> Keys =
    [
        (ProgrammeRangePreset.Last7Days, "last-7-days"),
        (ProgrammeRangePreset.Last30Days, "last-30-days"),
        (ProgrammeRangePreset.ThisMonth, "this-month"),
        (ProgrammeRangePreset.LastMonth, "last-month"),
        (ProgrammeRangePreset.LastCompleteWeek, "last-complete-week"),
    ];

    /// <summary>How many local days the range spans (both ends included).</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The URL's <c>range</c> value of a preset; null for a custom range.</summary>
    public string? Key => Keys.Where(k => k.Preset == Preset).Select(k => k.Key).FirstOrDefault();

    /// <summary>The query parameters that give this range back (<c>range</c>, or <c>from</c> and <c>to</c>; the others null, so they are removed).</summary>
    public IReadOnlyDictionary<string, object?> Query => Preset == ProgrammeRangePreset.Custom
        ? new Dictionary<string, object?> { ["range"] = null, ["from"] = Text(From), ["to"] = Text(To) }
        : new Dictionary<string, object?> { ["range"] = Key, ["from"] = null, ["to"] = null };

    /// <summary>The API's default range: the 30 local days ending <paramref name="today"/>.</summary>
    public static ProgrammeRange Default(DateOnly today) => OfPreset(ProgrammeRangePreset.Last30Days, today);

    /// <summary>
    /// A preset counted from <paramref name="today"/> (the region's local day, <see cref="ProgrammeViews.Today"/>, of the
    /// console's engine clock). A preset never needs checking: each ends on or before today and spans at most 31 days.
    /// </summary>
    /// <param name="preset">The preset.</param>
    /// <param name="today">The region's local today.</param>
    /// <param name="currentDay">
    /// The first local day not complete (<see cref="ProgrammeViews.CurrentDay"/>; <paramref name="today"/> when null): the
    /// last complete week ends before it. For All regions it is the earliest local day among the zones, so on a Monday
    /// in Asia/Shanghai, with a region's Sunday still running in America/Los_Angeles, the week before is taken.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ProgrammeRangePreset.Custom"/>, which has no days of its own.</exception>
    public static ProgrammeRange OfPreset(ProgrammeRangePreset preset, DateOnly today, DateOnly? currentDay = null)
    {
        var incomplete = currentDay is { } day && day < today ? day : today;
        var month = new DateOnly(today.Year, today.Month, 1);
        return preset switch
        {
            ProgrammeRangePreset.Last7Days => new(preset, today.AddDays(-6), today),
            ProgrammeRangePreset.Last30Days => new(preset, today.AddDays(-(ProgrammeEndpoints.DefaultDays - 1)), today),
            ProgrammeRangePreset.ThisMonth => new(preset, month, today),
            ProgrammeRangePreset.LastMonth => new(preset, month.AddMonths(-1), month.AddDays(-1)),
            ProgrammeRangePreset.LastCompleteWeek => new(preset, Monday(incomplete).AddDays(-7), Monday(incomplete).AddDays(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "a custom range has the days the viewer chose"),
        };
    }

    /// <summary>
    /// The first bound of <c>GET /programme/health</c> a custom range breaks (CONTRACT.md §5, <c>ProgrammeEndpoints</c>):
    /// a day before 2000-01-01, a day after <paramref name="latest"/>, from after to, or more than 400 days.
    /// </summary>
    public static ProgrammeRangeProblem Check(DateOnly from, DateOnly to, DateOnly latest)
    {
        if (from < ProgrammeEndpoints.EarliestDay || to < ProgrammeEndpoints.EarliestDay)
        {
            return ProgrammeRangeProblem.BeforeEarliest;
        }

        if (from > latest || to > latest)
        {
            return ProgrammeRangeProblem.AfterLatest;
        }

        if (from > to)
        {
            return ProgrammeRangeProblem.Inverted;
        }

        return to.DayNumber - from.DayNumber >= ProgrammeEndpoints.MaxDays ? ProgrammeRangeProblem.TooLong : ProgrammeRangeProblem.None;
    }

    /// <summary>
    /// Reads the page's query: a known <c>range</c> is that preset; otherwise <c>from</c>/<c>to</c> as the API reads them
    /// (a missing <c>to</c> is today, a missing <c>from</c> the 30th day back from <c>to</c>); none of them the default.
    /// A query that breaks a bound gives the default range with the problem, so the page shows figures and says why they
    /// are not the ones asked for.
    /// </summary>
    /// <param name="range">The <c>range</c> parameter, or null.</param>
    /// <param name="from">The <c>from</c> parameter, or null.</param>
    /// <param name="to">The <c>to</c> parameter, or null.</param>
    /// <param name="today">The region's local today (the default end).</param>
    /// <param name="latest">The latest local day a range may end on.</param>
    /// <param name="currentDay">The first local day not complete, for the last complete week (<see cref="OfPreset"/>).</param>
    public static (ProgrammeRange Range, ProgrammeRangeProblem Problem) Parse(string? range, string? from, string? to, DateOnly today, DateOnly latest, DateOnly? currentDay = null)
    {
        if (!string.IsNullOrEmpty(range))
        {
            var known = Keys.Where(k => k.Key == range).Select(k => (ProgrammeRangePreset?)k.Preset).FirstOrDefault();
            return known is { } preset ? (OfPreset(preset, today, currentDay), ProgrammeRangeProblem.None) : (Default(today), ProgrammeRangeProblem.NotADate);
        }

        if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(to))
        {
            return (Default(today), ProgrammeRangeProblem.None);
        }

        // The API's default from, kept on or after its earliest day so a to near year 1 cannot step off the calendar.
        if (!Day(to, today, out var toDay)
            || !Day(from, DateOnly.FromDayNumber(Math.Max(ProgrammeEndpoints.EarliestDay.DayNumber, toDay.DayNumber - (ProgrammeEndpoints.DefaultDays - 1))), out var fromDay))
        {
            return (Default(today), ProgrammeRangeProblem.NotADate);
        }

        var problem = Check(fromDay, toDay, latest);
        return problem == ProgrammeRangeProblem.None ? (new(ProgrammeRangePreset.Custom, fromDay, toDay), problem) : (Default(today), problem);
    }

    // The Monday of the ISO week holding the day.
    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>A local day as the URL and the page write it: <c>yyyy-MM-dd</c>.</summary>
    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool Day(string? text, DateOnly fallback, out DateOnly day)
    {
        if (string.IsNullOrEmpty(text))
        {
            day = fallback;
            return true;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
