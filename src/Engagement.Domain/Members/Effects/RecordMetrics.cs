using System.Globalization;
using System.Text.Json.Serialization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// One outcome's programme metric contributions (CONTRACT.md §5), for the sharded aggregators. Each contribution
/// carries its own deterministic id and the member's outcome sequence, and the aggregators apply a sequence once, so
/// re-emitting after a crash counts nothing twice.
/// </summary>
/// <remarks>
/// The effect is named by its outcome id and its sequence (<see cref="IdOf"/>): an outcome id can come again for a
/// later outcome (two ticks at one instant, a campaign delivered again after its delivery list was pruned), and each
/// such outcome's deltas are its own, counted from the state the one before left. Named by the outcome id alone, the
/// later one replaced the earlier in the outbox (its deltas lost), or was taken as confirmed when the earlier one was.
/// </remarks>
/// <param name="OutcomeId">The outcome (<see cref="MemberMetricsPolicy.MetricsInput.OutcomeId"/>).</param>
/// <param name="Contributions">One per target aggregator (region × local day, or the region's gauges).</param>
public sealed record RecordMetrics(string OutcomeId, IReadOnlyList<MetricContribution> Contributions) : MemberEffect
{
    [JsonIgnore]
    public override string Id => IdOf(OutcomeId, Sequence);

    /// <summary>The member's outcome sequence its contributions carry (<see cref="MetricContribution.Sequence"/>, all alike); 0 when it has none.</summary>
    [JsonIgnore]
    public long Sequence => SequenceOf(Contributions);

    /// <inheritdoc />
    /// <remarks>By outcome id and sequence, without building either id: contributions wait in the outbox while the sink sends them in the background.</remarks>
    public override bool HasSameId(MemberEffect other) =>
        other is RecordMetrics metrics && metrics.Sequence == Sequence && string.Equals(metrics.OutcomeId, OutcomeId, StringComparison.Ordinal);

    /// <summary>
    /// The effect id of outcome <paramref name="outcomeId"/>'s contributions with the member's outcome sequence
    /// <paramref name="sequence"/>: <c>metrics:{outcomeId}#{sequence}</c>, or <c>metrics:{outcomeId}</c> when the
    /// sequence is 0 (contributions made before per-member sequences).
    /// </summary>
    public static string IdOf(string outcomeId, long sequence) =>
        sequence > 0 ? string.Create(CultureInfo.InvariantCulture, $"metrics:{outcomeId}#{sequence}") : "metrics:" + outcomeId;

    /// <summary>The sequence of the first of <paramref name="contributions"/> (one outcome's all carry the same); 0 when there is none.</summary>
    internal static long SequenceOf(IReadOnlyList<MetricContribution>? contributions) => contributions is { Count: > 0 } ? contributions[0].Sequence : 0;
}
