using System.Text.Json.Serialization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// One outcome's programme metric contributions (CONTRACT.md §5), for the sharded aggregators. Each contribution
/// carries its own deterministic id and the aggregators apply an id once, so re-emitting after a crash counts nothing twice.
/// </summary>
/// <param name="OutcomeId">The outcome (<see cref="MemberMetricsPolicy.MetricsInput.OutcomeId"/>).</param>
/// <param name="Contributions">One per target aggregator (region × local day, or the region's gauges).</param>
public sealed record RecordMetrics(string OutcomeId, IReadOnlyList<MetricContribution> Contributions) : MemberEffect
{
    [JsonIgnore]
    public override string Id => IdOf(OutcomeId);

    /// <inheritdoc />
    /// <remarks>By outcome id, without building either id: contributions wait in the outbox while the sink sends them in the background.</remarks>
    public override bool HasSameId(MemberEffect other) => other is RecordMetrics metrics && string.Equals(metrics.OutcomeId, OutcomeId, StringComparison.Ordinal);

    /// <summary>The effect id of outcome <paramref name="outcomeId"/>'s contributions: <c>metrics:{outcomeId}</c>.</summary>
    public static string IdOf(string outcomeId) => "metrics:" + outcomeId;
}
