using Engagement.Domain.Metrics;
using Engagement.Domain.Program;

namespace Engagement.Grains.Members;

/// <summary>The rules a member decides with: the programme's (value classes by rank when in force) and the metrics settings.</summary>
/// <param name="Program">The programme rules; <c>Rfm:ValueClassAMin/BMin</c> replaced by the rank thresholds when they apply.</param>
/// <param name="Metrics">
/// Programme metrics settings (CONTRACT.md §5); the member records its contributions with them. Null on a silo without
/// programme metrics: the member records none.
/// </param>
public sealed record MemberRules(ProgramOptions Program, MetricsOptions? Metrics);

/// <summary>
/// Where <see cref="MemberGrain"/> takes the rules of its calls (every one: events, ticks, point, coupon and campaign commands, views),
/// injected like its campaign side: the programme metrics' source (<c>Programme/MemberMetricsSource</c>) on a silo that
/// has programme metrics (<c>AddEngagementProgramme</c>, in any order), else <see cref="ConfiguredMemberRules"/>.
/// </summary>
public interface IMemberRulesSource
{
    /// <summary>The rules in force now for a member configured with <paramref name="program"/>; may wait for a refresh of cached thresholds.</summary>
    ValueTask<MemberRules> RulesAsync(ProgramOptions program);
}

/// <summary>A silo without programme metrics: the configured programme rules as they are, no metrics settings.</summary>
public sealed class ConfiguredMemberRules : IMemberRulesSource
{
    /// <summary>The one instance a silo needs (stateless but for a one-entry cache).</summary>
    public static readonly ConfiguredMemberRules Instance = new();

    private MemberRules? _last;

    /// <inheritdoc />
    public ValueTask<MemberRules> RulesAsync(ProgramOptions program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var last = Volatile.Read(ref _last);
        if (last is null || !ReferenceEquals(last.Program, program))
        {
            last = new MemberRules(program, null);
            Volatile.Write(ref _last, last);
        }

        return ValueTask.FromResult(last);
    }
}
