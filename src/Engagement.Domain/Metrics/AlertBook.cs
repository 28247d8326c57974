using System.Globalization;
using System.Text.Json;

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

/// <summary>One alert episode: raised once, resolved once (CONTRACT.md §5 message shape).</summary>
public sealed record AlertRecord
{
    /// <summary>Deterministic: <c>{rule}:{regionId}:{episode}</c>, the episode counting from 1 per rule and region.</summary>
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
    /// <summary>Open episodes by <c>{rule}|{regionId}</c>.</summary>
    public IReadOnlyDictionary<string, AlertRecord> Open { get; init; } = new Dictionary<string, AlertRecord>(StringComparer.Ordinal);

    /// <summary>
    /// Resolved episodes, newest first, at most <see cref="AlertOptions.HistoryLimit"/> and at most
    /// <see cref="AlertBook.HistoryMaxBytes"/> of stored JSON (<see cref="AlertBook.Resolve"/> drops the oldest first).
    /// </summary>
    public IReadOnlyList<AlertRecord> History { get; init; } = [];

    /// <summary>Episodes raised so far per <c>{rule}|{regionId}</c> (numbers the next alert id).</summary>
    public IReadOnlyDictionary<string, int> Episodes { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>State changes to publish to <c>engagement-alerts</c>, oldest first.</summary>
    public IReadOnlyList<AlertRecord> Outbox { get; init; } = [];

    public DateTimeOffset? LastEvaluatedAt { get; init; }
}

/// <summary>Episode logic: raise once per episode, resolve on recovery, queue each change once. Pure.</summary>
public static class AlertBook
{
    /// <summary>
    /// The most UTF-8 bytes of JSON the resolved history takes in the stored book: 256 KiB (262,144 bytes), about half
    /// of the 480 KiB grain-state bound (<c>Engagement:Storage:MaxGrainStateBytes</c>), the rest left for open alerts and
    /// the outbox. The count limit alone did not bound it: a resolved <c>data.anomaly</c> keeps two texts of up to 500
    /// characters each and stored JSON escapes a CJK character to 6 bytes, so 500 such alerts measured about 3 MB, every
    /// write of the book was refused and alerts stopped. Measured as the alerts grain stores it (System.Text.Json web
    /// defaults, <see cref="StoredBytes"/>).
    /// </summary>
    public const int HistoryMaxBytes = 256 * 1024;

    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// UTF-8 bytes of <paramref name="record"/>'s JSON as the alerts grain stores it (System.Text.Json web defaults,
    /// non-ASCII escaped as <c>\uXXXX</c>).
    /// </summary>
    public static int StoredBytes(AlertRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, StoredJson).Length;

    /// <summary>
    /// Applies observations: a breached rule without an open episode opens one; an open episode whose rule no longer
    /// holds is resolved; an observation without a value (too little data to judge) leaves the episode as it is, so a
    /// rate whose denominator hovers around its minimum does not close and reopen episodes. Open episodes of the rules in
    /// <paramref name="disabled"/> are resolved, saying so. Each change joins the outbox.
    /// </summary>
    /// <param name="state">The book before.</param>
    /// <param name="observations">This evaluation's observations.</param>
    /// <param name="now">The evaluation instant, UTC.</param>
    /// <param name="historyLimit">Resolved episodes kept.</param>
    /// <param name="disabled">Rules turned off (<see cref="AlertOptions.Disabled"/>); null for none.</param>
    public static AlertBookState Apply(AlertBookState state, IEnumerable<AlertObservation> observations, DateTimeOffset now, int historyLimit, IReadOnlyCollection<string>? disabled = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observations);
        var next = state;
        foreach (var o in observations)
        {
            if (o.Breached)
            {
                next = Raise(next, o.Rule, o.RegionId, o.Value, o.Threshold, o.Message, now, o.Window, o.Direction);
            }
            else if (o.Value is not null)
            {
                next = Resolve(next, o.Rule, o.RegionId, o.Value, now, historyLimit, window: o.Window);
            }
        }

        foreach (var open in next.Open.Values.Where(a => disabled?.Contains(a.Rule) == true).ToList())
        {
            next = Resolve(next, open.Rule, open.RegionId, null, now, historyLimit, "resolved: the rule was turned off (Engagement:Alerts:Disabled)");
        }

        return next with { LastEvaluatedAt = now };
    }

    /// <summary>
    /// Opens an episode for <paramref name="rule"/> in <paramref name="regionId"/> unless one is open, recording the
    /// judged <paramref name="window"/> (null for none, as for <c>data.anomaly</c>) and the <paramref name="direction"/> in
    /// which the value crossed <paramref name="threshold"/> (<see cref="AlertDirections"/>; null for none).
    /// </summary>
    public static AlertBookState Raise(AlertBookState state, string rule, string regionId, double? value, double? threshold, string message, DateTimeOffset now, AlertWindow? window = null, string? direction = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = Key(rule, regionId);
        if (state.Open.ContainsKey(key))
        {
            return state;
        }

        var episode = state.Episodes.GetValueOrDefault(key) + 1;
        var record = new AlertRecord
        {
            AlertId = string.Create(CultureInfo.InvariantCulture, $"{rule}:{regionId}:{episode}"),
            Rule = rule,
            RegionId = regionId,
            State = AlertStates.Open,
            Value = value,
            Threshold = threshold,
            RaisedAt = now,
            Message = message,
            Window = window,
            Direction = direction,
        };
        return state with
        {
            Open = new Dictionary<string, AlertRecord>(state.Open, StringComparer.Ordinal) { [key] = record },
            Episodes = new Dictionary<string, int>(state.Episodes, StringComparer.Ordinal) { [key] = episode },
            Outbox = [.. state.Outbox, record],
        };
    }

    /// <summary>
    /// Resolves the open episode of <paramref name="rule"/> in <paramref name="regionId"/>, if any. A resolving
    /// <paramref name="value"/> replaces the raised one together with its <paramref name="window"/>, so the value and its
    /// days stay those of one judgement, and the message becomes the resolution (<see cref="ResolvedMessage"/>); without a
    /// value both stay as raised and the message says it was resolved, with the <paramref name="reason"/> when one is
    /// given. Whether a value resolved it is kept in <see cref="AlertRecord.ResolvedWithValue"/>, the raised sentence in
    /// <see cref="AlertRecord.RaisedMessage"/>; the queue message keeps CONTRACT.md
    /// §5's shape, its <c>message</c> the resolved text.
    /// </summary>
    public static AlertBookState Resolve(AlertBookState state, string rule, string regionId, double? value, DateTimeOffset now, int historyLimit, string? reason = null, AlertWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = Key(rule, regionId);
        if (!state.Open.TryGetValue(key, out var open))
        {
            return state;
        }

        var resolved = open with
        {
            State = AlertStates.Resolved,
            ResolvedAt = now,
            Value = value ?? open.Value,
            Window = value is null ? open.Window : window,
            RaisedMessage = open.Message,
            ResolvedWithValue = value is not null,
            Message = value is { } v ? ResolvedMessage(open, v, window) : reason is null ? "resolved: " + open.Message : open.Message + "; " + reason,
        };
        var remaining = new Dictionary<string, AlertRecord>(state.Open, StringComparer.Ordinal);
        remaining.Remove(key);
        return state with
        {
            Open = remaining,
            History = KeepHistory(resolved, state.History, historyLimit),
            Outbox = [.. state.Outbox, resolved],
        };
    }

    /// <summary>The open episode of <paramref name="rule"/> in <paramref name="regionId"/>; null when none is open.</summary>
    public static AlertRecord? OpenOf(AlertBookState state, string rule, string regionId)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Open.GetValueOrDefault(Key(rule, regionId));
    }

    /// <summary>Drops published messages (by <see cref="AlertRecord.MessageId"/>) from the outbox.</summary>
    public static AlertBookState Published(AlertBookState state, IReadOnlyCollection<string> messageIds)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(messageIds);
        return state with { Outbox = state.Outbox.Where(r => !messageIds.Contains(r.MessageId)).ToList() };
    }

    /// <summary>
    /// The message of an episode resolved by a judgement: the rule's measure at <paramref name="value"/> (a fraction, shown
    /// as a percentage) over the resolving local days, back on the side of the resolving judgement's bound
    /// (<see cref="AlertWindow.Threshold"/>; the raised <see cref="AlertRecord.Threshold"/> when no window was recorded)
    /// the alert was raised from (its recorded <see cref="AlertRecord.Direction"/>; without one, the raised value's side
    /// of the raised bound), the points band back within the band the judgement recorded
    /// (<see cref="AlertWindow.BandLow"/>–<see cref="AlertWindow.BandHigh"/>), then when (UTC) and at what value it was
    /// raised. For example <c>resolved: complaint rate 5% over the 7 local days 2026-11-29–2026-12-05, back at or below
    /// the ceiling 6%; raised 2026-12-05 02:00 UTC at 5%</c> after the ceiling moved from 3% to 6%. Activity's value is
    /// the last judged day's measure: <c>resolved: activity 4.2% on 2026-12-05, no longer below the baseline 4% on each of
    /// the 14 local days 2026-11-22–2026-12-05; raised …</c>.
    /// </summary>
    /// <param name="open">The episode as raised.</param>
    /// <param name="value">The resolving value, a fraction.</param>
    /// <param name="window">The local days of the resolving judgement; null when none were recorded.</param>
    public static string ResolvedMessage(AlertRecord open, double value, AlertWindow? window)
    {
        ArgumentNullException.ThrowIfNull(open);
        static string Pct(double? v) => v is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{v.Value * 100:0.##}%");
        var measure = open.Rule switch
        {
            AlertRules.ActivityBelowBaseline => "activity",
            AlertRules.BenefitsRedemptionLow => "coupon redemption",
            AlertRules.ComplaintsHigh => "complaint rate",
            AlertRules.PointsRedemptionBand => "points redemption",
            AlertRules.PointsLiabilityJump => "points outstanding rise",
            _ => open.Rule,
        };
        var judged = window is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{window.Days} local days {window.From:yyyy-MM-dd}–{window.To:yyyy-MM-dd}");
        // An activity value is the measure of the last judged day, not of the run: "activity 4.2% on 2026-12-05".
        var days = window is null ? "" : open.Rule == AlertRules.ActivityBelowBaseline
            ? string.Create(CultureInfo.InvariantCulture, $" on {window.To:yyyy-MM-dd}")
            : " over the " + judged;
        // Without a recorded direction (alerts raised before it was), the raised value's side of the raised bound: a
        // points-band hoarding alert is below its floor as much as a coupon alert is.
        var below = open.Direction is { } direction ? direction == AlertDirections.Below : open.Value < open.Threshold;
        // The bound of the resolving judgement, as its value and days: after the complaint ceiling moved from 3% to 6%, a
        // rate of 5% resolves against 6%, not the 3% it was raised against. The points band resolves inside the band it
        // recorded (its window's threshold is then the high end only); a window without one keeps the raised bound.
        var bound = open.Rule == AlertRules.PointsRedemptionBand ? open.Threshold : window?.Threshold ?? open.Threshold;
        var back = open.Rule switch
        {
            AlertRules.ActivityBelowBaseline when window is not null => $"no longer below the baseline {Pct(window.Threshold ?? open.Threshold)} on each of the {judged}",
            AlertRules.ActivityBelowBaseline => $"no longer below the baseline {Pct(open.Threshold)}",
            AlertRules.PointsRedemptionBand when window is { BandLow: { } bandLow, BandHigh: { } bandHigh } => $"back within the band {Pct(bandLow)}–{Pct(bandHigh)}",
            _ => below ? $"back at or above the floor {Pct(bound)}" : $"back at or below the ceiling {Pct(bound)}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"resolved: {measure} {Pct(value)}{days}, {back}; raised {open.RaisedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC at {Pct(open.Value)}");
    }

    /// <summary>
    /// The history after <paramref name="newest"/> resolved: it and the newest of <paramref name="older"/> while they
    /// number at most <paramref name="historyLimit"/> and their JSON (with its commas) at most
    /// <see cref="HistoryMaxBytes"/>; the oldest resolved are dropped first. Open alerts are never in it.
    /// </summary>
    private static List<AlertRecord> KeepHistory(AlertRecord newest, IReadOnlyList<AlertRecord> older, int historyLimit)
    {
        var kept = new List<AlertRecord> { newest };
        var bytes = StoredBytes(newest);
        foreach (var record in older)
        {
            bytes += StoredBytes(record) + 1;
            if (kept.Count >= historyLimit || bytes > HistoryMaxBytes)
            {
                break;
            }

            kept.Add(record);
        }

        return kept;
    }

    private static string Key(string rule, string regionId) => rule + "|" + regionId;
}
