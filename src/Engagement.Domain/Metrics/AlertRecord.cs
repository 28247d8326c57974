using System.Text.Json.Serialization;

namespace Engagement.Domain.Metrics;

/// <summary>Alert states on the wire (CONTRACT.md §5).</summary>
public static class AlertStates
{
    public const string Open = "open";
    public const string Resolved = "resolved";
}

/// <summary>
/// Which side of its threshold a metric alert's value was on when the alert was raised (CONTRACT.md §5, recorded on the
/// alert): <see cref="Below"/> a floor (activity, coupons, the points band's low end), <see cref="Above"/> a ceiling
/// (complaints, the points band's high end, the liability rise).
/// </summary>
public static class AlertDirections
{
    /// <summary>The value fell below the threshold (a floor).</summary>
    public const string Below = "below";

    /// <summary>The value rose above the threshold (a ceiling).</summary>
    public const string Above = "above";
}

/// <summary>
/// One alert episode: raised once, resolved once (CONTRACT.md §5 message shape). Stored compactly
/// (<see cref="AlertRecordJsonConverter"/>).
/// </summary>
[JsonConverter(typeof(AlertRecordJsonConverter))]
public sealed record AlertRecord
{
    /// <summary>
    /// Deterministic: <c>{rule}:{regionId}:{episode}</c>, the episode counting up per rule and region, from 1, or from
    /// above <see cref="AlertBookState.EpisodeFloor"/> once that pair's number was forgotten; never reused.
    /// </summary>
    public required string AlertId { get; init; }

    public required string Rule { get; init; }

    public required string RegionId { get; init; }

    /// <summary><see cref="AlertStates.Open"/> or <see cref="AlertStates.Resolved"/>.</summary>
    public required string State { get; init; }

    /// <summary>The measured value when raised (or last seen while open).</summary>
    public double? Value { get; init; }

    public double? Threshold { get; init; }

    /// <summary>UTC.</summary>
    public DateTimeOffset RaisedAt { get; init; }

    /// <summary>UTC; null while open.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>
    /// The contract's English text (CONTRACT.md §5): while open, the sentence the alert was raised with; once resolved,
    /// what resolved it (<see cref="AlertBook.Resolve"/>: the value back within its threshold, on which local days, and
    /// when it was raised at what value), the raised sentence kept in <see cref="RaisedMessage"/>.
    /// </summary>
    public string Message { get; init; } = "";

    /// <summary>
    /// Resolved alerts: the sentence the alert was raised with (its <see cref="Message"/> while open). Null while open and
    /// for alerts resolved before it was kept, whose <see cref="Message"/> is still the raised sentence.
    /// </summary>
    public string? RaisedMessage { get; init; }

    /// <summary>
    /// Resolved alerts: whether the resolve carried a value (<see cref="AlertBook.Resolve"/>). True: a judgement back
    /// within the threshold resolved it, and <see cref="Value"/> is that judgement's. False: it was resolved without one
    /// (its rule turned off, <c>Engagement:Alerts:Disabled</c>, or a <c>data.anomaly</c> cleared), so <see cref="Value"/>
    /// is still the last one judged while open, possibly over the threshold. Null while open and for alerts resolved
    /// before it was recorded: unknown, their value shown as stored. Kept in the store and <c>GET /alerts</c>; the queue
    /// message keeps CONTRACT.md §5's shape and never carries it.
    /// </summary>
    public bool? ResolvedWithValue { get; init; }

    /// <summary>
    /// <see cref="AlertDirections.Below"/> or <see cref="AlertDirections.Above"/>: the side of <see cref="Threshold"/> (the
    /// bound it crossed, e.g. the points band's low end 0.28, kept when it resolves) the value was on when the alert was
    /// raised, recorded then so that changing the thresholds afterwards cannot turn an old alert's "below" into "above".
    /// Null for <c>data.anomaly</c> and for alerts stored before it was recorded (the console then infers it).
    /// </summary>
    public string? Direction { get; init; }

    /// <summary>
    /// The local days the rule judged for <see cref="Value"/>: those it raised the alert on, replaced by those it resolved
    /// it on when a resolving value replaces <see cref="Value"/>. Null for <c>data.anomaly</c> (no window) and for alerts
    /// stored before windows were recorded (shown as "window not recorded").
    /// </summary>
    public AlertWindow? Window { get; init; }

    /// <summary>The id of the queue message for this state: <c>{alertId}:{state}</c>; a consumer drops repeats by it.</summary>
    public string MessageId => AlertId + ":" + State;
}

/// <summary>
/// The alert book: open episodes, closed history (bounded), and the outbox of state changes not yet published.
/// Persisted whole by the alert grain, so a change and its message are written together.
/// </summary>
public sealed record AlertBookState
{
    /// <summary>Open episodes by <c>{rule}|{regionId}</c>; with the outbox and episode numbers within <see cref="AlertBookBounds.BookMaxBytes"/>.</summary>
    public IReadOnlyDictionary<string, AlertRecord> Open { get; init; } = new Dictionary<string, AlertRecord>(StringComparer.Ordinal);

    /// <summary>
    /// Resolved episodes, newest first, at most <see cref="AlertOptions.HistoryLimit"/> and at most
    /// <see cref="AlertBook.HistoryMaxBytes"/> of stored JSON (<see cref="AlertBook.Resolve"/> drops the oldest first).
    /// </summary>
    public IReadOnlyList<AlertRecord> History { get; init; } = [];

    /// <summary>
    /// Episodes raised so far per <c>{rule}|{regionId}</c> (numbers the next alert id), at most
    /// <see cref="AlertBookBounds.EpisodesMaxBytes"/> of stored JSON.
    /// </summary>
    public IReadOnlyDictionary<string, int> Episodes { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// At least every episode number forgotten to keep <see cref="Episodes"/> within its bound (0 while none was): a rule
    /// and region without a number of its own numbers its next episode above it, so an alert id is never reused. Left out
    /// of the stored JSON while 0 (books stored before it read as 0).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int EpisodeFloor { get; init; }

    /// <summary>State changes to publish to <c>engagement-alerts</c>, oldest first.</summary>
    public IReadOnlyList<AlertRecord> Outbox { get; init; } = [];

    public DateTimeOffset? LastEvaluatedAt { get; init; }

    /// <summary>
    /// Raises the book's bounds refused since the last evaluation that raised everything it wanted; null (left out of the
    /// stored JSON, as in books stored before it was kept) while none was. At most <see cref="AlertRaisesRefused.MaxBytes"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AlertRaisesRefused? RaisesRefused { get; init; }

    /// <summary>
    /// Per <c>data.anomaly</c> source whose latest report is a resolve, when (UTC) its reporter observed it: a raise
    /// observed before it is ignored (<see cref="AnomalyResolves"/>). Null (left out of the stored JSON, as in books stored
    /// before it was kept) while there is none. A source is here or in <see cref="AnomalyRaisedAt"/>, not both; together
    /// at most <see cref="AnomalyResolves.MaxSources"/> sources and <see cref="AnomalyResolves.MaxBytes"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, DateTimeOffset>? AnomalyResolvedAt { get; init; }

    /// <summary>
    /// Per <c>data.anomaly</c> source whose latest report is a raise, when (UTC) its reporter observed it: a resolve
    /// observed before it is ignored (<see cref="AnomalyResolves"/>), so a late retried resolve
    /// does not close a newer raise. Null (left out of the stored JSON, as in books stored before it was kept) while there
    /// is none; bounded with <see cref="AnomalyResolvedAt"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, DateTimeOffset>? AnomalyRaisedAt { get; init; }
}
