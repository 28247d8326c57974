using Orleans.Concurrency;

namespace Engagement.Contracts.Offers;

/// <summary>
/// Where a coupon code lives (key: the normalised code): code → memberId, written when the coupon is issued, so
/// <c>GET /coupons/{code}</c> finds the member without a scan. It answers only who holds a code; callers that are not
/// staff must name the member too, and get the same "not found" for a code of another member as for no code at all.
/// </summary>
public interface ICouponDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Records that <paramref name="memberId"/> holds this code. False when another member holds it (never expected: 80-bit codes).</summary>
    Task<bool> RegisterAsync(string memberId);

    /// <summary>The member holding this code, or null.</summary>
    [ReadOnly]
    Task<string?> FindMemberAsync();
}

/// <summary>
/// A member's coupons (key memberId; CONTRACT.md §2.1, §4), implemented by the member grain over the coupon book in its
/// own state: an issue, a redemption, a purchase's <c>coupons</c> and a full refund change it on the member's one write,
/// and the code's directory row leaves through the member's outbox. Callers (API, campaigns) depend only on this interface.
/// </summary>
public interface ICouponHolder : IGrainWithStringKey
{
    /// <summary>Issues the coupon of a grant; a retried grant returns the coupon it issued before.</summary>
    Task<CouponIssueResult> IssueCouponAsync(CouponGrant grant);

    /// <summary>Every coupon the member holds, newest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<CouponView>> GetCouponsAsync();

    /// <summary>One coupon of this member, or null when the member holds no such code.</summary>
    [ReadOnly]
    Task<CouponView?> GetCouponAsync(string code);

    /// <summary>Redeems a coupon at a store (the POS call); idempotent by redemptionId.</summary>
    Task<CouponRedeemResult> RedeemCouponAsync(string code, CouponRedeemRequest request);

    /// <summary>A support agent reissues a coupon (the old one voided if still issued); a retry answers the same new coupon.</summary>
    Task<CouponReissueResult> ReissueCouponAsync(string code, CouponReissueRequest request);
}

/// <summary>A grant of a coupon offer to one member: the deterministic grant id and what the coupon is.</summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-grant.v1")]
public sealed record CouponGrant
{
    /// <summary>Deterministic per grant (e.g. <c>campaign:C1</c>, <c>winback:L1:2026-11-23</c>): the code derives from it.</summary>
    [Id(0)] public string GrantId { get; init; } = "";

    [Id(1)] public string OfferId { get; init; } = "";

    /// <summary><c>no_threshold</c>, <c>threshold</c>, <c>percent</c>, <c>gift</c>.</summary>
    [Id(2)] public string Kind { get; init; } = "";

    /// <summary>CNY off, or percent off for <c>percent</c>.</summary>
    [Id(3)] public decimal Value { get; init; }

    /// <summary>Smallest order, CNY.</summary>
    [Id(4)] public decimal MinSpend { get; init; }

    [Id(5)] public string? Gift { get; init; }

    /// <summary>Whole days after the day of issue it stays valid.</summary>
    [Id(6)] public int ValidDays { get; init; } = 14;

    [Id(7)] public IReadOnlyList<string> Regions { get; init; } = [];

    [Id(8)] public IReadOnlyList<string> Stores { get; init; } = [];

    [Id(9)] public IReadOnlyList<string> Skus { get; init; } = [];

    [Id(10)] public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>
    /// True: issue a coupon tied to <see cref="Skus"/> even though no store near the member has any of them in stock (a
    /// support agent compensating a member knowingly; the audit row says so). False (the default): such a grant is
    /// answered <see cref="CouponIssueResult.OutOfStock"/> (docs/offers.md "Store inventory").
    /// </summary>
    [Id(11)] public bool IgnoreStock { get; init; }
}

/// <summary>
/// What an issue did: <c>issued</c>, <c>duplicate</c> (the grant's coupon was held already), <c>invalid</c> (the grant's
/// fields, named in <see cref="Errors"/>), <c>refused</c> (e.g. the member holds the most live coupons allowed),
/// <c>out_of_stock</c> (a goods-tied coupon no store near the member can honour).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-issue-result.v1")]
public sealed record CouponIssueResult
{
    public const string Issued = "issued";
    public const string Duplicate = "duplicate";
    public const string Refused = "refused";
    public const string Invalid = "invalid";

    /// <summary>
    /// The grant's coupon is tied to skus none of which is in stock at the member's home store or any store of the
    /// member's region; nothing was issued (<see cref="CouponGrant.IgnoreStock"/> issues it anyway).
    /// </summary>
    public const string OutOfStock = "out_of_stock";

    [Id(0)] public required string Status { get; init; }

    [Id(1)] public CouponView? Coupon { get; init; }

    [Id(2)] public string Detail { get; init; } = "";

    [Id(3)] public IReadOnlyList<OfferFieldError> Errors { get; init; } = [];

    /// <summary>
    /// True when <see cref="Coupon"/> was issued without the stock check (a grant tied to skus that said
    /// <see cref="CouponGrant.IgnoreStock"/>), whether by this call or by the earlier call a duplicate answers; what the
    /// audit row records (docs/offers.md "Store inventory"), not what this request asked.
    /// </summary>
    [Id(4)] public bool StockCheckSkipped { get; init; }
}

/// <summary>A coupon as the API shows it: amounts CNY, instants with the member's offset.</summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-view.v1")]
public sealed record CouponView
{
    [Id(0)] public string Code { get; init; } = "";

    [Id(1)] public string MemberId { get; init; } = "";

    [Id(2)] public string OfferId { get; init; } = "";

    [Id(3)] public string Kind { get; init; } = "";

    [Id(4)] public decimal Value { get; init; }

    [Id(5)] public decimal MinSpend { get; init; }

    [Id(6)] public string? Gift { get; init; }

    [Id(7)] public DateTimeOffset ValidFrom { get; init; }

    [Id(8)] public DateTimeOffset ValidUntil { get; init; }

    /// <summary><c>issued</c>, <c>redeemed</c>, <c>expired</c>, <c>voided</c>.</summary>
    [Id(9)] public string Status { get; init; } = "";

    [Id(10)] public string StatusReason { get; init; } = "";

    [Id(11)] public DateTimeOffset StatusAt { get; init; }

    [Id(12)] public IReadOnlyList<string> Regions { get; init; } = [];

    [Id(13)] public IReadOnlyList<string> Stores { get; init; } = [];

    [Id(14)] public IReadOnlyList<string> Skus { get; init; } = [];

    [Id(15)] public IReadOnlyList<string> Categories { get; init; } = [];

    [Id(16)] public string? RedemptionId { get; init; }

    [Id(17)] public string? OrderId { get; init; }

    [Id(18)] public string? StoreId { get; init; }

    [Id(19)] public DateTimeOffset IssuedAt { get; init; }

    /// <summary>
    /// What happened to it, newest first (docs/offers.md §7): its status changes (at most 8 kept) and the POS
    /// redemptions it refused (at most 5 kept per coupon and 20 per member, one per redemptionId), so support can tell a customer why the till said no.
    /// </summary>
    [Id(20)] public IReadOnlyList<CouponHistoryEntry> History { get; init; } = [];
}

/// <summary>
/// One line of a coupon's history: a status change (<see cref="Kind"/> <c>status</c>: <see cref="From"/> →
/// <see cref="To"/>) or a refused POS redemption (<c>refused</c>: <see cref="Refusal"/> the 409's reason, e.g.
/// <c>below_min_spend</c>, with the request's redemptionId and store; no from/to: the status did not change).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-history-entry.v1")]
public sealed record CouponHistoryEntry
{
    /// <summary>A status change.</summary>
    public const string StatusKind = "status";

    /// <summary>A refused POS redemption.</summary>
    public const string RefusedKind = "refused";

    /// <summary>When it happened (the engine's clock, UTC offset as recorded).</summary>
    [Id(0)] public DateTimeOffset At { get; init; }

    /// <summary><see cref="StatusKind"/> or <see cref="RefusedKind"/>.</summary>
    [Id(1)] public string Kind { get; init; } = StatusKind;

    /// <summary>For a status change: the status before; null for a refusal.</summary>
    [Id(2)] public string? From { get; init; }

    /// <summary>For a status change: the status after; null for a refusal.</summary>
    [Id(3)] public string? To { get; init; }

    /// <summary>Why, for people (e.g. "redeemed at store S001 by redemption R1", "order 80.00 CNY is below minSpend 100.00 CNY").</summary>
    [Id(4)] public string Reason { get; init; } = "";

    /// <summary>For a refusal: the reason code the till got (<c>wrong_store</c>, <c>below_min_spend</c>, <c>expired</c>, <c>used</c>, ...).</summary>
    [Id(5)] public string? Refusal { get; init; }

    /// <summary>For a refusal: the refused request's redemptionId (the POS's idempotency key, 1–128 characters); null for a status change.</summary>
    [Id(6)] public string? RedemptionId { get; init; }

    /// <summary>For a refusal: the store the till sent (<c>storeId</c> of the redeem request); null for a status change.</summary>
    [Id(7)] public string? StoreId { get; init; }
}

/// <summary>A POS redeeming a coupon: <c>{redemptionId, storeId, regionId?, orderAmount, items?}</c> (CNY).</summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-redeem-request.v1")]
public sealed record CouponRedeemRequest
{
    [Id(0)] public string RedemptionId { get; init; } = "";

    [Id(1)] public string StoreId { get; init; } = "";

    /// <summary>
    /// The region a region-scoped coupon is judged in: the store's own (its inventory report) replaces the till's; for a
    /// store that never reported one, the till's is trusted; null: not known, and a region-scoped coupon is refused
    /// <c>wrong_store</c>. Never the member's home region.
    /// </summary>
    [Id(2)] public string? RegionId { get; init; }

    [Id(3)] public decimal OrderAmount { get; init; }

    /// <summary>
    /// The order's lines, the shape of a purchase event's <c>items</c> (CONTRACT.md §1; unitPrice in CNY). Optional (an
    /// extension of CONTRACT.md §4), but a coupon scoped to skus or categories is refused <c>not_applicable</c> without
    /// them; with them its minSpend and discount apply to the matching lines' amount only (quantity × unitPrice).
    /// </summary>
    [Id(4)] public IReadOnlyList<Engagement.Contracts.Events.EventItem>? Items { get; init; }
}

/// <summary>
/// Outcome of a coupon redemption: accepted (with the discount in CNY), or refused with a reason code (<c>expired</c>,
/// <c>used</c>, <c>wrong_store</c>, <c>below_min_spend</c>, <c>voided</c>, <c>not_yet_valid</c>, <c>not_applicable</c>, <c>not_found</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-redeem-result.v1")]
public sealed record CouponRedeemResult
{
    [Id(0)] public bool Accepted { get; init; }

    [Id(1)] public string? Reason { get; init; }

    [Id(2)] public string Detail { get; init; } = "";

    [Id(3)] public decimal Discount { get; init; }

    [Id(4)] public bool Replayed { get; init; }

    /// <summary>The coupon as it is now (after a replay: also when it changed since, see <see cref="CouponChangedSince"/>).</summary>
    [Id(5)] public CouponView? Coupon { get; init; }

    /// <summary>
    /// The redemption accepted, or for a replay the one replayed (as it was then, not the coupon's present status); null
    /// for a refusal. An extension of CONTRACT.md §4.
    /// </summary>
    [Id(6)] public CouponRedemptionView? Redemption { get; init; }

    /// <summary>
    /// For a replay: true when the coupon changed since the replayed redemption (a full refund restored it, a later
    /// redemption used it again); <see cref="Coupon"/> then shows it as it is now and <see cref="Detail"/> says both.
    /// </summary>
    [Id(7)] public bool CouponChangedSince { get; init; }

    /// <summary>
    /// For a redemptionId used before with another request: the field that makes it another redemption, the 409's
    /// <c>field</c> (<c>orderAmount</c>; <c>storeId</c> with reason <c>used</c>; <c>redemptionId</c> when the id redeemed
    /// another of the member's coupons). Null otherwise. An extension of CONTRACT.md §4.
    /// </summary>
    [Id(8)] public string? Field { get; init; }
}

/// <summary>
/// One POS redemption of a coupon: its id, the store that sent it, the order it was confirmed by (when a purchase named
/// the coupon; null until then), the order amount and discount in CNY, and when it was accepted (UTC).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-redemption-view.v1")]
public sealed record CouponRedemptionView
{
    [Id(0)] public string RedemptionId { get; init; } = "";

    [Id(1)] public string? StoreId { get; init; }

    [Id(2)] public string? OrderId { get; init; }

    /// <summary>The order amount in CNY the redemption named; null for one kept before amounts were.</summary>
    [Id(3)] public decimal? OrderAmount { get; init; }

    /// <summary>The discount in CNY it granted.</summary>
    [Id(4)] public decimal Discount { get; init; }

    /// <summary>When it was accepted (UTC).</summary>
    [Id(5)] public DateTimeOffset At { get; init; }
}
