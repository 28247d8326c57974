namespace Engagement.Contracts.Members;

/// <summary>A redemption of points (optionally with cash); idempotent by <see cref="RedemptionId"/>.</summary>
[GenerateSerializer, Immutable, Alias("engagement.redemption-request.v1")]
public sealed record RedemptionRequest
{
    [Id(0)] public required string RedemptionId { get; init; }

    [Id(1)] public long Points { get; init; }

    [Id(2)] public decimal? CashAmount { get; init; }

    [Id(3)] public string? RewardId { get; init; }

    /// <summary>
    /// CNY per point in force now (the runtime point value), set by the server from <c>IPointValueGrain</c>, never taken
    /// from a request body; null: the configured <c>Engagement:Program:PointValue</c>.
    /// </summary>
    [Id(4), System.Text.Json.Serialization.JsonIgnore] public decimal? PointValue { get; init; }

    /// <summary>
    /// The store whose stock a catalogue redemption took (<c>POST /catalogue/{rewardId}/redemptions</c>), or where a
    /// points redemption was made (<c>POST /members/{memberId}/redemptions</c> <c>storeId</c>, no reward: named in its
    /// ledger reason), set by the server from the validated request: the same redemptionId at another store is another
    /// request, refused rather than replayed (a replay takes no points, so it must not take a unit either).
    /// </summary>
    [Id(5), System.Text.Json.Serialization.JsonIgnore] public string? StoreId { get; init; }
}

/// <summary>Outcome of a redemption.</summary>
[GenerateSerializer, Immutable, Alias("engagement.redemption-result.v1")]
public sealed record RedemptionResult
{
    [Id(0)] public required string RedemptionId { get; init; }

    /// <summary><c>accepted</c>, <c>insufficient_points</c>, <c>negative_balance</c>, <c>unknown_member</c>, <c>invalid</c>, <c>redemption_id_reused</c>.</summary>
    [Id(1)] public required string Status { get; init; }

    [Id(2)] public long PointsBalance { get; init; }

    /// <summary>Cash value of the points redeemed at the point value in force (<see cref="RedemptionRequest.PointValue"/>).</summary>
    [Id(3)] public decimal PointsValue { get; init; }

    [Id(4)] public decimal? CashAmount { get; init; }

    /// <summary>True when this redemptionId had been applied before and the first outcome is returned.</summary>
    [Id(5)] public bool Replayed { get; init; }

    [Id(6)] public string? Detail { get; init; }

    /// <summary>
    /// For <c>redemption_id_reused</c>: the first field of the request that differs from the redemption first made under its
    /// id (<c>points</c>, <c>cashAmount</c> or <c>storeId</c>; <see cref="Detail"/> names every difference); for
    /// <c>invalid</c> because the id was already used for another reward (or its record is no longer kept):
    /// <c>redemptionId</c>; null otherwise. Not part of the 200 body (docs/http-api.md, points redemptions).
    /// </summary>
    [Id(7), System.Text.Json.Serialization.JsonIgnore] public string? Field { get; init; }

    public bool Accepted => Status == RedemptionStatus.Accepted;
}

public static class RedemptionStatus
{
    public const string Accepted = "accepted";
    public const string InsufficientPoints = "insufficient_points";
    public const string NegativeBalance = "negative_balance";
    public const string UnknownMember = "unknown_member";
    public const string Invalid = "invalid";

    /// <summary>
    /// A points redemption's redemptionId sent again with other points, other cash or from another store (or with or without
    /// one): HTTP 409 naming the field that differs (<see cref="RedemptionResult.Field"/>).
    /// </summary>
    public const string RedemptionIdReused = "redemption_id_reused";
}
