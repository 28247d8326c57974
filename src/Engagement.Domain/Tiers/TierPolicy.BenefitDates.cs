using Engagement.Domain.Benefits;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Tiers;

// The grant dates of the benefits a tier move brought: where the move took effect in order (CONTRACT.md §1.1, §2).
public static partial class TierPolicy
{
    /// <summary>Dates the benefits granted from index <paramref name="from"/> on at <paramref name="at"/> (stored as a UTC instant), in the new list and as held.</summary>
    private static void GrantedSince(MemberState state, List<GrantedBenefit> granted, int from, DateTimeOffset at)
    {
        for (var i = from; i < granted.Count; i++)
        {
            Redate(state, granted, i, at);
        }
    }

    /// <summary>
    /// As <see cref="GrantedSince"/> for an upgrade dated at <paramref name="at"/> (a UTC or offset instant) that may have
    /// crossed more than one tier (a late event's jump, <see cref="AfterGrowthGain"/>): each benefit is dated where growth,
    /// from <paramref name="cause"/> on, reached the threshold of its own tier (<see cref="GrantedBenefit.FromTier"/>,
    /// <see cref="GrowthTimeline.ReachedAt"/>) when that is before <paramref name="at"/>, else at <paramref name="at"/>:
    /// in order each tier's benefits came when that tier was entered (CONTRACT.md §1.1, §2). Stored as UTC instants.
    /// </summary>
    private static void GrantedAsReached(
        MemberState state, ProgramOptions options, List<GrantedBenefit> granted, int from, DateTimeOffset at, EventKey cause)
    {
        GrowthTimeline? timeline = null;
        for (var i = from; i < granted.Count; i++)
        {
            var dated = at;
            if (options.Tiers.TryGetValue(granted[i].FromTier, out var rule) && rule is not null
                && (timeline ??= GrowthTimeline.Build(state, options)).ReachedAt(rule.Threshold, cause) is { } reached && reached < at)
            {
                dated = reached;
            }

            Redate(state, granted, i, dated);
        }
    }

    /// <summary>Dates the benefit at index <paramref name="i"/> of <paramref name="granted"/> at <paramref name="at"/> (stored UTC), in the list and as held.</summary>
    private static void Redate(MemberState state, List<GrantedBenefit> granted, int i, DateTimeOffset at)
    {
        var dated = granted[i] with { GrantedAt = at.ToUniversalTime() };
        var held = state.Benefits.IndexOf(granted[i]);
        if (held >= 0)
        {
            state.Benefits[held] = dated;
        }

        granted[i] = dated;
    }
}
