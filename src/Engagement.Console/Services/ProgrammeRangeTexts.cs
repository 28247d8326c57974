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
    /// The date of the part-day "today so far" shows, <paramref name="soFar"/> (the range's last day, local,
    /// <c>yyyy-MM-dd</c>), and the zones counted (<see cref="MetricsOptions.LocalDaysByZone"/>) whose today is another
    /// date, whose part-day that figure does not hold: <c>2026-03-11; America/New_York still on 2026-03-10, not in this
    /// figure</c> (All regions, 20:00 UTC), <c>2026-03-10; Asia/Shanghai already on 2026-03-11, not in this figure</c> (a
    /// range ending 2026-03-10). The date alone when every zone is on it (a region, or a programme in one zone).
    /// </summary>
    public static string PartDays(IStringLocalizer<ProgrammeStrings> text, IReadOnlyList<ZoneDay> days, DateOnly soFar)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(days);
        var others = days.Where(d => d.Day != soFar).GroupBy(d => d.Day)
            .Select(g => text[g.Key < soFar ? "PartDayBehind" : "PartDayAhead", string.Join(", ", g.Select(d => d.ZoneId)), ProgrammeRange.Text(g.Key)].Value);
        return ProgrammeRange.Text(soFar) + string.Concat(others);
    }
}
