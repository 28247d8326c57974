using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Touches;
using Orleans.Concurrency;

namespace Engagement.Contracts.Members;

/// <summary>
/// One loyalty member, keyed by memberId. Holds the live state (points lots, growth, tier, RFM,
/// lifecycle, caps) and is the only writer of it. Also the implicit subscriber of the member's event stream.
/// </summary>
/// <remarks>Its coupons (<see cref="Offers.ICouponHolder"/>, CONTRACT.md §2.1) live in the same state and ride on the same one write.</remarks>
public interface IMemberGrain : IGrainWithStringKey, IMemberCampaignTarget, Offers.ICouponHolder
{
    /// <summary>Applies one event; idempotent by <see cref="EngagementEvent.EventId"/>. Returns once the new state is durable.</summary>
    Task<ApplyResult> ApplyEventAsync(EngagementEvent evt);

    /// <summary>The live view, or null when the member has never been seen.</summary>
    [ReadOnly]
    Task<MemberView?> GetViewAsync();

    /// <summary>Ledger entries newest first, paging back through the full archived history.</summary>
    Task<LedgerPage> GetLedgerAsync(LedgerQuery query);

    /// <summary>Redeems points (optionally with cash); idempotent by redemptionId.</summary>
    Task<RedemptionResult> RedeemAsync(RedemptionRequest request);

    /// <summary>
    /// Whether the member accepted redemption <paramref name="redemptionId"/> of reward <paramref name="rewardId"/> at
    /// store <paramref name="storeId"/> (null: a store-less redemption, which took no unit; remembered 30 days; a record of
    /// the same id for another reward or store does not count); false for a refused or unknown one, or an unknown member.
    /// A stock counter asks it to settle a unit a redemption left held; the store-less redemption endpoint asks it so a
    /// retry is replayed before the reward is checked again.
    /// </summary>
    [ReadOnly]
    Task<bool> HasAcceptedRedemptionAsync(string redemptionId, string rewardId, string? storeId);

    /// <summary>Every touch decision, newest first (bounded to the recent ones kept in state).</summary>
    [ReadOnly]
    Task<IReadOnlyList<TouchView>> GetTouchesAsync(int limit);

    /// <summary>
    /// Sets channel consent (true = allowed) for staff member <paramref name="by"/>, who is kept with the change when a
    /// channel changes (<see cref="MemberView.ConsentChangedBy"/>). Returns the view after the change; null for an unknown member.
    /// </summary>
    Task<MemberView?> SetConsentAsync(IReadOnlyDictionary<string, bool> consent, StaffActor? by = null);

    /// <summary>Applies a manual points or growth adjustment (Domain/Points/AdjustmentPolicy); idempotent by adjustmentId.</summary>
    Task<AdjustmentResult> AdjustAsync(AdjustmentRequest request);
}

/// <summary>What became of one applied event.</summary>
[GenerateSerializer, Immutable, Alias("engagement.apply-result.v1")]
public sealed record ApplyResult
{
    /// <summary>See <see cref="ApplyStatus"/>.</summary>
    [Id(0)] public required string Status { get; init; }

    [Id(1)] public string? Reason { get; init; }

    [Id(2)] public string? Tier { get; init; }

    [Id(3)] public long PointsBalance { get; init; }

    [Id(4)] public long GrowthValue { get; init; }

    /// <summary>
    /// An applied purchase's <c>coupons</c> that were refused (the purchase applied without them, each coupon stays as it
    /// was, e.g. <c>issued</c>); null when none was. An extension of CONTRACT.md §1/§4 (docs/publishing-events.md).
    /// </summary>
    [Id(5)] public IReadOnlyList<RefusedCoupon>? RefusedCoupons { get; init; }
}

/// <summary>
/// A coupon of a purchase event that was not applied (CONTRACT.md §2.1): the code as the caller sent it (normalised,
/// 16 characters), the refusal <c>reason</c> code (<c>not_applicable</c>, <c>below_min_spend</c>, <c>used</c>, ...,
/// the redeem call's 409 reasons) and a sentence (coupon codes in it masked).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.refused-coupon.v1")]
public sealed record RefusedCoupon
{
    [Id(0)] public required string Code { get; init; }

    [Id(1)] public required string Reason { get; init; }

    [Id(2)] public string Detail { get; init; } = "";
}

public static class ApplyStatus
{
    public const string Applied = "applied";
    public const string Duplicate = "duplicate";

    /// <summary>A refund whose purchase has not arrived yet: held in the member, applied when it does.</summary>
    public const string Held = "held";

    /// <summary>Valid on the wire but refused by the member's rules (e.g. refund over what is left); goes to the poison queue.</summary>
    public const string Rejected = "rejected";
}
