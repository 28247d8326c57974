using Engagement.Console.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Logging;

namespace Engagement.Console.Components.Pages;

/// <summary>The programme health page's log messages.</summary>
public partial class Programme
{
    /// <summary>The alert history's rule (<c>?alertRule=</c>, e.g. <c>complaints.high</c>, <see cref="AlertHistoryFilter"/>); none is every rule.</summary>
    [SupplyParameterFromQuery(Name = "alertRule")]
    public string? AlertRuleQuery { get; set; }

    /// <summary>The alert history's region (<c>?alertRegion=</c>: a region id, <c>all</c> for programme-wide alerts, or an anomaly's source); none is every region.</summary>
    [SupplyParameterFromQuery(Name = "alertRegion")]
    public string? AlertRegionQuery { get; set; }

    // The history's filter as the URL gives it, and the URL's query as last read (to tell a filter change from a pick).
    private AlertHistoryFilter _history = AlertHistoryFilter.None;
    private ProgrammeLink? _read;

    // A filter picked in the history goes in the URL, the page's region and range kept (and they keep it in turn).
    private void HistoryFiltered(AlertHistoryFilter filter) => NavigateTo(_link.WithAlertFilter(filter.Rule, filter.RegionId));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Programme health of region {RegionId} from {From} to {To} could not be read; the page says so and offers to read it again")]
    private static partial void LogRegionFailed(ILogger logger, Exception exception, string regionId, DateOnly from, DateOnly to);
}
