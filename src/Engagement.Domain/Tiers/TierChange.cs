using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;

namespace Engagement.Domain.Tiers;

/// <summary>A move between tiers and the rule behind it (<c>tier.upgrade</c>, <c>tier.downgrade.refund</c>, <c>tier.downgrade.grace</c>).</summary>
public sealed record TierChange(string From, string To, string RuleId, DateTimeOffset At, string Reason)
{
    public bool IsUpgrade => RuleId == RuleIds.TierUpgrade;

    /// <summary>
    /// For an upgrade an event brought: the instant (event time) the member reached the tier, the tier's
    /// <see cref="Members.MemberState.TierSince"/> as the move set it (the event's own occurredAt, or a later event's when a late
    /// one only completed that one's growth, or when the tier the late one reached was lost through a full grace and a later
    /// event reached it again, CONTRACT.md §1.1, §2; <see cref="GrowthTimeline.ReachedAt"/>); null for other moves and
    /// upgrades a tick found.
    /// </summary>
    public DateTimeOffset? ReachedAt { get; init; }
}

/// <summary>What a periodic tier reassessment decided.</summary>
public sealed record TierDecision
{
    public IReadOnlyList<TierChange> Changes { get; init; } = [];

    public IReadOnlyList<LedgerEntry> NewEntries { get; init; } = [];

    /// <summary>Benefits granted by upgrades in this decision (the grain may tell the member).</summary>
    public IReadOnlyList<GrantedBenefit> BenefitsGranted { get; init; } = [];
}
