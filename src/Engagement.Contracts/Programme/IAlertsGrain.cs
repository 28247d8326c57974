using System.Text.Json.Serialization;
using Orleans.Concurrency;

namespace Engagement.Contracts.Programme;

/// <summary>
/// The programme's alerts (CONTRACT.md §5), key 0: evaluates the rules on a reminder (at least hourly) and on demand,
/// raises each once per episode, resolves it on recovery, keeps history, and publishes every state change to queue
/// <c>engagement-alerts</c> through an outbox persisted with the change.
/// </summary>
public interface IAlertsGrain : IGrainWithIntegerKey
{
    /// <summary>Alerts newest first: open ones (<paramref name="state"/> <c>open</c>), resolved ones (<c>resolved</c>) or both (null), at most <paramref name="limit"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<AlertView>> GetAsync(string? state, int limit);

    /// <summary>
    /// Alerts as <see cref="GetAsync"/> answers them (newest first; <paramref name="state"/> <c>open</c>, <c>resolved</c> or
    /// null for both), only those of <paramref name="rule"/> (a CONTRACT.md §5 rule id such as <c>complaints.high</c>;
    /// null for every rule) in <paramref name="regionId"/> (a region id, <c>all</c> for programme-wide alerts, a
    /// <c>data.anomaly</c>'s source; null for every region), both matched exactly (ordinal), at most
    /// <paramref name="limit"/> (1–1,000). Filtered here, in the grain's query over the alerts it keeps (the open ones and
    /// the latest <c>Engagement:Alerts:HistoryLimit</c> resolved, 500 by default): the caller never reads them all to
    /// filter them itself, and the answer stays bounded by the limit.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<AlertView>> FindAsync(string? state, string? rule, string? regionId, int limit);

    /// <summary>
    /// The raises the alert book refused for want of room since the last evaluation that raised everything it wanted
    /// (<see cref="AlertRaisesRefusedView.None"/> while none).
    /// </summary>
    [ReadOnly]
    Task<AlertRaisesRefusedView> GetRaisesRefusedAsync();

    /// <summary>
    /// Evaluates every rule now; returns the open alerts after it. Its caller waits up to 3 minutes, not Orleans' default
    /// 30 s: the evaluation reads every region's days (8 regions at once; a chain keeps up to 256 regions), writes the
    /// book in parts and publishes each, and on a loaded machine 200 regions took longer than 30 s, the caller
    /// (<c>POST /alerts/evaluate</c>) getting a timeout for an evaluation that went on and finished.
    /// </summary>
    [ResponseTimeout("00:03:00")]
    Task<IReadOnlyList<AlertView>> EvaluateAsync();

    /// <summary>
    /// Raises <c>data.anomaly</c> for <paramref name="source"/> (e.g. <c>backup</c>) unless open; idempotent; observed now
    /// (<see cref="RaiseObservedAnomalyAsync"/> with the grain's clock). Kept exactly as before (signature and so Orleans'
    /// method identity) so that silos of the previous release still call it during a rolling upgrade.
    /// </summary>
    Task RaiseAnomalyAsync(string source, string message);

    /// <summary>
    /// Resolves the open <c>data.anomaly</c> of <paramref name="source"/>, if any; observed now
    /// (<see cref="ResolveObservedAnomalyAsync"/> with the grain's clock). Kept exactly as before, as
    /// <see cref="RaiseAnomalyAsync"/> is.
    /// </summary>
    Task ResolveAnomalyAsync(string source);

    /// <summary>
    /// Raises <c>data.anomaly</c> for <paramref name="source"/> (e.g. <c>backup</c>) unless open; idempotent. Ignored (and
    /// logged) when the book holds a resolve of the source observed after <paramref name="observedAt"/>: a raise retried
    /// late must not reopen what another report already resolved. Its Orleans identity is its alias
    /// (<c>alerts.raise-anomaly.v2</c>), not its name and parameter types.
    /// </summary>
    /// <param name="source">The anomaly's source, its alert's region id (cut to 64 characters).</param>
    /// <param name="message">The alert's text (cut to 500 characters).</param>
    /// <param name="observedAt">When (UTC) the reporter first observed the fault. A time after the grain's clock counts as now.</param>
    [Alias("alerts.raise-anomaly.v2")]
    Task RaiseObservedAnomalyAsync(string source, string message, DateTimeOffset observedAt);

    /// <summary>
    /// Resolves the open <c>data.anomaly</c> of <paramref name="source"/>, if any, and keeps when the resolve was observed
    /// so that a raise observed before it is ignored. Ignored (and logged) when the book holds a raise of the source
    /// observed after <paramref name="observedAt"/>: a resolve retried late must not close what a newer raise opened. Its Orleans identity is its alias (<c>alerts.resolve-anomaly.v2</c>).
    /// </summary>
    /// <param name="source">The anomaly's source (cut to 64 characters).</param>
    /// <param name="observedAt">When (UTC) the reporter observed the fault gone. A time after the grain's clock counts as now.</param>
    [Alias("alerts.resolve-anomaly.v2")]
    Task ResolveObservedAnomalyAsync(string source, DateTimeOffset observedAt);
}

/// <summary>
/// One alert as published to <c>engagement-alerts</c> and shown by <c>GET /alerts</c> (CONTRACT.md §5):
/// <c>{"alertId","rule","regionId","state","value","threshold","raisedAt","resolvedAt","message"}</c>, plus
/// <c>messageId</c> (<c>{alertId}:{state}</c>) by which a consumer drops repeats.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.alert-view.v1")]
public sealed record AlertView
{
    [Id(0)] public required string AlertId { get; init; }

    [Id(1)] public required string Rule { get; init; }

    /// <summary>The region, or <c>all</c> for the whole programme.</summary>
    [Id(2)] public required string RegionId { get; init; }

    /// <summary><c>open</c> or <c>resolved</c>.</summary>
    [Id(3)] public required string State { get; init; }

    /// <summary>The measured fraction (e.g. 0.045 for 4.5%), null when not a metric.</summary>
    [Id(4)] public double? Value { get; init; }

    [Id(5)] public double? Threshold { get; init; }

    /// <summary>UTC.</summary>
    [Id(6)] public DateTimeOffset RaisedAt { get; init; }

    /// <summary>UTC; null while open.</summary>
    [Id(7)] public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The contract's English text: while open, the raised sentence; once resolved, what resolved it (value, days, when raised).</summary>
    [Id(8)] public string Message { get; init; } = "";

    [Id(9)] public required string MessageId { get; init; }

    /// <summary>
    /// The local days the rule judged for <see cref="Value"/> (additive to CONTRACT.md §5): recorded when the alert was
    /// raised (replaced by the resolving judgement's when resolved); null for <c>data.anomaly</c> and for alerts stored
    /// before windows were recorded ("window not recorded": never worked out from the options in force now).
    /// </summary>
    [Id(10)] public AlertWindowView? Window { get; init; }

    /// <summary>
    /// <c>below</c> or <c>above</c>: the side of <see cref="Threshold"/> (the bound it crossed) the value was on when the
    /// alert was raised, recorded then (additive to CONTRACT.md §5, <c>GET /alerts</c> and the console only: the queue
    /// message keeps the contract's shape and never carries it). Null (and left out) for <c>data.anomaly</c> and for alerts
    /// stored before it was recorded, whose direction the console infers from the thresholds.
    /// </summary>
    [Id(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Direction { get; init; }

    /// <summary>
    /// Resolved alerts: the sentence the alert was raised with, its <see cref="Message"/> (then the resolution) having
    /// been that while it was open (additive to CONTRACT.md §5, <c>GET /alerts</c> and the console only: the queue message
    /// keeps the contract's shape and never carries it). Null (and left out) while open and for alerts resolved before it
    /// was kept.
    /// </summary>
    [Id(12), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RaisedMessage { get; init; }

    /// <summary>
    /// Resolved alerts: true when a judgement back within the threshold resolved it (<see cref="Value"/> is that
    /// judgement's); false when it was resolved without a value (its rule turned off, or a <c>data.anomaly</c> cleared),
    /// <see cref="Value"/> then being the last one judged while open, possibly still over the threshold. Null (and left
    /// out) while open and for alerts resolved before it was recorded (unknown). Additive to CONTRACT.md §5,
    /// <c>GET /alerts</c> and the console only: the queue message keeps the contract's shape and never carries it.
    /// </summary>
    [Id(13), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? ResolvedWithValue { get; init; }
}

/// <summary>
/// The window an alert rule judged (<see cref="AlertView.Window"/>): local days (the region's zone; for the whole
/// programme, days over in every configured zone) as <c>YYYY-MM-DD</c> on the wire.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.alert-window.v1")]
public sealed record AlertWindowView
{
    /// <summary>The first judged local day.</summary>
    [Id(0)] public required DateOnly From { get; init; }

    /// <summary>The last judged local day, inclusive.</summary>
    [Id(1)] public required DateOnly To { get; init; }

    /// <summary>Judged local days, <see cref="From"/> to <see cref="To"/> inclusive.</summary>
    [Id(2)] public required int Days { get; init; }

    /// <summary>The threshold judged against, a fraction (0.03 for 3%); null when none.</summary>
    [Id(3)] public double? Threshold { get; init; }

    /// <summary>The first day of the baseline compared with (<c>points.liability-jump</c>); null for rules without one.</summary>
    [Id(4)] public DateOnly? BaselineFrom { get; init; }

    /// <summary>The last day of that baseline, inclusive; null for rules without one.</summary>
    [Id(5)] public DateOnly? BaselineTo { get; init; }

    /// <summary>
    /// <c>points.redemption-band</c>: the band's low end the judgement used, a fraction (0.28 for 28%); <see cref="Threshold"/>
    /// holds one end only. Additive, in <c>GET /alerts</c> and the console only (the queue message's window keeps its
    /// shape); null (and left out) for other rules and for alerts judged before the band was recorded.
    /// </summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BandLow { get; init; }

    /// <summary><c>points.redemption-band</c>: the band's high end the judgement used, a fraction; null (and left out) as <see cref="BandLow"/>.</summary>
    [Id(7), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BandHigh { get; init; }
}

/// <summary>Raises and resolves <c>data.anomaly</c> alerts (CONTRACT.md §5) from code that sees a fault, e.g. a failed backup.</summary>
public interface IDataAnomalyReporter
{
    /// <summary>Raises the anomaly of <paramref name="source"/> once (while open, repeats change nothing).</summary>
    Task RaiseAsync(string source, string message, CancellationToken cancellationToken = default);

    /// <summary>Resolves it when the fault is gone.</summary>
    Task ResolveAsync(string source, CancellationToken cancellationToken = default);
}
