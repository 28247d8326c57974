namespace Engagement.Console.Services;

/// <summary>
/// Which resolved alerts the programme page's alert history shows (<c>?alertRule=</c> and <c>?alertRegion=</c> in its
/// URL, so a link shares the filter and a reload keeps it). Matched exactly (ordinal) by the alerts grain's query
/// (<c>IAlertsGrain.FindAsync</c>), over the alerts it keeps.
/// </summary>
/// <param name="Rule">A rule id (CONTRACT.md §5, e.g. <c>complaints.high</c>), the metric it judges; null for every rule.</param>
/// <param name="RegionId">
/// A region id as the alerts carry it, <c>all</c> for programme-wide alerts, or a <c>data.anomaly</c>'s source; null for
/// every region.
/// </param>
public sealed record AlertHistoryFilter(string? Rule, string? RegionId)
{
    /// <summary>No filter: every resolved alert.</summary>
    public static AlertHistoryFilter None { get; } = new(null, null);

    /// <summary>The filter a URL's <c>alertRule</c> and <c>alertRegion</c> give: blank values are none, others trimmed.</summary>
    public static AlertHistoryFilter FromQuery(string? rule, string? regionId) => new(Clean(rule), Clean(regionId));

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
