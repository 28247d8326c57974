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

    /// <summary>
    /// The order this call created (a purchase), which the call's own prune leaves in full even when its lot is empty: the
    /// steps after the rules (metrics, coupons) find it there. The next call's prune may summarise it.
    /// </summary>
    public string? NewOrderId { get; set; }
}
