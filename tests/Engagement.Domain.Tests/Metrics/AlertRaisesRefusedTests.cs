using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.AlertBookKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// The record of raises the book's bounds refused (<see cref="AlertRaisesRefused"/>, kept in the book so that
/// <c>GET /alerts/refused</c> and the console show it): set by a refusing evaluation, added to by the next, bounded in
/// bytes, and cleared by an evaluation that raises everything it wants.
/// </summary>
public sealed class AlertRaisesRefusedTests
{
    [Fact]
    public void ARefusingEvaluationIsRecordedAddedToByTheNextAndClearedOnceEverythingIsRaised()
    {
        // The longest region ids: 63 regional raises refused (AlertBookBoundsTests).
        var observations = Everywhere(AllRegions(MetricsOptions.MaxRegionLength), breached: true);
        var (book, refused, _) = AsTheGrain(new AlertBookState(), observations, Now);
        var first = AlertRaisesRefused.After(null, refused, Now);

        Assert.NotNull(first);
        Assert.Equal((Now, 63L, Now, 63), (first.Since, first.Total, first.LastAt, first.LastCount));
        Assert.Equal(refused.Take(first.Alerts.Count).Select(r => new AlertRefusedPair(r.Rule, r.RegionId)), first.Alerts);
        Assert.InRange(first.Alerts.Count, 1, AlertRaisesRefused.MaxAlerts);
        Assert.InRange(AlertRaisesRefused.StoredBytes(first), 1, AlertRaisesRefused.MaxBytes);

        // The next evaluation refuses them again: counted again, since kept.
        var later = Now.AddHours(1);
        var again = AlertBook.Evaluate(book with { RaisesRefused = first }, observations, later, HistoryLimit);
        var second = AlertRaisesRefused.After(first, again.Refused, later);
        Assert.Equal((Now, 126L, later, 63), (second!.Since, second.Total, second.LastAt, second.LastCount));

        // Resolves only (no raise refused) clear it, as does an evaluation that raises everything it wants.
        Assert.Null(AlertRaisesRefused.After(second, [new AlertRefusal("resolve", AlertRules.ComplaintsHigh, "east", true)], later));
        var (_, none, _) = AsTheGrain(new AlertBookState(), Everywhere(AllRegions(), breached: true), later);
        Assert.Null(AlertRaisesRefused.After(second, none, later));
    }

    [Fact]
    public void TheRecordStaysWithinItsBytesWithTheLongestSourcesAndCountsWhatItLeavesOut()
    {
        // 64-character Chinese anomaly sources, escaped to 6 bytes a character in the stored JSON.
        var refused = Enumerable.Range(0, 500).Select(i => new AlertRefusal("raise", AlertRules.DataAnomaly, i + new string('库', 60), false)).ToList();
        var record = AlertRaisesRefused.After(null, refused, Now)!;

        Assert.Equal(500, record.LastCount);
        Assert.InRange(AlertRaisesRefused.StoredBytes(record), 1, AlertRaisesRefused.MaxBytes);
        Assert.Equal(2, record.Alerts.Count); // measured: two such pairs fit in 1 KiB

        // A refused anomaly raise is added to what the evaluations recorded, kept beside their pairs (within the bytes).
        var anomaly = AlertRaisesRefused.AddAnomaly(record, "backup", Now.AddMinutes(5));
        Assert.Equal((Now, 501L, 501), (anomaly.Since, anomaly.Total, anomaly.LastCount));
        Assert.Equal(["backup"], anomaly.Anomalies);
        Assert.Equal(record.Alerts.Take(1), anomaly.Alerts.Take(1));
        Assert.InRange(AlertRaisesRefused.StoredBytes(anomaly), 1, AlertRaisesRefused.MaxBytes);

        // The longest sources: the oldest are forgotten first, the record stays within its bytes.
        var many = Enumerable.Range(0, 8).Aggregate(anomaly, (r, i) => AlertRaisesRefused.AddAnomaly(r, i + new string('库', 63), Now.AddMinutes(i)));
        Assert.InRange(AlertRaisesRefused.StoredBytes(many), 1, AlertRaisesRefused.MaxBytes);
        Assert.Equal("7" + new string('库', 63), many.Anomalies![^1]);
        Assert.Equal(500 + many.Anomalies.Count, many.LastCount);
    }

    [Fact]
    public void ARefusedAnomalyKeepsTheEvaluationsRefusalsAndOutlivesAnEvaluationWithRoomUntilRaised()
    {
        // An evaluation refuses 2 raises, then the book refuses a backup-failure anomaly: 3 not raised now, all shown.
        var evaluation = AlertRaisesRefused.After(null, [Raise(AlertRules.ComplaintsHigh, "east"), Raise(AlertRules.ComplaintsHigh, "west")], Now)!;
        var withAnomaly = AlertRaisesRefused.AddAnomaly(evaluation, "backup", Now.AddMinutes(1));
        Assert.Equal((3L, 3), (withAnomaly.Total, withAnomaly.LastCount));
        Assert.Equal([new AlertRefusedPair(AlertRules.ComplaintsHigh, "east"), new AlertRefusedPair(AlertRules.ComplaintsHigh, "west")], withAnomaly.Alerts);
        Assert.Equal(["backup"], withAnomaly.Anomalies);

        // The same source refused again is counted, not listed twice.
        var again = AlertRaisesRefused.AddAnomaly(withAnomaly, "backup", Now.AddMinutes(2));
        Assert.Equal((4L, 3), (again.Total, again.LastCount));

        // An evaluation with room clears its 2 but keeps the anomaly, still not raised.
        var later = AlertRaisesRefused.After(again, [], Now.AddHours(1))!;
        Assert.Equal((4L, 1, Now.AddMinutes(2), Now), (later.Total, later.LastCount, later.LastAt, later.Since));
        Assert.Empty(later.Alerts);
        Assert.Equal(["backup"], later.Anomalies);

        // Raised (or resolved): nothing is left, the record clears; another source is left as it is.
        Assert.Same(later, AlertRaisesRefused.RemoveAnomaly(later, "other"));
        Assert.Null(AlertRaisesRefused.RemoveAnomaly(later, "backup"));
        var evaluationLeft = AlertRaisesRefused.RemoveAnomaly(again, "backup")!;
        Assert.Equal((2, (IReadOnlyList<string>?)null), (evaluationLeft.LastCount, evaluationLeft.Anomalies));
    }

    private static AlertRefusal Raise(string rule, string region) => new("raise", rule, region, false);

    [Fact]
    public void ABookWithTheRecordRoundTripsAndOneWithoutItIsStoredAsBefore()
    {
        var record = AlertRaisesRefused.After(null, [new AlertRefusal("raise", AlertRules.ComplaintsHigh, "east", false)], Now)!;
        var book = new AlertBookState { LastEvaluatedAt = Now, RaisesRefused = record };
        var json = System.Text.Json.JsonSerializer.Serialize(book, Stored);
        var read = System.Text.Json.JsonSerializer.Deserialize<AlertBookState>(json, Stored)!;

        Assert.Equal(record.Alerts, read.RaisesRefused!.Alerts);
        Assert.Equal(record with { Alerts = read.RaisesRefused.Alerts }, read.RaisesRefused);
        Assert.DoesNotContain("raisesRefused", System.Text.Json.JsonSerializer.Serialize(book with { RaisesRefused = null }, Stored), StringComparison.Ordinal);
    }
}
