namespace Engagement.Domain.Touches;

/// <summary>A wish to touch a member; <see cref="TouchGovernor.Decide"/> turns it into a decision.</summary>
public sealed record TouchRequest
{
    /// <summary>E.g. <c>winback.l1</c>, <c>points.expiry-notice</c>, <c>birthday.benefit</c>, <c>campaign</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>push</c>, <c>sms</c>, <c>call</c>, <c>wechat</c>…</summary>
    public required string Channel { get; init; }

    /// <summary>
    /// The channel the request prefers when it has a <see cref="FallbackChannel"/>; <see cref="Channel"/> is the one
    /// chosen from the two at the request's time. Null: <see cref="Channel"/> is the preferred channel.
    /// </summary>
    public string? PreferredChannel { get; init; }

    /// <summary>
    /// Used instead of the preferred channel while the member is opted out of it (CONTRACT.md §2, opted-out channels are
    /// never used); null: none. Kept with the decision so a deferred retry chooses its channel as a first attempt would.
    /// </summary>
    public string? FallbackChannel { get; init; }

    public string? CampaignId { get; init; }

    public int? Level { get; init; }

    public string? Offer { get; init; }

    /// <summary>The code of the coupon this touch hands over (CONTRACT.md §3 <c>couponCode</c>), if any.</summary>
    public string? CouponCode { get; init; }

    /// <summary>
    /// Tells one logical touch from another of the same kind (the win-back episode start, the lot id, the
    /// birthday year). Part of the deterministic touch id.
    /// </summary>
    public string DedupeKey { get; init; } = "";

    /// <summary>
    /// The touch must go out before this instant (exclusive); a touch the caps or quiet hours would push past
    /// it is suppressed instead of deferred. Null: no limit.
    /// </summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary><c>marketing</c> or <c>service</c>; null: service if the kind is in <c>TouchOptions.ServiceKinds</c>.</summary>
    public string? Category { get; init; }

    /// <summary>
    /// Why the caller found the touch cannot be fulfilled (e.g. the member's coupon book is full): the touch is recorded
    /// suppressed with this reason and nothing goes out. Null: the caps and quiet hours decide.
    /// </summary>
    public string? SuppressReason { get; init; }
}
