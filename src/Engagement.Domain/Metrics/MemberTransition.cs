namespace Engagement.Domain.Metrics;

/// <summary>
/// What one member outcome means for programme metrics: the member grain fills it from its outcome (an event, a
/// command or a tick) and hands it to <see cref="MemberMetrics.Derive"/>. Every count is of this outcome alone.
/// A value on the stack (made on every outcome; no allocation), read by reference inside <see cref="MemberMetrics"/>.
/// </summary>
public readonly record struct MemberTransition
{
    /// <summary>The member (1–64 characters).</summary>
    public required string MemberId { get; init; }

    /// <summary>
    /// The deterministic id of the outcome (the event id, redemption id, tick id...): with the member id it makes the
    /// contributions' ids, so a replayed outcome yields the same ids and is applied once.
    /// </summary>
    public required string EffectId { get; init; }

    /// <summary>
    /// The region the outcome's day counters count in when not the member's (<see cref="After"/>'s): a held refund's coupon
    /// restore counts in its own event's region, as the same refund in order would (CONTRACT.md §1.1, §5); normalized
    /// (<see cref="MetricsOptions.RegionOf"/>). Null: the member's. Gauges and region moves always follow the member.
    /// </summary>
    public string? RegionId { get; init; }

    /// <summary>The local day of the outcome (<c>occurredAt</c> for events, <c>now</c> for ticks), in its region's zone (<see cref="RegionId"/>, else the member's) (<see cref="MetricsOptions.LocalDay"/>).</summary>
    public required DateOnly Day { get; init; }

    /// <summary>
    /// The local day of a move out of the member's former region in that region's own zone (null: <see cref="Day"/>):
    /// a member who left America/Los_Angeles for Asia/Shanghai at 18:00 there left on Los Angeles's day, not on
    /// Shanghai's next one, so the region's members at the end of its day leave it out exactly (CONTRACT.md §5).
    /// </summary>
    public DateOnly? MovedOutDay { get; init; }

    /// <summary>The event type (CONTRACT.md §1) or null for commands and ticks.</summary>
    public string? EventType { get; init; }

    /// <summary>The member's first appearance (registration or first event).</summary>
    public bool Joined { get; init; }

    /// <summary>
    /// The local day of the member's registration (<c>RegisteredAt</c>: its register event, else its first appearance)
    /// when the outcome moved it earlier: a late registration, or a late event older than everything applied to a member
    /// that has not registered (CONTRACT.md §1.1), so the member joined on this day, not on the day it was counted; else null.
    /// </summary>
    public DateOnly? RegisteredDay { get; init; }

    /// <summary>
    /// The refunds that waited for this purchase and were applied with it (a refund that arrived before its purchase),
    /// each on its own local day: activity on that day (CONTRACT.md §2, §5: any event but <c>complaint</c>), its
    /// amount netted from that day's revenue and the points it reversed counted on that day, as an in-order refund
    /// would (§1.1, §5). Null or empty: none.
    /// </summary>
    public IReadOnlyList<HeldRefundDay>? HeldRefunds { get; init; }

    /// <summary>This purchase is the member's first ever (by <c>occurredAt</c>).</summary>
    public bool FirstPurchase { get; init; }

    /// <summary>
    /// Revenue of <see cref="Day"/> in the programme currency (CNY): a purchase's whole amount (the refunds applied with
    /// it count on their own days, <see cref="HeldRefunds"/>), a refund's amount negated, else 0.
    /// </summary>
    public decimal Revenue { get; init; }

    /// <summary>Points issued on <see cref="Day"/> (those of <see cref="HeldRefunds"/> count on their own days instead).</summary>
    public long PointsIssued { get; init; }

    public long PointsRedeemed { get; init; }

    /// <summary>
    /// Points lost to lot expiry by this outcome, by the local day of each lot's own expiry instant (the instant of its
    /// <c>points.expire</c> ledger entry, <see cref="Points.PointsWallet.ExpireDue"/>), in the region's zone: a tick or a
    /// late event that finds a lot past its expiry counts it on the day it expired, not on the day it ran (CONTRACT.md §5
    /// <c>points</c> expired). Null or empty: none expired.
    /// </summary>
    public IReadOnlyDictionary<DateOnly, long>? PointsExpired { get; init; }

    /// <summary>Points reversed on <see cref="Day"/> (those of <see cref="HeldRefunds"/> count on their own days instead).</summary>
    public long PointsReversed { get; init; }

    /// <summary>Signed manual adjustment of points.</summary>
    public long PointsAdjusted { get; init; }

    public int CouponsIssued { get; init; }

    public int CouponsRedeemed { get; init; }

    /// <summary>Coupons issued by this outcome per offer id (a reissue's replacement excluded); null or empty: none.</summary>
    public IReadOnlyDictionary<string, int>? CouponsIssuedByOffer { get; init; }

    /// <summary>Coupons redeemed by this outcome per offer id, net of restores (signed); null or empty: none.</summary>
    public IReadOnlyDictionary<string, int>? CouponsRedeemedByOffer { get; init; }

    public int CampaignReached { get; init; }

    public int CampaignConverted { get; init; }

    /// <summary>Segments before the outcome; null for a member that did not exist.</summary>
    public MemberSegments? Before { get; init; }

    /// <summary>Segments after the outcome.</summary>
    public required MemberSegments After { get; init; }
}

/// <summary>A refund held for its purchase and applied with it (<see cref="MemberTransition.HeldRefunds"/>).</summary>
/// <param name="Day">The refund's local day (its <c>occurredAt</c>, in <see cref="RegionId"/>'s zone, <see cref="MetricsOptions.LocalDay"/>).</param>
/// <param name="Amount">What it refunded, in the programme currency (CNY, &gt; 0, exact: the order's refund mark).</param>
public readonly record struct HeldRefundDay(DateOnly Day, decimal Amount)
{
    /// <summary>
    /// The region it counts in (normalized, <see cref="MetricsOptions.RegionOf"/>): its own event's <c>regionId</c>, as an
    /// in-order refund counts in the region it moves the member to; null: the outcome's (<see cref="MemberSegments.RegionId"/> after).
    /// </summary>
    public string? RegionId { get; init; }

    /// <summary>Points its application issued (an upward correction it caused), counted on <see cref="Day"/>; not in <see cref="MemberTransition.PointsIssued"/>.</summary>
    public long PointsIssued { get; init; }

    /// <summary>Points it reversed (its <c>points.refund</c>, downward corrections), counted on <see cref="Day"/>; not in <see cref="MemberTransition.PointsReversed"/>.</summary>
    public long PointsReversed { get; init; }
}

/// <summary>The gauge dimensions of a member at one moment (<c>GET /segments</c>).</summary>
public sealed record MemberSegments
{
    /// <summary>The region (normalized by <see cref="MetricsOptions.RegionOf"/>).</summary>
    public required string RegionId { get; init; }

    public string Tier { get; init; } = "";

    public string RfmSegment { get; init; } = "";

    public string ValueClass { get; init; } = "";

    public string Stage { get; init; } = "";

    /// <summary>Trailing 365-day monetary, CNY.</summary>
    public decimal Monetary { get; init; }

    /// <summary>The member's points balance (may be negative).</summary>
    public long PointsBalance { get; init; }

    /// <summary>
    /// Whether the member counts in the members gauge and its segment gauges (CONTRACT.md §5 <c>members</c>: registered
    /// members): true once it has joined (registered, or an applied event; the join that counts in <c>newMembers</c>),
    /// false while it is known only by events held for later ones (a refund waiting for its purchase), so the members
    /// gauge stays the sum of joins. Its points still count in <see cref="GaugeNames.PointsOutstanding"/>. Stored states
    /// written before this property read true.
    /// </summary>
    public bool Counted { get; init; } = true;
}
