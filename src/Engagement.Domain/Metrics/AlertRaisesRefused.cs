using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The alert book's record of raises its bounds refused (<see cref="AlertBookBounds"/>), kept in the book
/// (<see cref="AlertBookState.RaisesRefused"/>) so that an alert that could not be raised is shown where alerts are read
/// (<c>GET /alerts/refused</c>, the <c>X-Alerts-Refused</c> header of <c>GET /alerts</c>, the console's Programme health
/// page), not only logged. Set by an evaluation that refuses a raise (or by a refused <c>data.anomaly</c> raise) and
/// cleared (null) by the next evaluation that raises everything it wants while no refused anomaly raise is pending
/// (<see cref="Anomalies"/>). At most <see cref="MaxBytes"/> of stored JSON.
/// </summary>
public sealed record AlertRaisesRefused
{
    /// <summary>Most rule and region pairs kept (<see cref="Alerts"/>): the first of the last refusal.</summary>
    public const int MaxAlerts = 10;

    /// <summary>
    /// The most UTF-8 bytes the record takes in the stored book: 1 KiB (1,024), counted in the book's fixed part
    /// (<see cref="AlertBookBounds"/>); pairs past it are left out of <see cref="Alerts"/> (still counted).
    /// </summary>
    public const int MaxBytes = 1024;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    /// <summary>When (UTC) the first raise since the record was last cleared was refused.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>
    /// Raises refused since <see cref="Since"/>, counted per evaluation (an alert refused at three evaluations counts
    /// three) and per refused <c>data.anomaly</c> raise.
    /// </summary>
    public long Total { get; init; }

    /// <summary>When (UTC) the last refusal happened: the evaluation (or anomaly report) that refused <see cref="LastCount"/>.</summary>
    public DateTimeOffset LastAt { get; init; }

    /// <summary>Raises not raised now: the last refusing evaluation's, and the pending anomaly raises (<see cref="Anomalies"/>).</summary>
    public int LastCount { get; init; }

    /// <summary>
    /// The first raises the last refusing evaluation left unraised, in the order judged (at most <see cref="MaxAlerts"/>,
    /// and fewer when their region ids are long: <see cref="MaxBytes"/>). Refused <c>data.anomaly</c> raises are kept
    /// apart (<see cref="Anomalies"/>); rows stored before that may hold one here.
    /// </summary>
    public IReadOnlyList<AlertRefusedPair> Alerts { get; init; } = [];

    /// <summary>
    /// Sources whose <c>data.anomaly</c> raise the book refused and that are not raised since, oldest first (at most
    /// <see cref="MaxAnomalies"/>, fewer when long: <see cref="MaxBytes"/>; the oldest are forgotten first, still logged and
    /// tried again when their source reports). An evaluation carries them forward; a source's successful raise or resolve
    /// removes it. Null (left out of the stored JSON) while none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Anomalies { get; init; }

    /// <summary>Most refused anomaly sources kept (<see cref="Anomalies"/>).</summary>
    public const int MaxAnomalies = 5;

    /// <summary>
    /// The record after an evaluation at <paramref name="now"/> (UTC) whose refused changes are <paramref name="refused"/>
    /// (only its raises count; pass none that merely wait for a later part), added to <paramref name="before"/> (null when
    /// clear). Refused anomaly sources of <paramref name="before"/> are carried forward. Null when the evaluation raised
    /// everything it wanted and no anomaly raise is pending: the record clears.
    /// </summary>
    public static AlertRaisesRefused? After(AlertRaisesRefused? before, IReadOnlyList<AlertRefusal> refused, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var raises = refused.Where(r => r.Change == "raise").ToList();
        var anomalies = before?.Anomalies ?? [];
        if (raises.Count == 0 && anomalies.Count == 0)
        {
            return null;
        }

        var record = new AlertRaisesRefused
        {
            Since = before?.Since ?? now,
            Total = (before?.Total ?? 0) + raises.Count,
            LastAt = raises.Count > 0 ? now : before!.LastAt,
            LastCount = raises.Count + anomalies.Count,
            Anomalies = anomalies.Count > 0 ? anomalies : null,
        };
        return WithPairs(record, raises.Take(MaxAlerts).Select(r => new AlertRefusedPair(r.Rule, r.RegionId)));
    }

    /// <summary>
    /// The record after the book refused to raise <c>data.anomaly</c> for <paramref name="source"/> at
    /// <paramref name="now"/> (UTC): one raise refused, added to <paramref name="before"/>; the source is kept in
    /// <see cref="Anomalies"/> (once) beside what the evaluations left unraised.
    /// </summary>
    public static AlertRaisesRefused AddAnomaly(AlertRaisesRefused? before, string source, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        var anomalies = (before?.Anomalies ?? []).Where(s => s != source).Append(source).ToList();
        var evaluation = EvaluationCount(before);
        var record = new AlertRaisesRefused
        {
            Since = before?.Since ?? now,
            Total = (before?.Total ?? 0) + 1,
            LastAt = now,
            LastCount = evaluation,
            Alerts = before?.Alerts ?? [],
        };
        // The oldest sources are forgotten first past the count or the bytes (the evaluation's pairs go before any source).
        while (anomalies.Count > 0)
        {
            var candidate = record with { Anomalies = anomalies, LastCount = evaluation + anomalies.Count };
            if (anomalies.Count <= MaxAnomalies && StoredBytes(candidate with { Alerts = [] }) <= MaxBytes)
            {
                return WithPairs(candidate with { Alerts = [] }, record.Alerts);
            }

            anomalies.RemoveAt(0);
        }

        return record;
    }

    /// <summary>
    /// The record once <c>data.anomaly</c> for <paramref name="source"/> no longer waits for room (raised, or resolved):
    /// <paramref name="before"/> itself when it does not hold the source; null when nothing else is left unraised.
    /// </summary>
    public static AlertRaisesRefused? RemoveAnomaly(AlertRaisesRefused? before, string source)
    {
        if (before?.Anomalies is not { } anomalies || !anomalies.Contains(source))
        {
            return before;
        }

        var left = anomalies.Where(s => s != source).ToList();
        var evaluation = EvaluationCount(before);
        return evaluation == 0 && left.Count == 0
            ? null
            : before with { Anomalies = left.Count > 0 ? left : null, LastCount = evaluation + left.Count };
    }

    /// <summary>The raises the last refusing evaluation left unraised (<see cref="LastCount"/> without the anomalies).</summary>
    private static int EvaluationCount(AlertRaisesRefused? record) =>
        record is null ? 0 : Math.Max(0, record.LastCount - (record.Anomalies?.Count ?? 0));

    /// <summary><paramref name="record"/> with the first of <paramref name="pairs"/> that fit in <see cref="MaxBytes"/>.</summary>
    private static AlertRaisesRefused WithPairs(AlertRaisesRefused record, IEnumerable<AlertRefusedPair> pairs)
    {
        var kept = new List<AlertRefusedPair>();
        var bytes = StoredBytes(record);
        foreach (var pair in pairs.Take(MaxAlerts))
        {
            bytes += JsonSerializer.SerializeToUtf8Bytes(pair, StoredJson).Length + 1;
            if (bytes > MaxBytes)
            {
                break;
            }

            kept.Add(pair);
        }

        return record with { Alerts = kept };
    }

    /// <summary>UTF-8 bytes of <paramref name="record"/>'s JSON as the alerts grain stores it.</summary>
    public static int StoredBytes(AlertRaisesRefused record) => JsonSerializer.SerializeToUtf8Bytes(record, StoredJson).Length;
}

/// <summary>A refused raise: its rule and region (<see cref="AlertRules.AllRegions"/> or a <c>data.anomaly</c>'s source).</summary>
/// <param name="Rule">The rule, e.g. <c>complaints.high</c>.</param>
/// <param name="RegionId">The region id.</param>
public sealed record AlertRefusedPair(string Rule, string RegionId);
