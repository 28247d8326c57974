using Engagement.Domain.Metrics;

namespace Engagement.Grains.Programme;

/// <summary>
/// Where a member's metric contributions go (the seam the member outbox calls; see WIRING in the metrics branch
/// report): groups them by aggregator and applies each group, in parallel. At-least-once is enough: the aggregators
/// apply each contribution id once, so an outbox that re-emits after a crash changes nothing.
/// </summary>
public interface IProgrammeMetricsSink
{
    /// <summary>Applies <paramref name="contributions"/>; returns once every aggregator has them durably (throws otherwise: re-emit later).</summary>
    Task ApplyAsync(IReadOnlyList<MetricContribution> contributions);
}

/// <summary>The sink on the aggregator grains.</summary>
public sealed class GrainProgrammeMetricsSink(IGrainFactory grains) : IProgrammeMetricsSink
{
    public Task ApplyAsync(IReadOnlyList<MetricContribution> contributions)
    {
        ArgumentNullException.ThrowIfNull(contributions);
        if (contributions.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Task.WhenAll(contributions
            .GroupBy(MetricKeys.Of, StringComparer.Ordinal)
            .Select(g => grains.GetGrain<IMetricAggregatorGrain>(g.Key).ApplyAsync(g.ToList())));
    }
}
