using Engagement.Domain.Metrics;

namespace Engagement.Console.Services;

/// <summary>
/// Which resolved alerts the programme page's alert history shows (<c>?alertRule=</c> and <c>?alertRegion=</c> in its
/// URL, so a link shares the filter and a reload keeps it). Matched exactly (ordinal) by the alerts grain's query
/// (<c>IAlertsGrain.FindAsync</c>), over the alerts it keeps; <see cref="FromQuery"/> maps a link's spelling onto the ids
/// the alerts carry first.
/// </summary>
/// <param name="Rule">A rule id (CONTRACT.md §5, e.g. <c>complaints.high</c>), the metric it judges; null for every rule.</param>
/// <param name="RegionId">
/// A region id as the alerts carry it, <c>all</c> for programme-wide alerts, or a <c>data.anomaly</c>'s source; null for
/// every region.
/// </param>
public sealed record AlertHistoryFilter(string? Rule, string? RegionId)
{
    /// <summary>
    /// Longest value kept from a link, characters: the alerts grain cuts an anomaly's source (its region id) at the same
    /// length (<c>AlertsGrain.MaxSourceLength</c>), so a longer source in a link still finds its alerts.
    /// </summary>
    public const int MaxValueLength = 64;

    /// <summary>No filter: every resolved alert.</summary>
    public static AlertHistoryFilter None { get; } = new(null, null);

    /// <summary>
    /// The filter a URL's <c>alertRule</c> and <c>alertRegion</c> give: blank values and <c>*</c> (the filters' "every"
    /// choice) are none; others are trimmed and cut at <see cref="MaxValueLength"/>. A rule is matched to a
    /// <see cref="AlertRules.All">known rule</see> and a region to <c>all</c> or one of <paramref name="regions"/> ignoring
    /// case (<c>Complaints.High</c>, <c>EAST</c>), else to the region an event naming it counts under
    /// (<see cref="MetricsOptions.RegionOf"/>: <c>East.</c> is <c>east</c>) when that is one of <paramref name="regions"/>
    /// (but not to <see cref="MetricsOptions.DefaultRegion"/> for a value with no region characters, such as a Chinese
    /// source); anything else (an anomaly's source, whose case counts) is kept as typed.
    /// </summary>
    /// <param name="rule">The URL's <c>alertRule</c>, null when absent.</param>
    /// <param name="regionId">The URL's <c>alertRegion</c>, null when absent.</param>
    /// <param name="regions">The programme's configured region ids.</param>
    public static AlertHistoryFilter FromQuery(string? rule, string? regionId, IEnumerable<string> regions)
    {
        IReadOnlyList<string> configured = [.. regions];
        return new(Known(Clean(rule), AlertRules.All), Region(Clean(regionId), configured));
    }

    private static string? Region(string? value, IReadOnlyList<string> regions)
    {
        if (value is null)
        {
            return null;
        }

        if (Match(value, [AlertRules.AllRegions, .. regions]) is { } known)
        {
            return known;
        }

        // Not a configured spelling: the region an event naming it counts under, unless that is only the fallback.
        var region = MetricsOptions.RegionOf(value);
        var fallback = region == MetricsOptions.DefaultRegion && !value.Contains(MetricsOptions.DefaultRegion, StringComparison.OrdinalIgnoreCase);
        return !fallback && regions.Contains(region, StringComparer.Ordinal) ? region : value;
    }

    private static string? Clean(string? value)
    {
        var text = value?.Trim();
        return string.IsNullOrEmpty(text) || text == "*" ? null : text.Length > MaxValueLength ? text[..MaxValueLength] : text;
    }

    private static string? Known(string? value, IEnumerable<string> known) => value is null ? null : Match(value, known) ?? value;

    private static string? Match(string value, IEnumerable<string> known) =>
        known.FirstOrDefault(k => string.Equals(k, value, StringComparison.OrdinalIgnoreCase));
}
