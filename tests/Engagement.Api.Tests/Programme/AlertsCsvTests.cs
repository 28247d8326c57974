using Engagement.Api.Programme;
using Engagement.Contracts.Programme;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// <c>GET /alerts?format=csv</c> (<see cref="ProgrammeCsv.Alerts"/>) carries the window each alert stores: the export had
/// the §5 fields only, so a reader of the CSV could not tell which local days a value was judged on, nor against which
/// threshold, while <c>GET /alerts</c> and the console showed both. Nor did it carry what <c>GET /alerts</c> added later
/// (<c>direction</c>, <c>raisedMessage</c>, the points band's <c>bandLow</c>–<c>bandHigh</c>), though docs/programme-health.md says the
/// export is the same: a resolved alert exported only its resolution, never the sentence it was raised with; nor, later,
/// <c>resolvedWithValue</c>, so a reader could not tell a breaching value kept by a rule turned off from a resolving one.
/// </summary>
public sealed class AlertsCsvTests
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheAlertsExportEndsWithTheJudgedWindowThenTheDirectionAndRaisedSentence()
    {
        var liability = Resolved("points.liability-jump:all:2", "all", 0.05, 0.15, resolvedAfterDays: 3, "points outstanding 1200, +16% (ceiling +15%)", new AlertWindowView
        {
            From = new DateOnly(2026, 12, 1), To = new DateOnly(2026, 12, 7), Days = 7, Threshold = 0.15,
            BaselineFrom = new DateOnly(2026, 11, 3), BaselineTo = new DateOnly(2026, 11, 30),
        });
        var band = Resolved("points.redemption-band:east:1", "east", 0.22, 0.28, resolvedAfterDays: 1, "resolved: points redemption 22%, back within the band 20%–25%", new AlertWindowView
        {
            From = new DateOnly(2026, 9, 7), To = new DateOnly(2026, 12, 5), Days = 90, Threshold = 0.25, BandLow = 0.2, BandHigh = 0.25,
        }) with
        {
            Direction = "below",
            RaisedMessage = "points redemption 20% (band 28%–32%): points hoarding review",
            ResolvedWithValue = false,
        };
        var anomaly = new AlertView
        {
            AlertId = "data.anomaly:backup:1", Rule = "data.anomaly", RegionId = "backup", State = "open",
            RaisedAt = RaisedAt, Message = "manifest unreadable", MessageId = "data.anomaly:backup:1:open",
        };

        var lines = ProgrammeCsv.Alerts([liability, band, anomaly]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.Equal(
            "alertId,rule,regionId,state,value,threshold,raisedAt,resolvedAt,message,windowFrom,windowTo,windowDays,windowThreshold,baselineFrom,baselineTo,"
            + "bandLow,bandHigh,direction,raisedMessage,resolvedWithValue",
            lines[0]);
        Assert.Equal(
            "points.liability-jump:all:2,points.liability-jump,all,resolved,0.05,0.15,2026-12-05T02:00:00.0000000+00:00,2026-12-08T02:00:00.0000000+00:00,"
            + "\"points outstanding 1200, +16% (ceiling +15%)\",2026-12-01,2026-12-07,7,0.15,2026-11-03,2026-11-30,,,,,true",
            lines[1]);
        Assert.Equal(
            "points.redemption-band:east:1,points.redemption-band,east,resolved,0.22,0.28,2026-12-05T02:00:00.0000000+00:00,2026-12-06T02:00:00.0000000+00:00,"
            + "\"resolved: points redemption 22%, back within the band 20%–25%\",2026-09-07,2026-12-05,90,0.25,,,0.2,0.25,below,"
            + "points redemption 20% (band 28%–32%): points hoarding review,false",
            lines[2]);
        Assert.Equal("data.anomaly:backup:1,data.anomaly,backup,open,,,2026-12-05T02:00:00.0000000+00:00,,manifest unreadable,,,,,,,,,,,", lines[3]);
    }

    /// <summary>
    /// An alert of <paramref name="alertId"/> (its rule the id's first part) raised at <see cref="RaisedAt"/> and resolved
    /// <paramref name="resolvedAfterDays"/> days later, with its resolution's message and the window it was judged on.
    /// </summary>
    private static AlertView Resolved(string alertId, string regionId, double value, double threshold, int resolvedAfterDays, string message, AlertWindowView window) => new()
    {
        AlertId = alertId,
        Rule = alertId[..alertId.IndexOf(':', StringComparison.Ordinal)],
        RegionId = regionId,
        State = "resolved",
        Value = value,
        Threshold = threshold,
        RaisedAt = RaisedAt,
        ResolvedAt = RaisedAt.AddDays(resolvedAfterDays),
        Message = message,
        MessageId = alertId + ":resolved",
        Window = window,
        ResolvedWithValue = true,
    };
}
