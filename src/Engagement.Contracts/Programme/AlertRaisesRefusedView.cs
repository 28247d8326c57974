namespace Engagement.Contracts.Programme;

/// <summary>
/// The alerts the alert book could not raise for want of room (its byte bounds, docs/programme-health.md "How big the alert book may grow"),
/// as <c>GET /api/v1/alerts/refused</c> answers it (additive to CONTRACT.md §5, whose alert shape is unchanged) and the
/// console's Programme health page shows it: <c>{"refused":false,"since":null,"total":0,"lastAt":null,"lastCount":0,"alerts":[]}</c>
/// while every alert is raised; otherwise <c>refused</c> true, when it began and last happened (UTC), how many alerts are
/// not raised now and the first rule and region pairs of them: the last evaluation's refusals and the <c>data.anomaly</c>
/// raises refused since and not yet raised. It clears at the next evaluation that raises everything it wants while no
/// anomaly raise is pending.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.alert-raises-refused-view.v1")]
public sealed record AlertRaisesRefusedView
{
    /// <summary>The answer while no raise is refused.</summary>
    public static readonly AlertRaisesRefusedView None = new();

    /// <summary>Whether an alert is not raised now for want of room: the last evaluation's, or a <c>data.anomaly</c> refused since and not raised.</summary>
    [Id(0)] public bool Refused { get; init; }

    /// <summary>UTC: the first refusal since the record last cleared; null while none.</summary>
    [Id(1)] public DateTimeOffset? Since { get; init; }

    /// <summary>Raises refused since <see cref="Since"/>, counted per evaluation (an alert refused at three evaluations counts three).</summary>
    [Id(2)] public long Total { get; init; }

    /// <summary>UTC: the last evaluation (or anomaly report) that refused a raise; null while none.</summary>
    [Id(3)] public DateTimeOffset? LastAt { get; init; }

    /// <summary>Alerts not raised now: the last evaluation's refused raises and the pending refused <c>data.anomaly</c> raises.</summary>
    [Id(4)] public int LastCount { get; init; }

    /// <summary>
    /// The first of them: the evaluation's (at most 10), then the anomalies' (at most 5); fewer when region ids are long,
    /// <see cref="LastCount"/> counting them all.
    /// </summary>
    [Id(5)] public IReadOnlyList<AlertRefusedAlertView> Alerts { get; init; } = [];
}

/// <summary>A rule and region whose alert was refused (the region <c>all</c> for programme-wide, or a <c>data.anomaly</c>'s source).</summary>
[GenerateSerializer, Immutable, Alias("engagement.alert-refused-alert-view.v1")]
public sealed record AlertRefusedAlertView
{
    /// <summary>The rule, e.g. <c>complaints.high</c> (CONTRACT.md §5).</summary>
    [Id(0)] public required string Rule { get; init; }

    /// <summary>The region id.</summary>
    [Id(1)] public required string RegionId { get; init; }
}
