using Engagement.Domain.Metrics;

namespace Engagement.Grains.Members;

/// <summary>The rules each change decides with (<see cref="IMemberRulesSource"/>), and the member as the campaign side sees it.</summary>
public sealed partial class MemberGrain
{
    /// <summary>The metrics settings the decider records contributions with; null: no programme metrics on this silo (CONTRACT.md §5).</summary>
    private MetricsOptions? _metrics;

    /// <summary>
    /// Takes the rules in force for the next decision: value classes by rank (cached per silo) and the metrics settings.
    /// Called at the start of every change that records metrics (event, redemption, adjustment, tick).
    /// </summary>
    private async ValueTask UseCurrentRulesAsync()
    {
        var rules = await rulesSource.RulesAsync(programOptions.Value);
        _options = rules.Program;
        _metrics = rules.Metrics;
    }

    /// <summary>The member as the campaign side sees it at <paramref name="now"/>, with the silo's offer and metrics rules.</summary>
    private MemberContext Context(DateTimeOffset now) => new(MemberId, Member, _options, now) { Offers = Offers, Metrics = _metrics };
}
