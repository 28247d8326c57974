using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

public enum EventStatus
{
    /// <summary>The event changed the member (or was counted as behaviour).</summary>
    Applied,

    /// <summary>Seen before (same eventId, or a purchase for an order already recorded); nothing changed.</summary>
    Duplicate,

    /// <summary>A refund whose purchase has not arrived; kept (bounded) and applied when it does.</summary>
    Held,

    /// <summary>Refused by the member's rules (e.g. refund over what is left); belongs in the poison queue with <see cref="EventDecision.Reason"/>.</summary>
    Rejected,
}

/// <summary>What <see cref="MemberEngine.Apply"/> decided, with everything the grain must archive or emit.</summary>
public sealed record EventDecision
{
    public EventStatus Status { get; init; }

    /// <summary>Why it was rejected, held or duplicate; for an applied event, notes such as a daily cap reached.</summary>
    public string? Reason { get; init; }

    /// <summary>Ledger entries this call wrote (time-driven expiries and tier drops included), oldest first; the grain archives them.</summary>
    public IReadOnlyList<LedgerEntry> NewEntries { get; init; } = [];

    /// <summary>Every tier move in this call, oldest first.</summary>
    public IReadOnlyList<TierChange> TierChanges { get; init; } = [];

    /// <summary>The last tier move, if any.</summary>
    public TierChange? TierChange => TierChanges.Count == 0 ? null : TierChanges[^1];

    public IReadOnlyList<GrantedBenefit> BenefitsGranted { get; init; } = [];

    /// <summary>Event ids of held refunds that this purchase released and applied.</summary>
    public IReadOnlyList<string> AppliedHeldRefunds { get; init; } = [];

    /// <summary>Held refunds this purchase released but the rules refused; send them to the poison queue.</summary>
    public IReadOnlyList<RejectedHeldRefund> RejectedHeldRefunds { get; init; } = [];

    /// <summary>False when the state is exactly as before (duplicates, early rejections): no write needed.</summary>
    public bool StateChanged { get; init; }

    public string Tier { get; init; } = "";

    public long PointsBalance { get; init; }

    public long GrowthValue { get; init; }
}

public sealed record RejectedHeldRefund(HeldRefund Refund, string Reason);

/// <summary>What <see cref="Points.RedemptionPolicy.Redeem"/> decided.</summary>
public sealed record RedemptionDecision
{
    /// <summary><c>accepted</c>, <c>insufficient_points</c>, <c>negative_balance</c> or <c>invalid</c>.</summary>
    public string Status { get; init; } = "";

    /// <summary>True when this redemptionId was decided before and that outcome is returned.</summary>
    public bool Replayed { get; init; }

    /// <summary>The balance now (after this redemption when accepted).</summary>
    public long PointsBalance { get; init; }

    /// <summary>Cash value of the points redeemed, at the configured point value, cut to the cent.</summary>
    public decimal PointsValue { get; init; }

    public decimal? CashAmount { get; init; }

    public string? Detail { get; init; }

    /// <summary>
    /// For <c>redemption_id_reused</c>: the first request field that differs from the redemption first made under the id
    /// (<c>points</c>, <c>cashAmount</c> or <c>storeId</c>, in that order; <see cref="Detail"/> names every difference);
    /// for <c>invalid</c> because the id was already used for another reward (or with one beside one without), or its
    /// record is no longer kept: <c>redemptionId</c>; null otherwise.
    /// </summary>
    public string? Field { get; init; }

    public IReadOnlyList<LedgerEntry> NewEntries { get; init; } = [];

    public bool StateChanged { get; init; }

    public bool Accepted => Status == Points.RedemptionStatuses.Accepted;
}

/// <summary>What the periodic <see cref="MemberEngine.ApplyTimePassed"/> decided.</summary>
public sealed record TimePassedDecision
{
    public IReadOnlyList<LedgerEntry> NewEntries { get; init; } = [];

    public IReadOnlyList<TierChange> TierChanges { get; init; } = [];

    public IReadOnlyList<GrantedBenefit> BenefitsGranted { get; init; } = [];

    /// <summary>Refunds that waited past the timeout; send them to the poison queue.</summary>
    public IReadOnlyList<HeldRefund> ExpiredHeldRefunds { get; init; } = [];
}
