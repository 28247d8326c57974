using Engagement.Api.Programme;
using Engagement.Contracts.Programme;

namespace Engagement.Api.Tests.Programme;

/// <summary>
/// <c>GET /alerts?format=csv</c> (<see cref="ProgrammeCsv.Alerts"/>) carries the window each alert stores: the export had
/// the §5 fields only, so a reader of the CSV could not tell which local days a value was judged on, nor against which
/// threshold, while <c>GET /alerts</c> and the console showed both.
/// </summary>
public sealed class AlertsCsvTests
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 12, 5, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheAlertsExportEndsWithTheJudgedWindowAndIsEmptyThereForAnAlertWithoutOne()
    {
        var liability = new AlertView
        {
            AlertId = "points.liability-jump:all:2",
            Rule = "points.liability-jump",
            RegionId = "all",
            State = "resolved",
            Value = 0.05,
            Threshold = 0.15,
            RaisedAt = RaisedAt,
            ResolvedAt = RaisedAt.AddDays(3),
            Message = "points outstanding 1200, +16% (ceiling +15%)",
            MessageId = "points.liability-jump:all:2:resolved",
            Window = new AlertWindowView
            {
                From = new DateOnly(2026, 12, 1), To = new DateOnly(2026, 12, 7), Days = 7, Threshold = 0.15,
                BaselineFrom = new DateOnly(2026, 11, 3), BaselineTo = new DateOnly(2026, 11, 30),
            },
        };
        var anomaly = new AlertView
        {
            AlertId = "data.anomaly:backup:1", Rule = "data.anomaly", RegionId = "backup", State = "open",
            RaisedAt = RaisedAt, Message = "manifest unreadable", MessageId = "data.anomaly:backup:1:open",
        };

        var lines = ProgrammeCsv.Alerts([liability, anomaly]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.Equal(
            "alertId,rule,regionId,state,value,threshold,raisedAt,resolvedAt,message,windowFrom,windowTo,windowDays,windowThreshold,baselineFrom,baselineTo",
            lines[0]);
        Assert.Equal(
            "points.liability-jump:all:2,points.liability-jump,all,resolved,0.05,0.15,2026-12-05T02:00:00.0000000+00:00,2026-12-08T02:00:00.0000000+00:00,"
            + "\"points outstanding 1200, +16% (ceiling +15%)\",2026-12-01,2026-12-07,7,0.15,2026-11-03,2026-11-30",
            lines[1]);
        Assert.Equal("data.anomaly:backup:1,data.anomaly,backup,open,,,2026-12-05T02:00:00.0000000+00:00,,manifest unreadable,,,,,,", lines[2]);
    }
}
