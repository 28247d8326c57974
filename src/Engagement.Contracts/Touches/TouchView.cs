namespace Engagement.Contracts.Touches;

/// <summary>One touch decision on a member's timeline: sent, deferred or suppressed, with its reason.</summary>
[GenerateSerializer, Immutable, Alias("engagement.touch-view.v1")]
public sealed record TouchView
{
    /// <summary>Deterministic id; connectors drop repeats by it.</summary>
    [Id(0)] public required string TouchId { get; init; }

    [Id(1)] public required string Channel { get; init; }

    /// <summary>E.g. <c>winback.l1</c>, <c>points.expiry-notice</c>, <c>campaign</c>.</summary>
    [Id(2)] public required string Kind { get; init; }

    /// <summary><c>sent</c>, <c>deferred</c> or <c>suppressed</c>.</summary>
    [Id(3)] public required string Decision { get; init; }

    [Id(4)] public required string Reason { get; init; }

    [Id(5)] public DateTimeOffset DecidedAt { get; init; }

    /// <summary>For a deferred touch, when it will be tried again.</summary>
    [Id(6)] public DateTimeOffset? NotBefore { get; init; }

    [Id(7)] public string? CampaignId { get; init; }

    [Id(8)] public int? Level { get; init; }

    [Id(9)] public string? Offer { get; init; }

    /// <summary><c>marketing</c> or <c>service</c>.</summary>
    [Id(10)] public string Category { get; init; } = "marketing";

    /// <summary>The coupon the touch hands over, if any.</summary>
    [Id(11)] public string? CouponCode { get; init; }
}

/// <summary>The message a channel connector reads from <c>engagement-touches</c> (CONTRACT.md §3).</summary>
public sealed record TouchMessage
{
    public required string TouchId { get; init; }

    public required string MemberId { get; init; }

    public required string Channel { get; init; }

    public required string Kind { get; init; }

    public string? CampaignId { get; init; }

    public int? Level { get; init; }

    public string? Offer { get; init; }

    /// <summary>The coupon the member receives with this touch (CONTRACT.md §3), if any.</summary>
    public string? CouponCode { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
