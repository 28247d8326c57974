using System.Text.Json.Serialization;

namespace Engagement.Contracts.Members;

/// <summary>The live view of one member (CONTRACT.md §4, <c>GET /members/{memberId}</c>).</summary>
[GenerateSerializer, Immutable, Alias("engagement.member-view.v1")]
public sealed record MemberView
{
    [Id(0)] public required string MemberId { get; init; }

    /// <summary><c>V1</c>…<c>V4</c>.</summary>
    [Id(1)] public required string Tier { get; init; }

    /// <summary>Growth value earned in the trailing 365 days (what the tier is computed from).</summary>
    [Id(2)] public long GrowthValue { get; init; }

    /// <summary>Live points balance; negative after a refund of points already spent.</summary>
    [Id(3)] public long PointsBalance { get; init; }

    [Id(4)] public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary><c>new</c>, <c>active</c>, <c>at_risk</c> or <c>dormant</c>.</summary>
    [Id(5)] public required string LifecycleStage { get; init; }

    /// <summary>0 when no win-back runs; 1–3 while one does.</summary>
    [Id(6)] public int WinBackLevel { get; init; }

    [Id(7)] public required RfmView Rfm { get; init; }

    [Id(8)] public string? RegionId { get; init; }

    [Id(9)] public IReadOnlyList<BenefitView> Benefits { get; init; } = [];

    [Id(10)] public required CapsView Caps { get; init; }

    [Id(11)] public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Points lots still alive, oldest first.</summary>
    [Id(12)] public IReadOnlyList<PointsLotView> PointsLots { get; init; } = [];

    /// <summary>Behaviour counters (browse, add_to_cart, share, review, complaint, purchase, refund…).</summary>
    [Id(13)] public IReadOnlyDictionary<string, long> Behaviour { get; init; } = new Dictionary<string, long>();

    /// <summary>When the tier was last entered; with <see cref="TierGraceUntil"/> it explains a coming downgrade.</summary>
    [Id(14)] public DateTimeOffset? TierSince { get; init; }

    [Id(15)] public DateTimeOffset? TierGraceUntil { get; init; }

    [Id(16)] public string TimeZone { get; init; } = "Asia/Shanghai";

    [Id(17)] public IReadOnlyDictionary<string, bool> Consent { get; init; } = new Dictionary<string, bool>();

    [Id(18)] public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// When staff last changed a channel's consent (UTC, the engine clock), or null: names that change in the audit
    /// (<c>member.consent</c>), so a retried request, which changes nothing, names the same row.
    /// </summary>
    [Id(19)] public DateTimeOffset? ConsentChangedAt { get; init; }

    /// <summary>Who made the change of <see cref="ConsentChangedAt"/> (null when none, or for a change stored before this was kept).</summary>
    [Id(20)] public StaffActor? ConsentChangedBy { get; init; }

    /// <summary>What that change did, each changed channel as it was and became: <c>sms default→no</c>.</summary>
    [Id(21)] public string? ConsentChange { get; init; }

    /// <summary>
    /// Refunds waiting for their purchase (CONTRACT.md §1: held, bounded by <c>Engagement:Program:MaxHeldRefunds</c>,
    /// default 20), oldest held first, so support can trace a refund that shows nowhere else yet; empty for a marketing key
    /// (support and admin read it; a store key's view leaves it out). An extension of CONTRACT.md §4.
    /// </summary>
    [Id(22)] public IReadOnlyList<HeldRefundView> HeldRefunds { get; init; } = [];

    // Offers take ids from 40 up, so parallel additions to this view never collide.

    /// <summary>The member's coupons as of now, newest first (CONTRACT.md §2.1), each with its status and why.</summary>
    [Id(40)] public IReadOnlyList<Offers.CouponView> Coupons { get; init; } = [];

    /// <summary>Non-monetary benefits granted by offers (campaigns) and their uses, newest first, each with why.</summary>
    [Id(41)] public IReadOnlyList<BenefitGrantView> BenefitGrants { get; init; } = [];
}

/// <summary>
/// A refund held until its purchase arrives: its eventId and orderId, the amount (in <see cref="Currency"/>, the
/// programme's CNY unless the refund named another), its occurredAt, since when it is held and until when (UTC; past it,
/// it goes to the poison queue, <c>Engagement:Program:HeldRefundTimeout</c>, default 24 h).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.held-refund-view.v1")]
public sealed record HeldRefundView
{
    [Id(0)] public string EventId { get; init; } = "";

    [Id(1)] public string OrderId { get; init; } = "";

    /// <summary>The refunded amount, in <see cref="Currency"/>.</summary>
    [Id(2)] public decimal Amount { get; init; }

    /// <summary>ISO 4217 code of <see cref="Amount"/>; <c>CNY</c> (the programme currency) unless the refund named another.</summary>
    [Id(3)] public string Currency { get; init; } = "CNY";

    [Id(4)] public DateTimeOffset OccurredAt { get; init; }

    /// <summary>When the engine started holding it (UTC).</summary>
    [Id(5)] public DateTimeOffset HeldSince { get; init; }

    /// <summary>When it stops waiting and is dead-lettered, if its purchase has not arrived (UTC).</summary>
    [Id(6)] public DateTimeOffset HeldUntil { get; init; }
}

/// <summary>A staff member acting on a member through the API or the console (the audit's who, role and why).</summary>
[GenerateSerializer, Immutable, Alias("engagement.staff-actor.v1")]
public sealed record StaffActor
{
    /// <summary>The key's name, e.g. <c>Li Na</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The key's role (<c>support</c>, <c>admin</c>).</summary>
    [Id(1)] public required string Role { get; init; }

    /// <summary>Why, as the person wrote it; empty when none was given.</summary>
    [Id(2)] public string Reason { get; init; } = "";
}

/// <summary>A non-monetary benefit granted (by a campaign offer) or used (a booking slot, an advisor), with why.</summary>
[GenerateSerializer, Immutable, Alias("engagement.benefit-grant-view.v1")]
public sealed record BenefitGrantView
{
    /// <summary>The grant's or use's idempotency key (e.g. <c>campaign:C1</c>).</summary>
    [Id(0)] public required string UseId { get; init; }

    /// <summary>The benefit's code, e.g. <c>priority-booking</c>.</summary>
    [Id(1)] public required string Code { get; init; }

    /// <summary><c>granted</c> or <c>used</c>.</summary>
    [Id(2)] public required string Kind { get; init; }

    [Id(3)] public DateTimeOffset At { get; init; }

    /// <summary>Why or what, in words.</summary>
    [Id(4)] public string Detail { get; init; } = "";

    /// <summary>The store of a booked priority slot; null for other grants and uses.</summary>
    [Id(5)] public string? StoreId { get; init; }

    /// <summary>When a booked slot starts (UTC); null for other grants and uses.</summary>
    [Id(6)] public DateTimeOffset? SlotStart { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.rfm-view.v1")]
public sealed record RfmView
{
    /// <summary>
    /// Days since the last purchase; null before the first. On the wire it is <c>recency</c>, the name CONTRACT.md §4 fixes
    /// for <c>GET /members/{memberId}</c> (nothing in this repository reads a JSON <c>recencyDays</c>, so it is not emitted).
    /// </summary>
    [Id(0), JsonPropertyName("recency")] public int? RecencyDays { get; init; }

    /// <summary>Purchases in the trailing 365 days.</summary>
    [Id(1)] public int Frequency { get; init; }

    /// <summary>Net spend in the trailing 365 days.</summary>
    [Id(2)] public decimal Monetary { get; init; }

    [Id(3)] public int RecencyScore { get; init; }

    [Id(4)] public int FrequencyScore { get; init; }

    [Id(5)] public int MonetaryScore { get; init; }

    /// <summary>The three scores as digits, e.g. <c>"545"</c>.</summary>
    [Id(6)] public string Score { get; init; } = "";

    [Id(7)] public string Segment { get; init; } = "";

    /// <summary><c>A</c>, <c>B</c> or <c>C</c>.</summary>
    [Id(8)] public string ValueClass { get; init; } = "C";
}

[GenerateSerializer, Immutable, Alias("engagement.benefit-view.v1")]
public sealed record BenefitView
{
    [Id(0)] public required string Code { get; init; }

    [Id(1)] public required string Name { get; init; }

    /// <summary><c>coupon</c>, <c>service</c>, <c>privilege</c>… (non-monetary benefits are first-class).</summary>
    [Id(2)] public required string Kind { get; init; }

    [Id(3)] public string FromTier { get; init; } = "";

    [Id(4)] public DateTimeOffset GrantedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.caps-view.v1")]
public sealed record CapsView
{
    [Id(0)] public int MarketingToday { get; init; }

    [Id(1)] public int MarketingLast7Days { get; init; }

    [Id(2)] public int MarketingDailyLimit { get; init; }

    [Id(3)] public int MarketingWeeklyLimit { get; init; }

    /// <summary>Touches sent per channel today.</summary>
    [Id(4)] public IReadOnlyDictionary<string, int> ChannelToday { get; init; } = new Dictionary<string, int>();

    [Id(5)] public IReadOnlyList<string> OptedOutChannels { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("engagement.points-lot-view.v1")]
public sealed record PointsLotView
{
    [Id(0)] public required string LotId { get; init; }

    [Id(1)] public long Remaining { get; init; }

    [Id(2)] public long Original { get; init; }

    [Id(3)] public DateTimeOffset EarnedAt { get; init; }

    [Id(4)] public DateTimeOffset ExpiresAt { get; init; }
}
