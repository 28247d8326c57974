namespace Engagement.Console.Services;

/// <summary>
/// The programme page's URL query as last asked for (<c>region</c>, <c>range</c>, <c>from</c>, <c>to</c>, and the alert
/// history's <c>alertRule</c> and <c>alertRegion</c>; null values are removed from the link). A region or range change builds its link from this, not from <c>NavigationManager.Uri</c>,
/// which only changes once the browser confirms the previous navigation: a region chosen right after a range pick keeps
/// that range.
/// </summary>
/// <param name="Region">The region id as given in the URL; null for all regions.</param>
/// <param name="Range">A preset's key (<see cref="ProgrammeRange.Keys"/>); null for a custom range or none.</param>
/// <param name="From">A custom range's first local day, <c>YYYY-MM-DD</c>.</param>
/// <param name="To">A custom range's last local day, <c>YYYY-MM-DD</c>.</param>
/// <param name="AlertRule">The alert history's rule (<see cref="AlertHistoryFilter.Rule"/>); null for every rule.</param>
/// <param name="AlertRegion">The alert history's region (<see cref="AlertHistoryFilter.RegionId"/>); null for every region.</param>
public sealed record ProgrammeLink(string? Region, string? Range, string? From, string? To, string? AlertRule = null, string? AlertRegion = null)
{
    /// <summary>The same link with the alert history filtered by another rule and region, the region and range kept.</summary>
    public ProgrammeLink WithAlertFilter(string? rule, string? region) => this with { AlertRule = rule, AlertRegion = region };

    /// <summary>The same link with another region (null for all regions), the range kept.</summary>
    public ProgrammeLink WithRegion(string? region) => this with { Region = region };

    /// <summary>The same link with another range (a preset's key, or custom from/to dates), the region kept.</summary>
    public ProgrammeLink WithRange(ProgrammeRange range) => range.Preset == ProgrammeRangePreset.Custom
        ? this with { Range = null, From = ProgrammeRange.Text(range.From), To = ProgrammeRange.Text(range.To) }
        : this with { Range = range.Key, From = null, To = null };

    /// <summary>The query parameters of this link, every key present (a null one is removed from the URL).</summary>
    public IReadOnlyDictionary<string, object?> Query => new Dictionary<string, object?>
    {
        ["region"] = Region,
        ["range"] = Range,
        ["from"] = From,
        ["to"] = To,
        ["alertRule"] = AlertRule,
        ["alertRegion"] = AlertRegion,
    };
}
