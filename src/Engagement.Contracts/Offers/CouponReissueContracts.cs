namespace Engagement.Contracts.Offers;

/// <summary>
/// A support agent's coupon reissue: <c>{reissueId, reason}</c> on the wire; <see cref="Actor"/> is the signed-in key's
/// name, set by the server, never by the body.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-reissue-request.v1")]
public sealed record CouponReissueRequest
{
    /// <summary>The caller's id of this action (1–128 characters): the audit entry's key.</summary>
    [Id(0)] public string ReissueId { get; init; } = "";

    /// <summary>Why (1–200 characters), e.g. "member lost the coupon"; written into the coupons' status reasons and the audit.</summary>
    [Id(1)] public string Reason { get; init; } = "";

    /// <summary>Who reissues: the API key's name (server-set).</summary>
    [Id(2)] public string Actor { get; init; } = "";
}

/// <summary>
/// What a reissue did: <c>reissued</c>, <c>replayed</c> (reissued before; the same new coupon), <c>not_found</c>
/// (the member holds no such code, or has never been seen), <c>refused</c> (with <see cref="Reason"/>: <c>used</c>,
/// <c>voided</c>, <c>full</c>, or <c>not_configured</c> when no coupon secret is set).
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.coupon-reissue-result.v1")]
public sealed record CouponReissueResult
{
    public const string Reissued = "reissued";
    public const string Replayed = "replayed";
    public const string NotFound = "not_found";
    public const string Refused = "refused";

    [Id(0)] public required string Status { get; init; }

    /// <summary>The refusal's reason code, when refused.</summary>
    [Id(1)] public string? Reason { get; init; }

    [Id(2)] public string Detail { get; init; } = "";

    /// <summary>The old coupon as it now is (voided, or expired), when held.</summary>
    [Id(3)] public CouponView? Old { get; init; }

    /// <summary>The new coupon, when reissued or replayed.</summary>
    [Id(4)] public CouponView? Coupon { get; init; }
}
