using Engagement.Api.Programme;
using Engagement.Console.Resources;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.Localization;

namespace Engagement.Console.Services;

/// <summary>The programme health page's range texts in the viewer's language: preset names and why a range is refused.</summary>
public static class ProgrammeRangeTexts
{
    /// <summary>The picker's name of a preset (<c>Last 7 days</c>, <c>最近 7 天</c>), or of a custom range.</summary>
    public static string Preset(IStringLocalizer<ProgrammeStrings> text, ProgrammeRangePreset preset)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text["RangePreset_" + preset].Value;
    }

    /// <summary>
    /// Why a range is not shown, naming the bound it breaks (the bounds of <c>GET /programme/health</c>, CONTRACT.md §5):
    /// the earliest day 2000-01-01, <paramref name="latest"/> (a local date, <c>yyyy-MM-dd</c>), 400 days; null for
    /// <see cref="ProgrammeRangeProblem.None"/>.
    /// </summary>
    public static string? Problem(IStringLocalizer<ProgrammeStrings> text, ProgrammeRangeProblem problem, DateOnly latest)
    {
        ArgumentNullException.ThrowIfNull(text);
        return problem switch
        {
            ProgrammeRangeProblem.NotADate => text["RangeNotADate"].Value,
            ProgrammeRangeProblem.BeforeEarliest => text["RangeBeforeEarliest", ProgrammeRange.Text(ProgrammeEndpoints.EarliestDay)].Value,
            ProgrammeRangeProblem.AfterLatest => text["RangeAfterLatest", ProgrammeRange.Text(latest)].Value,
            ProgrammeRangeProblem.Inverted => text["RangeInverted"].Value,
            ProgrammeRangeProblem.TooLong => text["RangeTooLong", ProgrammeEndpoints.MaxDays].Value,
            _ => null,
        };
    }

    /// <summary>
    /// The date(s) of the part-day "today so far" shows (<see cref="MetricsOptions.LocalDaysByZone"/>, local dates
    /// <c>yyyy-MM-dd</c>): one date when every zone counted is on it (a region, or a programme in one zone), else each
    /// date with its zones, latest first: <c>2026-03-11 Asia/Shanghai / 2026-03-10 America/New_York</c> (All regions with a
    /// region behind the programme's zone: its part-day is still the day before).
    /// </summary>
    public static string PartDays(IReadOnlyList<ZoneDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var byDay = days.GroupBy(d => d.Day).ToList();
        return byDay.Count <= 1
            ? string.Join("", byDay.Select(g => ProgrammeRange.Text(g.Key)))
            : string.Join(" / ", byDay.Select(g => $"{ProgrammeRange.Text(g.Key)} {string.Join(", ", g.Select(d => d.ZoneId))}"));
    }
}
