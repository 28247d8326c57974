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

    /// <summary>
    /// Who sends it (the API key's name and role), set by the API, never read from the request body; the member keeps it as
    /// the maker of an applied adjustment (<see cref="AdjustmentResult.MadeBy"/>). Null: the engine's own.
    /// </summary>
    [Id(5), JsonIgnore] public AdjustmentActorView? By { get; init; }
}

/// <summary>Who made a manual adjustment: the API key's name and role (CONTRACT.md §4, the audit's who).</summary>
[GenerateSerializer, Immutable, Alias("engagement.adjustment-actor.v1")]
public sealed record AdjustmentActorView
{
    /// <summary>The key's name, e.g. <c>Li Na</c> (the role itself for a key without a name).</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The key's role: <c>support</c> or <c>admin</c>.</summary>
    [Id(1)] public required string Role { get; init; }
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

    /// <summary>
    /// Who made the adjustment: <c>applied</c>, the caller; <c>replayed</c>, whoever made the original (kept 30 days, at most
    /// the member's 32 newest adjustments), which may not be the caller; null when not known.
    /// </summary>
    [Id(6)] public AdjustmentActorView? MadeBy { get; init; }

    /// <summary>
    /// <c>over_desk_limit</c> only: the programme-local date (<see cref="DeskTimeZone"/>, Asia/Shanghai by default) support's
    /// day total was read for; null otherwise. Not in the JSON answer: the API's 403 names it as <c>day</c>.
    /// </summary>
    [Id(7), JsonIgnore] public DateOnly? DeskDay { get; init; }

    /// <summary><c>over_desk_limit</c> only: the IANA time zone of <see cref="DeskDay"/>; null otherwise.</summary>
    [Id(8), JsonIgnore] public string? DeskTimeZone { get; init; }

    /// <summary>
    /// <c>over_desk_limit</c> only: what support already adjusted of <see cref="Kind"/> on the member that day (sum of
    /// |delta|, in points or growth value); null otherwise. Not in the JSON answer: the API's 403 names it as <c>used</c>.
    /// </summary>
    [Id(9), JsonIgnore] public long? DeskUsed { get; init; }

    public const string UnknownMember = "unknown_member";
}
