using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

/// <summary>What the rules of one call (event, redemption, time passing) accumulate for its decision.</summary>
internal sealed class RuleChanges
{
    /// <summary>Ledger entries written, oldest first.</summary>
    public List<LedgerEntry> Entries { get; } = [];

    public List<TierChange> TierChanges { get; } = [];

    public List<GrantedBenefit> Granted { get; } = [];

    /// <summary>Event ids of held refunds a purchase released and applied.</summary>
    public List<string> AppliedHeld { get; } = [];

    /// <summary>Held refunds a purchase released but the rules refused.</summary>
    public List<RejectedHeldRefund> RejectedHeld { get; } = [];
}
