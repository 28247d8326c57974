using System.Text.Json;
using Engagement.Domain.Metrics;
using static Engagement.Domain.Tests.Metrics.AlertBookKit;

namespace Engagement.Domain.Tests.Metrics;

/// <summary>
/// Alerts are stored compactly (<see cref="AlertRecordJsonConverter"/>) and books written before in the full camelCase
/// shape still load, whole, and drain when they hold more than the bounds now allow.
/// </summary>
public sealed class AlertRecordStorageTests
{
    /// <summary>A resolved alert as the book stored it before (every property, nulls and <c>messageId</c> included).</summary>
    private const string OldResolved = """
        {"alertId":"complaints.high:east:3","rule":"complaints.high","regionId":"east","state":"resolved","value":0.02,"threshold":0.03,
         "raisedAt":"2026-12-05T02:00:00+00:00","resolvedAt":"2026-12-06T02:00:00+00:00","message":"resolved: complaint rate 2%",
         "raisedMessage":"complaint rate 5% (5 complaints in 100 active member-days) over the 7 local days 2026-11-28\u20132026-12-04 (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent",
         "resolvedWithValue":true,"direction":"above",
         "window":{"from":"2026-11-29","to":"2026-12-05","days":7,"threshold":0.03,"baselineFrom":null,"baselineTo":null,"bandLow":null,"bandHigh":null},
         "messageId":"complaints.high:east:3:resolved"}
        """;

    /// <summary>An open alert as the book stored it before.</summary>
    private const string OldOpen = """
        {"alertId":"benefits.redemption-low:west:2","rule":"benefits.redemption-low","regionId":"west","state":"open","value":0.013,"threshold":0.05,
         "raisedAt":"2026-12-05T02:00:00+00:00","resolvedAt":null,"message":"coupon redemption 1.3% over the 7 local days 2026-11-28\u20132026-12-04 (floor 5%)",
         "raisedMessage":null,"resolvedWithValue":null,"direction":"below",
         "window":{"from":"2026-11-28","to":"2026-12-04","days":7,"threshold":0.05,"baselineFrom":null,"baselineTo":null,"bandLow":null,"bandHigh":null},
         "messageId":"benefits.redemption-low:west:2:open"}
        """;

    private static readonly AlertRecord ExpectedResolved = new()
    {
        AlertId = "complaints.high:east:3", Rule = AlertRules.ComplaintsHigh, RegionId = "east", State = AlertStates.Resolved, Value = 0.02, Threshold = 0.03,
        RaisedAt = new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero), ResolvedAt = new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero),
        Message = "resolved: complaint rate 2%",
        RaisedMessage = "complaint rate 5% (5 complaints in 100 active member-days) over the 7 local days 2026-11-28\u20132026-12-04 (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent",
        ResolvedWithValue = true, Direction = AlertDirections.Above,
        Window = new AlertWindow { From = new(2026, 11, 29), To = new(2026, 12, 5), Days = 7, Threshold = 0.03 },
    };

    private static readonly AlertRecord ExpectedOpen = new()
    {
        AlertId = "benefits.redemption-low:west:2", Rule = AlertRules.BenefitsRedemptionLow, RegionId = "west", State = AlertStates.Open, Value = 0.013, Threshold = 0.05,
        RaisedAt = new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero),
        Message = "coupon redemption 1.3% over the 7 local days 2026-11-28\u20132026-12-04 (floor 5%)", Direction = AlertDirections.Below,
        Window = new AlertWindow { From = new(2026, 11, 28), To = new(2026, 12, 4), Days = 7, Threshold = 0.05 },
    };

    [Fact]
    public void AnAlertStoredInTheOldShapeReadsWholeAndIsWrittenBackCompactly()
    {
        var old = JsonSerializer.Deserialize<AlertRecord>(OldResolved, Stored)!;
        Assert.Equal(ExpectedResolved, old);
        Assert.Equal(ExpectedOpen, JsonSerializer.Deserialize<AlertRecord>(OldOpen, Stored));

        var compact = JsonSerializer.Serialize(old, Stored);
        Assert.Equal(old, JsonSerializer.Deserialize<AlertRecord>(compact, Stored));
        Assert.DoesNotContain("messageId", compact, StringComparison.Ordinal);
        Assert.DoesNotContain("null", compact, StringComparison.Ordinal);
        Assert.DoesNotContain("service-process review", compact, StringComparison.Ordinal); // stored as its advice index
        Assert.Contains("\"rma\":2", compact, StringComparison.Ordinal);
        // Measured: 735 bytes as stored before, 385 now.
        Assert.Equal((735, 385), (JsonSerializer.SerializeToUtf8Bytes(JsonDocument.Parse(OldResolved).RootElement, Stored).Length, System.Text.Encoding.UTF8.GetByteCount(compact)));
    }

    /// <summary>A whole book stored before: every part, <c>lastEvaluatedAt</c> and the outbox included, no <c>episodeFloor</c>.</summary>
    [Fact]
    public void ABookStoredInTheOldShapeLoadsEveryPart()
    {
        var stored = "{\"open\":{\"benefits.redemption-low|west\":" + OldOpen + "},\"history\":[" + OldResolved + "],"
            + "\"episodes\":{\"benefits.redemption-low|west\":2,\"complaints.high|east\":3},\"outbox\":[" + OldOpen + "," + OldResolved + "],"
            + "\"lastEvaluatedAt\":\"2026-12-06T02:00:00+00:00\"}";
        var book = JsonSerializer.Deserialize<AlertBookState>(stored, Stored)!;

        Assert.Equal(ExpectedOpen, Assert.Single(book.Open, p => p.Key == "benefits.redemption-low|west").Value);
        Assert.Equal(new[] { ExpectedResolved }, book.History);
        Assert.Equal(new Dictionary<string, int> { ["benefits.redemption-low|west"] = 2, ["complaints.high|east"] = 3 }, book.Episodes);
        Assert.Equal(new[] { ExpectedOpen, ExpectedResolved }, book.Outbox);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), book.LastEvaluatedAt);
        Assert.Equal(0, book.EpisodeFloor);

        // Written back compactly and read again: the same book.
        var again = JsonSerializer.Deserialize<AlertBookState>(JsonSerializer.Serialize(book, Stored), Stored)!;
        Assert.Equal(book.Open, again.Open);
        Assert.Equal(book.History, again.History);
        Assert.Equal(book.Episodes, again.Episodes);
        Assert.Equal(book.Outbox, again.Outbox);
        Assert.Equal(book.LastEvaluatedAt, again.LastEvaluatedAt);
    }

    [Fact]
    public void EveryRulesRaisedMessageIsStoredWithoutItsAdviceAndReadBackWordForWord()
    {
        var raised = AlertBook.Apply(new AlertBookState(), Everywhere(["east"], breached: true), Now, HistoryLimit);
        Assert.Equal(9, raised.Open.Count);
        foreach (var alert in raised.Open.Values)
        {
            var json = JsonSerializer.Serialize(alert, Stored);
            Assert.Contains("\"ma\":", json, StringComparison.Ordinal);
            Assert.Equal(alert, JsonSerializer.Deserialize<AlertRecord>(json, Stored));
        }

        var book = JsonSerializer.Deserialize<AlertBookState>(JsonSerializer.Serialize(raised, Stored), Stored)!;
        Assert.Equal(raised.Open.Values.OrderBy(a => a.AlertId), book.Open.Values.OrderBy(a => a.AlertId));
        Assert.Equal(raised.Outbox, book.Outbox);
    }

    [Fact]
    public void AnAnomalySourceWithColonsAndChineseKeepsItsRuleAndRegion()
    {
        var book = AlertBook.Raise(new AlertBookState(), AlertRules.DataAnomaly, "备份:夜间:1", null, null, "数据备份失败", Now);
        var alert = Assert.Single(book.Open.Values);
        var back = JsonSerializer.Deserialize<AlertRecord>(JsonSerializer.Serialize(alert, Stored), Stored)!;
        Assert.Equal(("data.anomaly:备份:夜间:1:1", AlertRules.DataAnomaly, "备份:夜间:1", "数据备份失败"), (back.AlertId, back.Rule, back.RegionId, back.Message));
    }

    /// <summary>The advice sentences are stored by index: an edit to one would change every alert stored with it.</summary>
    [Fact]
    public void TheStoredAdviceSentencesAreAppendOnly()
    {
        Assert.Equal(6, AlertRecordJsonConverter.AdviceTails.Count);
        Assert.Equal(": churn-warning analysis: find the segments, stores and channels that lost active members and start win-back", AlertRecordJsonConverter.AdviceTails[0]);
        Assert.Equal(": check earn rules, bonus campaigns and manual adjustments of those days for points issued in error, and tell finance the liability grew", AlertRecordJsonConverter.AdviceTails[5]);
    }

    /// <summary>
    /// A book larger than <see cref="AlertBookBounds.BookMaxBytes"/>, as one stored before open alerts were bounded could
    /// be (145 anomalies with 500-character Chinese texts and metric alerts of 32-character regions, within what the row
    /// holds compact), read from the old shape: it loads, refuses raises, and its resolves go through, each write within
    /// what the row holds, until it is within its bound.
    /// </summary>
    [Fact]
    public void AnOverfullOldBookLoadsAndDrains()
    {
        var text = string.Concat(Enumerable.Repeat("数据备份失败请检查存储账户", 40))[..500];
        var metric = Everywhere(AllRegions(MetricsOptions.MaxRegionLength), breached: true).Select(o => new AlertRecord
        {
            AlertId = $"{o.Rule}:{o.RegionId}:1", Rule = o.Rule, RegionId = o.RegionId, State = AlertStates.Open, Value = o.Value, Threshold = o.Threshold,
            RaisedAt = Now.AddDays(-3), Message = o.Message, Window = o.Window, Direction = o.Direction,
        });
        var anomalies = Enumerable.Range(0, 145).Select(i => new AlertRecord
        {
            AlertId = $"data.anomaly:src-{i}:1", Rule = AlertRules.DataAnomaly, RegionId = $"src-{i}", State = AlertStates.Open, RaisedAt = Now.AddDays(-3), Message = text,
        });
        // As many as the row holds compact, less 4 KiB, given to the reader in the old shape.
        var compact = new Dictionary<string, AlertRecord>(StringComparer.Ordinal);
        var bytes = AlertBookBounds.FixedBytes;
        foreach (var a in anomalies.Concat(metric))
        {
            var key = a.Rule + "|" + a.RegionId;
            bytes += AlertBookBounds.OpenEntry(key, a) + AlertBookBounds.EpisodeEntry(key, 1);
            if (bytes > ProviderCharacters - 4096)
            {
                break;
            }

            compact[key] = a;
        }

        var stored = JsonSerializer.Serialize(new
        {
            open = compact.ToDictionary(p => p.Key, p => OldShape(p.Value)),
            history = Array.Empty<object>(),
            episodes = compact.ToDictionary(p => p.Key, _ => 1),
            outbox = Array.Empty<object>(),
        }, Stored);
        var book = JsonSerializer.Deserialize<AlertBookState>(stored, Stored)!;
        var start = Size(book);
        Assert.True(start > AlertBookBounds.BookMaxBytes, $"the old book measures {start} bytes compact");
        Assert.Same(book, AlertBook.Raise(book, AlertRules.DataAnomaly, "backup", null, null, "backup failed", Now));

        var (drained, refused, writes) = AsTheGrain(book, Everywhere(AllRegions(MetricsOptions.MaxRegionLength), breached: false), Now.AddHours(1));
        Assert.Empty(refused);
        Assert.All(writes, w => Assert.InRange(w, 1, ProviderCharacters));
        Assert.Equal(145, drained.Open.Count);
        foreach (var i in Enumerable.Range(0, 145))
        {
            drained = PublishAll(AlertBook.Resolve(drained, AlertRules.DataAnomaly, $"src-{i}", null, Now.AddDays(1), HistoryLimit));
            Assert.InRange(Size(drained), 1, ProviderCharacters);
        }

        Assert.Empty(drained.Open);
        Assert.True(Size(drained) <= AlertBookBounds.BookMaxBytes);
        Assert.NotNull(AlertBook.OpenOf(AlertBook.Raise(drained, AlertRules.DataAnomaly, "backup", null, null, "backup failed", Now.AddDays(1)), AlertRules.DataAnomaly, "backup"));
        Assert.Equal((215, 485_651), (book.Open.Count, start)); // measured: 145 anomalies and 70 metric alerts (FixedBytes holds the 1 KiB record of refused raises and the 512 bytes of the anomalies' latest resolves; 216 before those 512)
    }

    /// <summary>An alert as books stored it before: every property, nulls and the computed <c>messageId</c> included.</summary>
    private static Dictionary<string, object?> OldShape(AlertRecord a) => new(StringComparer.Ordinal)
    {
        ["alertId"] = a.AlertId, ["rule"] = a.Rule, ["regionId"] = a.RegionId, ["state"] = a.State, ["value"] = a.Value, ["threshold"] = a.Threshold,
        ["raisedAt"] = a.RaisedAt, ["resolvedAt"] = a.ResolvedAt, ["message"] = a.Message, ["raisedMessage"] = a.RaisedMessage,
        ["resolvedWithValue"] = a.ResolvedWithValue, ["direction"] = a.Direction,
        ["window"] = a.Window is not { } w ? null : new { w.From, w.To, w.Days, w.Threshold, baselineFrom = w.BaselineFrom, baselineTo = w.BaselineTo, bandLow = w.BandLow, bandHigh = w.BandHigh },
        ["messageId"] = a.MessageId,
    };
}
