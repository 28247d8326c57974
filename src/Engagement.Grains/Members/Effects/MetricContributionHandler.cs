using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;

namespace Engagement.Grains.Members.Effects;

/// <summary>
/// A member's programme metric contributions (<see cref="RecordMetrics"/>) to the sharded aggregators through
/// <see cref="IProgrammeMetricsSink"/> (CONTRACT.md §5). Confirmed only once every aggregator holds them durably; a
/// failure keeps them pending and they are re-emitted (each aggregator applies a contribution id once). A silo without
/// programme metrics has no sink: then it handles nothing.
/// </summary>
public sealed class MetricContributionHandler(IEnumerable<IProgrammeMetricsSink> sinks) : MemberEffectHandler<RecordMetrics>
{
    private readonly IProgrammeMetricsSink? _sink = sinks.LastOrDefault();

    public override bool Handles(MemberEffect effect) => _sink is not null && base.Handles(effect);

    protected override async Task<int> EmitAsync(string memberId, List<RecordMetrics> effects)
    {
        var contributions = new List<MetricContribution>();
        foreach (var effect in effects)
        {
            contributions.AddRange(effect.Contributions);
        }

        await _sink!.ApplyAsync(contributions);
        return effects.Count;
    }
}
