namespace Engagement.Domain.Offers;

/// <summary>
/// One coupon a member holds (CONTRACT.md §2.1). Amounts are CNY (the programme currency) with at most 2 decimals;
/// instants are absolute (<see cref="ValidUntil"/> carries the member's local offset it was computed in).
/// </summary>
public sealed record Coupon
{
    /// <summary>The code (<see cref="CouponCodes"/>), 16 characters; unique programme-wide.</summary>
    public string Code { get; init; } = "";

    /// <summary>The grant that issued it (e.g. <c>winback:L1:2026-11-23</c>, <c>campaign:C1</c>); with the member, what the code derives from.</summary>
    public string GrantId { get; init; } = "";

    /// <summary>The offer or campaign it came from, for per-offer redemption rates; may be empty.</summary>
    public string OfferId { get; init; } = "";

    /// <summary>A <see cref="CouponKinds"/> value.</summary>
    public string Kind { get; init; } = CouponKinds.NoThreshold;

    /// <summary>CNY off for <c>no_threshold</c>/<c>threshold</c>; percent off (1–99) for <c>percent</c>; 0 for <c>gift</c>.</summary>
    public decimal Value { get; init; }

    /// <summary>Smallest order amount (CNY) it applies to; 0 when any order does.</summary>
    public decimal MinSpend { get; init; }

    /// <summary>What a <c>gift</c> coupon gives (e.g. "trial pack"); shown to the cashier. Optional.</summary>
    public string? Gift { get; init; }

    /// <summary>Where it may be redeemed; empty lists mean anywhere.</summary>
    public CouponScope Scope { get; init; } = new();

    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>First instant it may be redeemed.</summary>
    public DateTimeOffset ValidFrom { get; init; }

    /// <summary>The exact instant it expires (exclusive): redeemable strictly before it.</summary>
    public DateTimeOffset ValidUntil { get; init; }

    /// <summary>A <see cref="CouponStatuses"/> value.</summary>
    public string Status { get; init; } = CouponStatuses.Issued;

    /// <summary>Why it has its status (e.g. "redeemed at S001 by redemption R1").</summary>
    public string StatusReason { get; init; } = "";

    public DateTimeOffset StatusAt { get; init; }

    /// <summary>The redemption that used it (POS redeem call), if any.</summary>
    public string? RedemptionId { get; init; }

    /// <summary>
    /// The POS redemptions it accepted (CONTRACT.md §4; docs/offers.md §5), oldest first, at most
    /// <see cref="MaxRedemptions"/>: each id with the store that sent it and the discount in CNY it was granted, so the
    /// same request again answers that discount (replayed) and the same id from another store is refused. Kept when a
    /// full refund restores the coupon, so a late retry of the call that spent it does not spend it again.
    /// </summary>
    public IReadOnlyList<CouponRedemption> Redemptions { get; init; } = [];

    /// <summary>POS redemptions kept per coupon (a coupon is redeemed again only after a full refund restored it).</summary>
    public const int MaxRedemptions = 4;

    /// <summary>The order that used it (purchase event's <c>coupons</c>), if known.</summary>
    public string? OrderId { get; init; }

    /// <summary>The store it was redeemed at, if known.</summary>
    public string? StoreId { get; init; }

    /// <summary>
    /// For a reissue's replacement voided because a late purchase used its original (<see cref="CouponReissues.AfterLateUse"/>):
    /// that purchase's order. Null (absent in stored JSON) for any other coupon or void. A purchase that used this coupon
    /// before that void is a double use, recorded as such; a full refund of that order issues this coupon again.
    /// </summary>
    public string? VoidedForLateOrderId { get; init; }

    /// <summary>
    /// True for a coupon tied to skus that support issued knowingly without the stock check (the admin issue's
    /// <c>ignoreStock</c>, docs/offers.md "Store inventory"), so a retried grant's audit row says what happened, not what the
    /// retry asked. False (absent in stored JSON) for every other coupon.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool StockUnchecked { get; init; }

    /// <summary>Its status changes, oldest first (at most <see cref="MaxHistory"/>).</summary>
    public IReadOnlyList<CouponTransition> History { get; init; } = [];

    /// <summary>Status changes kept per coupon.</summary>
    public const int MaxHistory = 8;

    /// <summary>
    /// The POS redemptions it refused (wrong store, below minSpend, expired, already used), oldest first, at most
    /// <see cref="MaxRefusals"/>, so support can see why a till was told no; null (absent in stored JSON) until the first.
    /// One per redemptionId: the same refused request again is not stored twice.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CouponRefusalNote>? Refusals { get; init; }

    /// <summary>Refused redemptions kept per coupon (the newest; state stays bounded however often a till retries).</summary>
    public const int MaxRefusals = 5;

    /// <summary>
    /// Refused redemptions kept per member across all its coupons (the newest): with up to 1,000 coupons held, 5 each
    /// would be 5,000 notes; 20 keep the state far from the storage bound (docs/http-api.md, "A coupon's life", step 5: a coupon's history).
    /// </summary>
    public const int MaxRefusalsPerMember = 20;

    /// <summary>True when a refusal of <paramref name="redemptionId"/> is kept.</summary>
    public bool HasRefused(string redemptionId) =>
        Refusals?.Any(r => string.Equals(r.RedemptionId, redemptionId, StringComparison.Ordinal)) == true;

    /// <summary>This coupon with <paramref name="note"/> kept (the oldest forgotten beyond <see cref="MaxRefusals"/>).</summary>
    public Coupon WithRefusal(CouponRefusalNote note) =>
        this with { Refusals = [.. (Refusals ?? []).Append(note).TakeLast(MaxRefusals)] };

    /// <summary>This coupon without its oldest refusal note (null when none is left).</summary>
    public Coupon WithoutOldestRefusal() =>
        this with { Refusals = Refusals is { Count: > 1 } kept ? [.. kept.Skip(1)] : null };

    /// <summary>The kept POS redemption with id <paramref name="redemptionId"/>, or null.</summary>
    public CouponRedemption? RedemptionOf(string redemptionId) =>
        Redemptions.LastOrDefault(r => string.Equals(r.RedemptionId, redemptionId, StringComparison.Ordinal));

    /// <summary>This coupon with <paramref name="redemption"/> kept (the oldest forgotten beyond <see cref="MaxRedemptions"/>).</summary>
    public Coupon WithRedemption(CouponRedemption redemption) =>
        this with { Redemptions = [.. Redemptions.Append(redemption).TakeLast(MaxRedemptions)] };

    /// <summary>True while it is issued and <paramref name="at"/> is inside its validity window.</summary>
    public bool IsUsableAt(DateTimeOffset at) => Status == CouponStatuses.Issued && at >= ValidFrom && at < ValidUntil;

    /// <summary>This coupon moved to <paramref name="status"/> at <paramref name="at"/> for <paramref name="reason"/>.</summary>
    public Coupon MoveTo(string status, string reason, DateTimeOffset at)
    {
        var history = History.Append(new CouponTransition(at, Status, status, reason));
        return this with
        {
            Status = status,
            StatusReason = reason,
            StatusAt = at,
            History = [.. history.TakeLast(MaxHistory)],
        };
    }
}

/// <summary>
/// A POS redemption a coupon refused (docs/offers.md §7): when (the engine's clock), the request's redemptionId, store
/// and region, the <see cref="CouponRefusals"/> reason code and the order's amount in CNY. Only these short fields are
/// stored (a refusal's sentence can name every store of the coupon's scope, kilobytes); <see cref="Describe"/> renders
/// the sentence when read. Holds no personal data.
/// </summary>
public sealed record CouponRefusalNote(DateTimeOffset At, string RedemptionId, string? StoreId, string Reason, decimal Amount, string? RegionId = null)
{
    /// <summary>
    /// <c>redemptionId</c> for a refusal of an id that had redeemed another of the member's coupons
    /// (<see cref="CouponRedemptionIds"/>); null (absent in stored JSON) for every other note.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Field { get; init; }

    /// <summary>
    /// The sentence for people, rendered from the note and <paramref name="coupon"/> (its dates and minSpend, which a
    /// refusal never changes): e.g. "order of 80.00 CNY is below the coupon's minimum spend of 100.00 CNY".
    /// </summary>
    public string Describe(Coupon coupon)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        return Reason switch
        {
            CouponRefusals.Expired => string.Create(ci, $"coupon expired at {coupon.ValidUntil:yyyy-MM-dd HH:mm:ss zzz}"),
            CouponRefusals.NotYetValid => string.Create(ci, $"coupon is valid from {coupon.ValidFrom:yyyy-MM-dd HH:mm:ss zzz}"),
            CouponRefusals.Used => "coupon was already used",
            CouponRefusals.Voided => "coupon was voided",
            CouponRefusals.WrongStore => RegionId is null
                ? $"coupon is not valid at store '{StoreId}'"
                : $"coupon is not valid at store '{StoreId}' in region '{RegionId}'",
            CouponRefusals.BelowMinSpend => string.Create(ci, $"order of {Amount:0.00} CNY is below the coupon's minimum spend of {coupon.MinSpend:0.00} CNY"),
            CouponRefusals.NotApplicable => "the order holds none of the goods the coupon is for",
            CouponRefusals.RedemptionIdReused when Field == CouponRedemptionIds.Field => CouponRedemptionIds.DescribeNote(this),
            CouponRefusals.RedemptionIdReused => coupon.RedemptionOf(RedemptionId)?.OrderAmount is { } first
                ? string.Create(ci, $"redemption {RedemptionId} was already used with orderAmount {first:0.00} CNY, not {Amount:0.00}; a retry sends the same request, another order takes another redemptionId")
                : string.Create(ci, $"redemption {RedemptionId} was already used with another orderAmount than {Amount:0.00} CNY; a retry sends the same request, another order takes another redemptionId"),
            _ => Reason,
        };
    }
}

/// <summary>One status change of a coupon: when, from, to, why.</summary>
public sealed record CouponTransition(DateTimeOffset At, string From, string To, string Reason);

/// <summary>
/// A POS redemption a coupon accepted (docs/offers.md §5): its redemptionId, the store that sent it, the discount in CNY
/// it granted (what a replay answers), when, and the order amount in CNY it named (null for one kept before it was: its
/// replay is not compared on it).
/// </summary>
public sealed record CouponRedemption(string RedemptionId, string? StoreId, decimal Discount, DateTimeOffset At, decimal? OrderAmount = null);

/// <summary>Where a coupon may be used. Each non-empty list must match; an empty list places no limit.</summary>
public sealed record CouponScope
{
    public IReadOnlyList<string> Regions { get; init; } = [];

    public IReadOnlyList<string> Stores { get; init; } = [];

    /// <summary>Goods it is tied to: the order must contain one of them (when the POS sends items).</summary>
    public IReadOnlyList<string> Skus { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>True when the coupon is tied to goods (skus or categories): it is issued only where they are in stock.</summary>
    public bool IsGoodsTied => Skus.Count > 0 || Categories.Count > 0;
}

/// <summary>Coupon kinds (CONTRACT.md §2.1).</summary>
public static class CouponKinds
{
    /// <summary>A fixed amount off any order (e.g. the win-back L1 20 CNY wake-up gift).</summary>
    public const string NoThreshold = "no_threshold";

    /// <summary>A fixed amount off an order of at least <see cref="Coupon.MinSpend"/> (spend 500, get 100 off).</summary>
    public const string Threshold = "threshold";

    /// <summary>A percentage off the order.</summary>
    public const string Percent = "percent";

    /// <summary>Goods given (e.g. a trial pack), no money off.</summary>
    public const string Gift = "gift";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { NoThreshold, Threshold, Percent, Gift };
}

/// <summary>Coupon statuses: <c>issued</c> → <c>redeemed</c> | <c>expired</c> | <c>voided</c> (a full refund may restore a redeemed one).</summary>
public static class CouponStatuses
{
    public const string Issued = "issued";
    public const string Redeemed = "redeemed";
    public const string Expired = "expired";
    public const string Voided = "voided";
}
