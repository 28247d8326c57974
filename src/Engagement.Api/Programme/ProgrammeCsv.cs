using System.Globalization;
using System.Text;
using CsvHelper;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;

namespace Engagement.Api.Programme;

/// <summary>CSV exports (RFC 4180, invariant culture, UTF-8) of the programme views, one row per day (or per item).</summary>
public static class ProgrammeCsv
{
    /// <summary>The media type of the exports.</summary>
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>
    /// One row per local day: the day's §5 figures, then <c>regionId</c> (the region asked, <c>all</c> for the whole
    /// programme) as the last column, so a reader taking the earlier columns by position reads them where they were.
    /// </summary>
    public static string Health(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var region = report.RegionId ?? AlertRules.AllRegions;
        return Write(
            ["day", "members", "newMembers", "dau", "wau", "mau", "activeShare", "dauMau", "revenue", "purchasers", "arpu", "repurchaseRate", "purchasers30", "repurchaseRate30", "repurchase7d", "nextDayRetention", "shareRate", "complaints", "complaintRate", "campaignResponse", "couponRedemptionRate", "funnelLogin", "funnelBrowse", "funnelAddToCart", "funnelPurchase", "regionId"],
            report.Days.Select(d => new object?[] { d.Day, d.Members, d.NewMembers, d.Dau, d.Wau, d.Mau, d.ActiveShare, d.DauMau, d.Revenue, d.Purchasers, d.Arpu, d.RepurchaseRate, d.Purchasers30, d.RepurchaseRate30, d.Repurchase7d, d.NextDayRetention, d.ShareRate, d.Complaints, d.ComplaintRate, d.CampaignResponse, d.CouponRedemptionRate, d.Funnel.Login, d.Funnel.Browse, d.Funnel.AddToCart, d.Funnel.Purchase, region }));
    }

    /// <summary>One row per local day: the day's points, integers, then <c>regionId</c> (the region asked, <c>all</c> for the whole programme) last.</summary>
    public static string Points(PointsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var region = report.RegionId ?? AlertRules.AllRegions;
        return Write(
            ["day", "issued", "redeemed", "expired", "reversed", "adjusted", "regionId"],
            report.Economy.Days.Select(d => new object?[] { d.Day, d.Issued, d.Redeemed, d.Expired, d.Reversed, d.Adjusted, region }));
    }

    /// <summary>One row per local day: the funnel's steps, then <c>regionId</c> (the region asked, <c>all</c> for the whole programme) last.</summary>
    public static string Funnel(FunnelReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var region = report.RegionId ?? AlertRules.AllRegions;
        return Write(
            ["day", "login", "browse", "addToCart", "purchase", "regionId"],
            report.Days.Select(d => new object?[] { d.Day, d.Login, d.Browse, d.AddToCart, d.Purchase, region }));
    }

    /// <summary>
    /// One row per region × dimension × value (region <c>all</c> for the totals): a count of members under
    /// <c>members</c>, the points held (<c>pointsOutstanding</c>) and owed (<c>pointsDebt</c>) under <c>points</c>.
    /// </summary>
    public static string Segments(SegmentsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static IEnumerable<object?[]> Rows(string region, SegmentCounts c) =>
            new[] { new object?[] { region, "members", "", c.Members, null }, [region, "pointsOutstanding", "", null, c.PointsOutstanding], [region, "pointsDebt", "", null, c.PointsDebt] }
                .Concat(c.Tiers.Select(kv => new object?[] { region, "tier", kv.Key, kv.Value, null }))
                .Concat(c.RfmSegments.Select(kv => new object?[] { region, "rfmSegment", kv.Key, kv.Value, null }))
                .Concat(c.ValueClasses.Select(kv => new object?[] { region, "valueClass", kv.Key, kv.Value, null }))
                .Concat(c.LifecycleStages.Select(kv => new object?[] { region, "lifecycleStage", kv.Key, kv.Value, null }));
        return Write(
            ["regionId", "dimension", "value", "members", "points"],
            report.Regions.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => Rows(kv.Key, kv.Value)).Concat(Rows(AlertRules.AllRegions, report.Total)));
    }

    /// <summary>
    /// One row per alert: the §5 fields (<c>value</c> and <c>threshold</c> fractions, times UTC ISO-8601), then the window
    /// the alert stores (<see cref="AlertView.Window"/>, as <c>GET /alerts</c> and the console show it): the judged local
    /// days <c>windowFrom</c>–<c>windowTo</c> (<c>YYYY-MM-DD</c>), <c>windowDays</c>, the <c>windowThreshold</c> they were
    /// judged against, <c>baselineFrom</c>–<c>baselineTo</c> (<c>points.liability-jump</c> only) and <c>bandLow</c>–<c>bandHigh</c>
    /// (the band a <c>points.redemption-band</c> judgement used, fractions); empty when the alert has no window. Then what
    /// <c>GET /alerts</c> adds: <c>direction</c> (<c>below</c>/<c>above</c>, the side of the bound the value crossed when
    /// raised) and <c>raisedMessage</c> (a resolved alert's raised sentence); empty when not recorded. Last
    /// <c>resolvedWithValue</c> (<c>true</c>: a judgement back within the threshold resolved it and <c>value</c> is that
    /// judgement's; <c>false</c>: resolved without one, its rule turned off or a <c>data.anomaly</c> cleared, <c>value</c>
    /// the last judged while open); empty while open and for alerts resolved before it was recorded. Each group after
    /// the §5 fields was added last, so every earlier column keeps its position.
    /// </summary>
    public static string Alerts(IReadOnlyList<AlertView> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        return Write(
            ["alertId", "rule", "regionId", "state", "value", "threshold", "raisedAt", "resolvedAt", "message",
             "windowFrom", "windowTo", "windowDays", "windowThreshold", "baselineFrom", "baselineTo", "bandLow", "bandHigh",
             "direction", "raisedMessage", "resolvedWithValue"],
            alerts.Select(a => new object?[]
            {
                a.AlertId, a.Rule, a.RegionId, a.State, a.Value, a.Threshold, a.RaisedAt, a.ResolvedAt, a.Message,
                a.Window?.From, a.Window?.To, a.Window?.Days, a.Window?.Threshold, a.Window?.BaselineFrom, a.Window?.BaselineTo,
                a.Window?.BandLow, a.Window?.BandHigh, a.Direction, a.RaisedMessage, a.ResolvedWithValue,
            }));
    }

    private static string Write(string[] header, IEnumerable<object?[]> rows)
    {
        var text = new StringBuilder();
        using (var writer = new StringWriter(text, CultureInfo.InvariantCulture))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var name in header)
            {
                csv.WriteField(name);
            }

            csv.NextRecord();
            foreach (var row in rows)
            {
                foreach (var value in row)
                {
                    csv.WriteField(Format(value));
                }

                csv.NextRecord();
            }
        }

        return text.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
