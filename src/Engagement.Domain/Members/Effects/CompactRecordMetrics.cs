using System.Text.Json;
using System.Text.Json.Serialization;
using Engagement.Domain.Metrics;

namespace Engagement.Domain.Members.Effects;

/// <summary>
/// How a pending <see cref="RecordMetrics"/> is stored when it has contributions and every one has a sequence (from 1)
/// and the <see cref="MetricContribution.Id"/> and <see cref="MetricContribution.MemberId"/> that
/// <see cref="MetricContribution.IdOf"/> and the member give:
/// without them (about 100 of each contribution's 300 bytes of JSON; a contribution waits in every state write until
/// its aggregator confirms it). It exists only in stored JSON: loading the state turns it back into the
/// <see cref="RecordMetrics"/> with both rebuilt (<see cref="CompactMetrics"/>), so no handler ever sees one.
/// </summary>
/// <param name="OutcomeId">The outcome (<see cref="RecordMetrics.OutcomeId"/>).</param>
/// <param name="Contributions">
/// Its contributions, in the same order, written by <see cref="CompactContributionsJsonConverter"/>; as read, each has an
/// empty <see cref="MetricContribution.Id"/> and no member until <see cref="CompactMetrics.Resolve"/> rebuilds them.
/// </param>
public sealed record CompactRecordMetrics(
    string OutcomeId,
    [property: JsonConverter(typeof(CompactContributionsJsonConverter))] IReadOnlyList<MetricContribution> Contributions) : MemberEffect
{
    /// <summary>The same id as the <see cref="RecordMetrics"/> it stands for.</summary>
    [JsonIgnore]
    public override string Id => RecordMetrics.IdOf(OutcomeId, RecordMetrics.SequenceOf(Contributions));
}

/// <summary>Stores pending metric contributions without what the member's state already says (<see cref="CompactRecordMetrics"/>).</summary>
internal static class CompactMetrics
{
    /// <summary>
    /// The compact form of <paramref name="metrics"/> for member <paramref name="memberId"/> (it shares the contributions,
    /// copies nothing); null (store it in full) when the member id is unknown, there is no contribution, or one has no
    /// sequence or not the id and member rebuilt on loading.
    /// </summary>
    public static CompactRecordMetrics? For(RecordMetrics metrics, string? memberId)
    {
        if (string.IsNullOrEmpty(memberId) || metrics.Contributions is not { Count: > 0 })
        {
            return null;
        }

        // Indexed: a foreach over the interface would box an enumerator on every state write.
        var contributions = metrics.Contributions;
        for (var i = 0; i < contributions.Count; i++)
        {
            var c = contributions[i];
            if (c.Sequence <= 0 || !c.HasIdOf(memberId, metrics.OutcomeId))
            {
                return null;
            }
        }

        return new CompactRecordMetrics(metrics.OutcomeId, metrics.Contributions);
    }

    /// <summary>The <see cref="RecordMetrics"/> <paramref name="stored"/> stands for, ids and member rebuilt.</summary>
    /// <exception cref="JsonException">The stored state has no member id to rebuild them with, or the stored effect no outcome or contributions.</exception>
    public static RecordMetrics Resolve(CompactRecordMetrics stored, string? memberId)
    {
        if (string.IsNullOrEmpty(memberId))
        {
            throw new JsonException($"The stored outbox holds compact metric contributions of outcome {stored.OutcomeId}, but the stored state has no memberId.");
        }

        if (stored.OutcomeId is null || stored.Contributions is null)
        {
            throw new JsonException("A stored metrics-compact effect has no outcomeId or no contributions.");
        }

        var contributions = new List<MetricContribution>(stored.Contributions.Count);
        foreach (var c in stored.Contributions)
        {
            contributions.Add(c with { Id = MetricContribution.IdOf(memberId, stored.OutcomeId, c.IsGauge, c.RegionId, c.Day), MemberId = memberId });
        }

        return new RecordMetrics(stored.OutcomeId, contributions);
    }
}
