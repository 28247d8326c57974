using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Benefits;

/// <summary>
/// The dynamic benefit package. Entering a tier grants every enabled benefit of that tier and the
/// tiers below it that the member does not hold yet.
/// </summary>
/// <remarks>
/// On a downgrade the member keeps what the new tier still includes (with its original grant date)
/// and loses what only a higher tier carries: a V2 member should not keep booking a V4 advisor.
/// Re-entering the higher tier grants those benefits again with a new date.
/// </remarks>
public static class BenefitCatalog
{
    /// <summary>Benefits a member of <paramref name="tier"/> holds, lowest tier first.</summary>
    public static IReadOnlyList<(string Code, BenefitDefinition Definition)> For(ProgramOptions options, string tier)
    {
        var rank = TierPolicy.Rank(options, tier);
        return options.Benefits
            .Where(b => b.Value is { Enabled: true } && TierPolicy.Rank(options, b.Value.Tier) is var r && r >= 0 && r <= rank)
            .OrderBy(b => TierPolicy.Rank(options, b.Value.Tier))
            .ThenBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => (b.Key, b.Value))
            .ToList();
    }

    /// <summary>Brings the held benefits in line with the tier just entered; returns the newly granted ones, granted at <paramref name="at"/> stored as a UTC instant.</summary>
    public static IReadOnlyList<GrantedBenefit> OnTierEntered(MemberState state, ProgramOptions options, string tier, DateTimeOffset at)
    {
        var entitled = For(options, tier);
        var codes = entitled.Select(e => e.Code).ToHashSet(StringComparer.Ordinal);
        state.Benefits.RemoveAll(b => !codes.Contains(b.Code));

        var granted = new List<GrantedBenefit>();
        foreach (var (code, definition) in entitled)
        {
            if (state.Benefits.Exists(b => string.Equals(b.Code, code, StringComparison.Ordinal)))
            {
                continue;
            }

            var benefit = new GrantedBenefit
            {
                Code = code,
                Name = definition.Name,
                Kind = definition.Kind,
                FromTier = definition.Tier,
                GrantedAt = at.ToUniversalTime(),
            };
            state.Benefits.Add(benefit);
            granted.Add(benefit);
        }

        return granted;
    }
}
