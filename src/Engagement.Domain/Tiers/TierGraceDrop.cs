using Engagement.Domain.Benefits;

namespace Engagement.Domain.Tiers;

/// <summary>
/// What the member's latest run of <c>tier.downgrade.grace</c> moves took away, saved when the first of them was recorded
/// so a late event that, in event time, kept the tier through the grace can put it back unchanged (CONTRACT.md §1.1, §2):
/// the tier held before the first drop, its <see cref="Members.MemberState.TierSince"/> then, the benefits held then
/// and before each later drop exactly as they were (codes and <see cref="GrantedBenefit.GrantedAt"/>, so a restored
/// dedicated advisor keeps its assignment key) and the instant of each drop of the run, oldest first (one level each). Cleared by an upgrade, a refund drop
/// or placement; a correction removes the drops it undid and keeps the rest of the run; a drop after such a move saves its own. Bounded: at most one run, no more
/// drops than the ladder has levels.
/// </summary>
public sealed record TierGraceDrop
{
    /// <summary>The tier held before the first drop of the run.</summary>
    public string Tier { get; init; } = "";

    /// <summary>When the member had entered <see cref="Tier"/> (event time, UTC or the event's offset); null when it had held it since first seen.</summary>
    public DateTimeOffset? TierSince { get; init; }

    /// <summary>The benefits held just before the first drop, as they were.</summary>
    public List<GrantedBenefit> Benefits { get; init; } = [];

    /// <summary>
    /// The benefits held just before each drop after the first, as they were (item i before drop i + 1), so undoing only
    /// the later drops of the run restores what the member held then, not what the tier is configured with now. Shorter
    /// than <see cref="Drops"/> less one only for a run saved before it was kept (then the first drop's benefits the
    /// restored tier carries are put back).
    /// </summary>
    public List<List<GrantedBenefit>> LaterBenefits { get; init; } = [];

    /// <summary>The instant each drop of the run took effect (the grace's end), oldest first; drop i leaves <see cref="Tier"/> i + 1 levels down.</summary>
    public List<DateTimeOffset> Drops { get; init; } = [];
}
