namespace Engagement.Contracts.Programme;

/// <summary>
/// The alerts the alert book could not raise for want of room (its byte bounds, README "How big the alert book may grow"),
/// as <c>GET /api/v1/alerts/refused</c> answers it (additive to CONTRACT.md §5, whose alert shape is unchanged) and the
/// console's Programme health page shows it: <c>{"refused":false,"total":0,"lastCount":0,"alerts":[]}</c> while every
/// alert an evaluation wanted was raised; otherwise <c>refused</c> true, when it began and last happened (UTC) and the
/// first rule and region pairs the last refusal left unraised. It clears at the next evaluation that raises everything
/// it wants.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.alert-raises-refused-view.v1")]
public sealed record AlertRaisesRefusedView
{
    /// <summary>The answer while no raise is refused.</summary>
    public static readonly AlertRaisesRefusedView None = new();

    /// <summary>Whether the last evaluation (or a <c>data.anomaly</c> report since) left an alert unraised for want of room.</summary>
    [Id(0)] public bool Refused { get; init; }

    /// <summary>UTC: the first refusal since the record last cleared; null while none.</summary>
    [Id(1)] public DateTimeOffset? Since { get; init; }

    /// <summary>Raises refused since <see cref="Since"/>, counted per evaluation (an alert refused at three evaluations counts three).</summary>
    [Id(2)] public long Total { get; init; }

    /// <summary>UTC: the last evaluation (or anomaly report) that refused a raise; null while none.</summary>
    [Id(3)] public DateTimeOffset? LastAt { get; init; }

    /// <summary>Raises refused at <see cref="LastAt"/>: alerts not raised now.</summary>
    [Id(4)] public int LastCount { get; init; }

    /// <summary>The first of them (at most 10, fewer when region ids are long; <see cref="LastCount"/> counts them all).</summary>
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
