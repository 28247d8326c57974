using System.Text.Json.Serialization;

namespace Engagement.Contracts.Members;

/// <summary>
/// A manual points or growth change by staff (CONTRACT.md §4, <c>POST /members/{memberId}/adjustments</c>);
/// idempotent by <see cref="AdjustmentId"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.adjustment-request.v1")]
public sealed record AdjustmentRequest
{
    /// <summary>1–128 characters; a retry with the same id changes nothing.</summary>
    [Id(0)] public required string AdjustmentId { get; init; }

    /// <summary><c>points</c> or <c>growth</c>.</summary>
    [Id(1)] public required string Kind { get; init; }

    /// <summary>Points or growth added (negative: taken), non-zero.</summary>
    [Id(2)] public long Delta { get; init; }

    /// <summary>Why, for the ledger and the audit (mandatory, at most 200 characters).</summary>
    [Id(3)] public required string Reason { get; init; }

    /// <summary>
    /// Support's daily limit per member and kind (points or growth, summed as |delta| over the programme-local day), set by
    /// the API from <c>Engagement:Api:Adjustments:SupportLimit</c> for a non-admin caller; null (admin, the engine): none.
    /// Never read from the request body. Beyond it the result is <c>over_desk_limit</c> (HTTP 403).
    /// </summary>
    [Id(4), JsonIgnore] public long? DeskLimit { get; init; }
}

/// <summary>What became of an adjustment.</summary>
[GenerateSerializer, Immutable, Alias("engagement.adjustment-result.v1")]
public sealed record AdjustmentResult
{
    [Id(0)] public required string AdjustmentId { get; init; }

    /// <summary><c>applied</c>, <c>replayed</c>, <c>refused</c>, <c>conflict</c>, <c>over_desk_limit</c> or <c>unknown_member</c>.</summary>
    [Id(1)] public required string Status { get; init; }

    [Id(2)] public required string Kind { get; init; }

    [Id(3)] public long Delta { get; init; }

    /// <summary>Points balance or trailing growth after the adjustment.</summary>
    [Id(4)] public long BalanceAfter { get; init; }

    [Id(5)] public string? Detail { get; init; }

    public const string UnknownMember = "unknown_member";
}
