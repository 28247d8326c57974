using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Grains.Members;

/// <summary>Programme metrics (CONTRACT.md §5): the rules each change decides with, when the silo has programme metrics.</summary>
public sealed partial class MemberGrain
{
    /// <summary>The silo's metrics source; null when the silo runs without programme metrics (<c>AddEngagementProgramme</c>).</summary>
    private MemberMetricsSource? _metricsSource;

    private bool _metricsResolved;

    /// <summary>The metrics settings the decider records contributions with; null: no programme metrics on this silo.</summary>
    private MetricsOptions? _metrics;

    /// <summary>
    /// Takes the rules in force for the next decision: value classes by rank (cached per silo) and the metrics settings.
    /// Called at the start of every change that records metrics (event, redemption, adjustment, tick).
    /// </summary>
    private async ValueTask UseCurrentRulesAsync()
    {
        if (!_metricsResolved)
        {
            _metricsSource = ServiceProvider.GetService<MemberMetricsSource>();
            _metricsResolved = true;
        }

        if (_metricsSource is null)
        {
            return;
        }

        var rules = await _metricsSource.RulesAsync(programOptions.Value);
        _options = rules.Program;
        _metrics = rules.Metrics;
    }

    /// <summary>The member as the campaign side sees it at <paramref name="now"/>, with the silo's offer and metrics rules.</summary>
    private MemberContext Context(DateTimeOffset now) => new(MemberId, Member, _options, now) { Offers = Offers, Metrics = _metrics };
}
