namespace Engagement.Contracts.Campaigns;

/// <summary><c>GET /api/v1/campaigns/{id}</c>: the definition, its status and the fan-out's progress.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-status-view.v1")]
public sealed record CampaignStatusView
{
    [Id(0)] public required CampaignDefinition Definition { get; init; }

    /// <summary>See <see cref="CampaignStatuses"/>.</summary>
    [Id(1)] public required string Status { get; init; }

    [Id(2)] public required CampaignProgress Progress { get; init; }

    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    [Id(4)] public DateTimeOffset? TriggeredAt { get; init; }

    [Id(5)] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Grants held (sent or deferred touches) and their cost, against the budget.</summary>
    [Id(6)] public long GrantsReserved { get; init; }

    [Id(7)] public decimal CostReserved { get; init; }

    /// <summary>When the current pause began (UTC); null unless <see cref="CampaignStatuses.Paused"/>.</summary>
    [Id(8)] public DateTimeOffset? PausedAt { get; init; }
}

/// <summary>How far the fan-out got. Counts are exact: each audience member is counted once.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-progress.v1")]
public sealed record CampaignProgress
{
    /// <summary>Audience members processed so far (every group, ineligible and budget-skipped included).</summary>
    [Id(0)] public long Reached { get; init; }

    /// <summary>Audience size counted from the member index when the campaign was triggered; null while counting.</summary>
    [Id(1)] public long? Total { get; init; }

    [Id(2)] public long Sent { get; init; }

    [Id(3)] public long Deferred { get; init; }

    [Id(4)] public long Suppressed { get; init; }

    /// <summary>Campaign control members (recorded, not touched).</summary>
    [Id(5)] public long Control { get; init; }

    /// <summary>Global control members (excluded from every marketing campaign).</summary>
    [Id(6)] public long Excluded { get; init; }

    /// <summary>Members whose live state no longer matched the audience.</summary>
    [Id(7)] public long Ineligible { get; init; }

    /// <summary>Arm or control members not delivered because the budget ran out.</summary>
    [Id(8)] public long BudgetSkipped { get; init; }

    /// <summary>The same as the campaign's status.</summary>
    [Id(9)] public required string State { get; init; }

    /// <summary>Index shards finished, of <see cref="Shards"/>.</summary>
    [Id(10)] public int ShardsDone { get; init; }

    [Id(11)] public int Shards { get; init; }

    /// <summary>
    /// True while the fan-out has a page in flight. After a pause it turns false once the pages under way are
    /// checkpointed; from then on the counts stand still until a resume.
    /// </summary>
    [Id(12)] public bool FanOutRunning { get; init; }

    /// <summary>Arm members held back from a goods-tied coupon because their store has none of the goods (CONTRACT.md §2.1).</summary>
    [Id(13)] public long HeldBackForStock { get; init; }

    /// <summary>
    /// Audience members whose delivery was refused because their outbox was backed up (a receiver such as the ledger
    /// archive down): each counted once. Each is later reached (<see cref="BackedUpReachedLater"/>), given up
    /// (<see cref="BackedUpGivenUp"/>), or still waits for a retry (<see cref="BackedUpWaiting"/>); while any waits, a
    /// broadcast whose shards are all done stays <c>running</c>.
    /// </summary>
    [Id(14)] public long BackedUpSkipped { get; init; }

    /// <summary>Of <see cref="BackedUpSkipped"/>, members a later retry reached (counted in <see cref="Reached"/> from then on).</summary>
    [Id(15)] public long BackedUpReachedLater { get; init; }

    /// <summary>Of <see cref="BackedUpSkipped"/>, members waiting for a retry now.</summary>
    [Id(16)] public long BackedUpWaiting { get; init; }

    /// <summary>Of <see cref="BackedUpSkipped"/>, members never reached: refused 10 times (about 21 hours), the retry list full (500), or the window ended first.</summary>
    [Id(17)] public long BackedUpGivenUp { get; init; }

    /// <summary>
    /// Audience members refused because they already hold the most campaign memberships they cannot forget yet
    /// (<c>Engagement:Campaigns:MaxMembershipsKept</c>, default 100): counted in <see cref="Reached"/>, in no group (not in
    /// <see cref="Suppressed"/>, <see cref="Control"/> or <see cref="Excluded"/>), no touch, no grant. JSON
    /// <c>progress.membershipCapRefused</c>; an addition beyond CONTRACT.md. See docs/campaigns.md.
    /// </summary>
    [Id(18)] public long MembershipCapRefused { get; init; }
}

/// <summary>Campaign statuses.</summary>
public static class CampaignStatuses
{
    /// <summary>A broadcast campaign defined but not triggered.</summary>
    public const string Draft = "draft";

    /// <summary>Triggered; counting the audience in the member index.</summary>
    public const string Counting = "counting";

    /// <summary>Triggered; delivering to members.</summary>
    public const string Running = "running";

    /// <summary>
    /// Paused by marketing: a broadcast's fan-out stops at the next page boundary (and resumes from there), a
    /// triggered campaign grants nothing. Persisted, so it stays paused across silo restarts.
    /// </summary>
    public const string Paused = "paused";

    /// <summary>Every audience member was processed.</summary>
    public const string Completed = "completed";

    /// <summary>A triggered campaign firing on member events within its validity window.</summary>
    public const string Active = "active";

    /// <summary>
    /// Past its validity window: a triggered campaign, or a broadcast whose fan-out had not reached every member by
    /// <c>validUntil</c> (it stopped there; the rest got nothing).
    /// </summary>
    public const string Ended = "ended";
}

/// <summary><c>GET /api/v1/campaigns/{id}/results</c>.</summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-results.v1")]
public sealed record CampaignResults
{
    [Id(0)] public required string CampaignId { get; init; }

    [Id(1)] public required string Status { get; init; }

    [Id(2)] public int AttributionWindowDays { get; init; }

    /// <summary>One row per arm.</summary>
    [Id(3)] public IReadOnlyList<CampaignGroupResult> Arms { get; init; } = [];

    /// <summary>All arms together.</summary>
    [Id(4)] public required CampaignGroupResult Treated { get; init; }

    [Id(5)] public required CampaignGroupResult Control { get; init; }

    /// <summary>Global control members of this campaign's audience; the programme-level baseline.</summary>
    [Id(6)] public required CampaignGroupResult GlobalControl { get; init; }

    /// <summary>Treated against global control (the programme's uplift on this audience).</summary>
    [Id(7)] public CampaignUplift? TreatedVsGlobalControl { get; init; }

    /// <summary>How the numbers are computed, in words.</summary>
    [Id(8)] public string Method { get; init; } = "";

    [Id(9)] public DateTimeOffset ComputedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("engagement.campaign-group-result.v1")]
public sealed record CampaignGroupResult
{
    /// <summary>Arm name, <c>treated</c>, <c>control</c> or <c>global_control</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Members assigned to the group (intention to treat: the conversion rate's denominator).</summary>
    [Id(1)] public long Audience { get; init; }

    [Id(2)] public long Sent { get; init; }

    [Id(3)] public long Deferred { get; init; }

    [Id(4)] public long Suppressed { get; init; }

    /// <summary>Members with a purchase within the attribution window after assignment.</summary>
    [Id(5)] public long Converted { get; init; }

    /// <summary>Sum of those members' purchases within the window.</summary>
    [Id(6)] public decimal Revenue { get; init; }

    /// <summary>Unit cost × grants the members hold, CNY: touches sent or deferred (a deferred touch's offer is the member's from its deferral).</summary>
    [Id(7)] public decimal Cost { get; init; }

    /// <summary>(revenue − cost) / cost; null when cost is 0.</summary>
    [Id(8)] public double? Roi { get; init; }

    /// <summary>converted / audience; null for an empty group.</summary>
    [Id(9)] public double? ConversionRate { get; init; }

    /// <summary>Against the campaign's control; null for the control rows or when either side is empty.</summary>
    [Id(10)] public CampaignUplift? Uplift { get; init; }

    /// <summary>Members of the group held back from a goods-tied coupon because their store has none of the goods.</summary>
    [Id(11)] public long HeldBackForStock { get; init; }

    /// <summary>
    /// Revenue the group added over the campaign's control, CNY (2 places): revenue − control revenue per control member ×
    /// audience; null for the control rows or without a control group (CampaignMath.IncrementalRevenue).
    /// </summary>
    [Id(12)] public decimal? IncrementalRevenue { get; init; }

    /// <summary>(incremental revenue − cost) / cost, the return the campaign caused; null where <see cref="IncrementalRevenue"/> is, or cost is 0.</summary>
    [Id(13)] public double? IncrementalRoi { get; init; }
}

/// <summary>
/// Difference of conversion rates with its 95% confidence interval: Newcombe's hybrid score interval (Wilson score
/// limits of each rate combined), which holds at small counts and at zero conversions.
/// </summary>
[GenerateSerializer, Immutable, Alias("engagement.campaign-uplift.v1")]
public sealed record CampaignUplift
{
    /// <summary>rate(group) − rate(baseline), in absolute terms (0.02 = two percentage points).</summary>
    [Id(0)] public double Difference { get; init; }

    /// <summary>Lower 95% limit of <see cref="Difference"/> (≥ −1).</summary>
    [Id(1)] public double Low { get; init; }

    /// <summary>Upper 95% limit of <see cref="Difference"/> (≤ 1).</summary>
    [Id(2)] public double High { get; init; }

    /// <summary>Difference / baseline rate; null when the baseline rate is 0.</summary>
    [Id(3)] public double? Relative { get; init; }

    /// <summary>True when the interval excludes 0.</summary>
    [Id(4)] public bool Significant { get; init; }
}
