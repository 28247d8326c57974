using Orleans.Concurrency;

namespace Engagement.Contracts.Campaigns;

/// <summary>
/// One campaign, keyed by campaign id: its definition, the fan-out (cursors and counters, checkpointed together),
/// the budget (reserved here before any member is told to send) and the results.
/// </summary>
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the definition. Creating the same definition again is a no-op (<c>Exists</c>, whenever it comes); a
    /// different one under the same id is refused (<c>Conflict</c>); an invalid one, or a new one whose
    /// <c>validUntil</c> is not after the engine clock's now (UTC), is <c>Invalid</c> with the fields named.
    /// </summary>
    Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition);

    /// <summary>Definition, status and progress; null when no campaign has this id.</summary>
    [ReadOnly]
    Task<CampaignStatusView?> GetAsync();

    /// <summary>Starts the fan-out of a broadcast campaign. Idempotent: a second trigger reports the running or finished one.</summary>
    Task<CampaignTriggerResult> TriggerAsync();

    /// <summary>
    /// Pauses a broadcast's fan-out (it stops at the next page boundary: pages under way finish and are checkpointed)
    /// or a triggered campaign's grants. <c>changed</c>; <c>already</c> when paused; <c>refused</c> (with why) for a
    /// draft, completed or ended campaign; <c>not_found</c>.
    /// </summary>
    Task<CampaignControlResult> PauseAsync();

    /// <summary>
    /// Resumes a paused campaign from where it stopped (the fan-out's cursors, or granting again). <c>changed</c>;
    /// <c>already</c> when it runs; <c>refused</c> (with why) for a campaign that was never paused; <c>not_found</c>.
    /// </summary>
    Task<CampaignControlResult> ResumeAsync();

    /// <summary>Per arm, control and global control: audience, outcomes, conversions, revenue, cost, ROI, uplift with 95% CI.</summary>
    [ReadOnly]
    Task<CampaignResults?> GetResultsAsync();

    /// <summary>
    /// A member matched this triggered campaign: assigns it (arm, control or global control) and, for an arm,
    /// reserves one grant of the budget. Interleaves, so members can ask while the grain awaits other members.
    /// </summary>
    [AlwaysInterleave]
    Task<CampaignGrant> RequestGrantAsync(string memberId);

    /// <summary>
    /// The member's event fired a campaign of higher priority, and the member holds no membership of this one: a grant
    /// this campaign still holds pending for it (asked for by an attempt of the event whose write failed) is released, its
    /// audience count and budget with it, so they count only what members hold. Nothing pending: nothing changes.
    /// </summary>
    [AlwaysInterleave]
    Task ReleasePendingGrantAsync(string memberId);

    /// <summary>A member's touch moved on after delivery (deferred → sent or suppressed); a suppression releases its grant.</summary>
    [AlwaysInterleave]
    Task ReportOutcomeAsync(CampaignOutcomeReport report);

    /// <summary>A purchase by an assigned member within the attribution window (the first one counts as the conversion).</summary>
    [AlwaysInterleave]
    Task ReportPurchaseAsync(CampaignPurchaseReport report);

    /// <summary>
    /// The member that sent these reports (ids as in <see cref="CampaignOutcomeReport.ReportId"/>) has stored that it will
    /// never send them again: the campaign stops remembering them, so its bounded memory of counted reports holds only
    /// reports still in flight. Unknown ids are ignored; a repeat changes nothing.
    /// </summary>
    [AlwaysInterleave]
    Task ForgetReportsAsync(IReadOnlyList<string> reportIds);
}

/// <summary>
/// The silo-wide list of active triggered campaigns (a singleton, key 0), read by every silo's local cache
/// every few seconds so that members can match events without calling each campaign.
/// </summary>
public interface ICampaignRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or replaces an active triggered campaign.</summary>
    Task SetActiveAsync(CampaignDefinition definition);

    /// <summary>Removes a campaign that ended or ran out of budget.</summary>
    Task RemoveAsync(string campaignId);

    /// <summary>The active triggered campaigns, highest priority first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<CampaignDefinition>> ListActiveAsync();
}

[GenerateSerializer, Immutable, Alias("engagement.campaign-create-result.v1")]
public sealed record CampaignCreateResult
{
    /// <summary><c>created</c>, <c>exists</c> (the same definition) or <c>conflict</c> / <c>invalid</c>.</summary>
    [Id(0)] public required string Status { get; init; }

    [Id(1)] public IReadOnlyList<CampaignFieldError> Errors { get; init; } = [];

    [Id(2)] public CampaignStatusView? Campaign { get; init; }

    public const string Created = "created";
    public const string Exists = "exists";
    public const string Conflict = "conflict";
    public const string Invalid = "invalid";
}

[GenerateSerializer, Immutable, Alias("engagement.campaign-trigger-result.v1")]
public sealed record CampaignTriggerResult
{
    /// <summary><c>started</c>, <c>already</c> (running or done), <c>not_found</c>, <c>refused</c>.</summary>
    [Id(0)] public required string Status { get; init; }

    [Id(1)] public string? Detail { get; init; }

    [Id(2)] public CampaignStatusView? Campaign { get; init; }

    /// <summary>
    /// When <c>refused</c>: why, as a stable code (<see cref="CampaignRefusals.NotBroadcast"/>,
    /// <see cref="CampaignRefusals.NotStarted"/>, <see cref="CampaignRefusals.Ended"/>); the 409's <c>reason</c>. Else null.
    /// </summary>
    [Id(3)] public string? Reason { get; init; }

    public const string Started = "started";
    public const string Already = "already";
    public const string NotFound = "not_found";
    public const string Refused = "refused";
}

/// <summary>The answer to <see cref="ICampaignGrain.PauseAsync"/> or <see cref="ICampaignGrain.ResumeAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-control-result.v1")]
public sealed record CampaignControlResult
{
    /// <summary><c>changed</c>, <c>already</c> (nothing to do), <c>not_found</c>, <c>refused</c>.</summary>
    [Id(0)] public required string Status { get; init; }

    /// <summary>Why it was refused (or what it already is), for people.</summary>
    [Id(1)] public string? Detail { get; init; }

    [Id(2)] public CampaignStatusView? Campaign { get; init; }

    /// <summary>The number of the pause concerned (1 for the first): a pause and its resume share it, so an audit entry keyed by it is written once.</summary>
    [Id(3)] public long Pause { get; init; }

    /// <summary>
    /// When <c>refused</c>: why, as a stable code (<see cref="CampaignRefusals.Draft"/>, <see cref="CampaignRefusals.Completed"/>,
    /// <see cref="CampaignRefusals.Ended"/>); the 409's <c>reason</c>. Else null.
    /// </summary>
    [Id(4)] public string? Reason { get; init; }

    public const string Changed = "changed";
    public const string Already = "already";
    public const string NotFound = "not_found";
    public const string Refused = "refused";
}

/// <summary>
/// Why a campaign action is refused: the machine-readable <c>reason</c> of every campaign 409 (CONTRACT.md §4; the
/// <c>detail</c> says it in words). Stable: clients may switch on them.
/// </summary>
public static class CampaignRefusals
{
    /// <summary>Pause or resume of a broadcast never triggered: trigger it first.</summary>
    public const string Draft = CampaignStatuses.Draft;

    /// <summary>Pause or resume of a broadcast whose fan-out reached every audience member.</summary>
    public const string Completed = CampaignStatuses.Completed;

    /// <summary>The validity window is over (<c>validUntil</c> passed): nothing is triggered, paused or resumed any more.</summary>
    public const string Ended = CampaignStatuses.Ended;

    /// <summary>A trigger before <c>validFrom</c>.</summary>
    public const string NotStarted = "not_started";

    /// <summary>A trigger of a triggered campaign: it fires on member events, only broadcasts are triggered.</summary>
    public const string NotBroadcast = "not_broadcast";

    /// <summary>A create under an id that holds a different definition (definitions are immutable; use a new id).</summary>
    public const string DefinitionDiffers = "definition_differs";
}

/// <summary>A campaign's answer to a member that matched a triggered campaign.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-grant.v1")]
public sealed record CampaignGrant
{
    /// <summary>See <see cref="CampaignGroups"/>; <c>none</c> when nothing should happen (ended, no budget).</summary>
    [Id(0)] public required string Group { get; init; }

    /// <summary>The arm when <see cref="Group"/> is <c>arm</c>.</summary>
    [Id(1)] public string? Arm { get; init; }

    /// <summary>The delivery to apply to oneself (null unless an arm, control or global control).</summary>
    [Id(2)] public CampaignDelivery? Delivery { get; init; }

    [Id(3)] public string? Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.campaign-outcome-report.v1")]
public sealed record CampaignOutcomeReport
{
    [Id(0)] public required string MemberId { get; init; }

    [Id(1)] public required string Arm { get; init; }

    /// <summary>The outcome counted so far (<c>deferred</c>).</summary>
    [Id(2)] public required string From { get; init; }

    /// <summary><c>sent</c> or <c>suppressed</c>.</summary>
    [Id(3)] public required string To { get; init; }

    /// <summary>
    /// The report's deterministic id (the member's id and its outbox effect's id): the campaign counts each id once, so
    /// a report the member sends again (after a timeout or a failed write of its own) changes nothing. Null from an
    /// older sender: counted, without that guard.
    /// </summary>
    [Id(4)] public string? ReportId { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.campaign-purchase-report.v1")]
public sealed record CampaignPurchaseReport
{
    [Id(0)] public required string MemberId { get; init; }

    /// <summary><c>arm</c>, <c>control</c> or <c>global_control</c>.</summary>
    [Id(1)] public required string Group { get; init; }

    [Id(2)] public string? Arm { get; init; }

    [Id(3)] public decimal Amount { get; init; }

    /// <summary>True for the member's first purchase in the window: the conversion.</summary>
    [Id(4)] public bool Conversion { get; init; }

    [Id(5)] public required string EventId { get; init; }

    /// <summary>
    /// The report's deterministic id (the member's id and its outbox effect's id): the campaign counts each id once, so
    /// a purchase reported again (after a timeout or a failed write of the member's) is not counted twice. Null from an
    /// older sender: counted, without that guard.
    /// </summary>
    [Id(6)] public string? ReportId { get; init; }
}
