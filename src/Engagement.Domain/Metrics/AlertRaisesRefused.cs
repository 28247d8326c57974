using System.Text.Json;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The alert book's record of raises its bounds refused (<see cref="AlertBookBounds"/>), kept in the book
/// (<see cref="AlertBookState.RaisesRefused"/>) so that an alert that could not be raised is shown where alerts are read
/// (<c>GET /alerts/refused</c>, the <c>X-Alerts-Refused</c> header of <c>GET /alerts</c>, the console's Programme health
/// page), not only logged. Set by an evaluation that refuses a raise (or by a refused <c>data.anomaly</c> raise) and
/// cleared (null) by the next evaluation that raises everything it wants. At most <see cref="MaxBytes"/> of stored JSON.
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

    /// <summary>Raises refused then.</summary>
    public int LastCount { get; init; }

    /// <summary>
    /// The first of those, in the order judged (at most <see cref="MaxAlerts"/>, and fewer when their region ids are long:
    /// <see cref="MaxBytes"/>).
    /// </summary>
    public IReadOnlyList<AlertRefusedPair> Alerts { get; init; } = [];

    /// <summary>
    /// The record after a refusal of the raises among <paramref name="refused"/> at <paramref name="now"/> (UTC), added
    /// to <paramref name="before"/> (the record before the evaluation; null when clear). Null when none of them is a
    /// raise: the evaluation raised everything it wanted, and the record clears.
    /// </summary>
    public static AlertRaisesRefused? After(AlertRaisesRefused? before, IReadOnlyList<AlertRefusal> refused, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var raises = refused.Where(r => r.Change == "raise").ToList();
        if (raises.Count == 0)
        {
            return null;
        }

        var record = new AlertRaisesRefused
        {
            Since = before?.Since ?? now,
            Total = (before?.Total ?? 0) + raises.Count,
            LastAt = now,
            LastCount = raises.Count,
        };
        var kept = new List<AlertRefusedPair>();
        var bytes = StoredBytes(record);
        foreach (var r in raises.Take(MaxAlerts))
        {
            var pair = new AlertRefusedPair(r.Rule, r.RegionId);
            bytes += JsonSerializer.SerializeToUtf8Bytes(pair, StoredJson).Length + 1;
            if (bytes > MaxBytes)
            {
                break;
            }

            kept.Add(pair);
        }

        return record with { Alerts = kept };
    }

    /// <summary>
    /// The record after the book refused to raise <c>data.anomaly</c> for <paramref name="source"/> at
    /// <paramref name="now"/> (UTC): one raise refused, added to <paramref name="before"/>.
    /// </summary>
    public static AlertRaisesRefused? AddAnomaly(AlertRaisesRefused? before, string source, DateTimeOffset now) =>
        After(before, [new AlertRefusal("raise", AlertRules.DataAnomaly, source, false)], now);

    /// <summary>UTF-8 bytes of <paramref name="record"/>'s JSON as the alerts grain stores it.</summary>
    public static int StoredBytes(AlertRaisesRefused record) => JsonSerializer.SerializeToUtf8Bytes(record, StoredJson).Length;
}

/// <summary>A refused raise: its rule and region (<see cref="AlertRules.AllRegions"/> or a <c>data.anomaly</c>'s source).</summary>
/// <param name="Rule">The rule, e.g. <c>complaints.high</c>.</param>
/// <param name="RegionId">The region id.</param>
public sealed record AlertRefusedPair(string Rule, string RegionId);
