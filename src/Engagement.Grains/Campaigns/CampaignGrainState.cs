using System.Text.Json.Serialization;
using Engagement.Contracts.Campaigns;
using Engagement.Domain.Campaigns;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// What a campaign grain persists (System.Text.Json, like member state). Cursors and counters are written in one
/// state, so a checkpoint moves both together: after a crash the fan-out resumes from the last page both agree on.
/// The rules that move the counters and the budget are the domain's (<see cref="GroupCounters"/>,
/// <see cref="BudgetReservation"/>, <see cref="PageTally"/>); this class only holds them and shapes the views.
/// </summary>
public sealed class CampaignGrainState
{
    /// <summary>Normalized definition; null until created.</summary>
    public CampaignDefinition? Definition { get; set; }

    /// <summary>See <see cref="CampaignStatuses"/>.</summary>
    public string Status { get; set; } = "";

    /// <summary>While <see cref="CampaignStatuses.Paused"/>: the status a resume returns to (counting, running or active).</summary>
    public string? ResumeTo { get; set; }

    /// <summary>How many times the campaign was paused (numbers each pause/resume for idempotent audit entries).</summary>
    public long Pauses { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? TriggeredAt { get; set; }

    /// <summary>When the current pause began (UTC); null unless paused.</summary>
    public DateTimeOffset? PausedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>One cursor per member-index shard, fixed when the fan-out starts.</summary>
    public List<ShardCursor> Shards { get; set; } = [];

    /// <summary>The audience is counted: the fan-out has shards and every one has its total (progress.total is known).</summary>
    [JsonIgnore]
    public bool AudienceCounted => Shards.Count > 0 && Shards.All(s => s.Counted);

    /// <summary>Counters by group: each arm by its name, <c>control</c>, <c>global_control</c>.</summary>
    public Dictionary<string, GroupCounters> Groups { get; set; } = new(StringComparer.Ordinal);

    public long Ineligible { get; set; }

    public long BudgetSkipped { get; set; }

    /// <summary>
    /// Members refused at their membership cap (<see cref="Domain.Campaigns.MembershipCap"/>): processed, in no group.
    /// Left out of the stored JSON while 0, so a campaign stored before the cap existed is written back byte for byte.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long MembershipCapRefused { get; set; }

    /// <summary>Grants held by sent or deferred touches (committed pages and triggered grants).</summary>
    public long GrantsReserved { get; set; }

    /// <summary>The cost of those grants, CNY.</summary>
    public decimal CostReserved { get; set; }

    /// <summary>
    /// Members of a triggered campaign granted (counted, and an arm's grant held) whose own write has not confirmed
    /// it yet: the member confirms through its outbox after its state is durable (an outcome report). A member whose
    /// write failed retries the event and asks again; it is answered with the same grant, not counted twice. Bounded by
    /// <see cref="CampaignOptions.MaxPendingGrants"/> (<see cref="PendingGrantRule"/>).
    /// </summary>
    public List<string> PendingGrants { get; set; } = [];

    /// <summary>
    /// A triggered campaign taken off the registry because a grant did not fit the budget: a grant released later (a
    /// touch suppressed at once) lists it again, or the budget it frees would never be spent.
    /// </summary>
    public bool UnlistedForBudget { get; set; }

    /// <summary>
    /// Members a broadcast's fan-out found backed up (their outbox past its bound), waiting to be asked again, and how
    /// many were later reached or given up (<see cref="BackedUpMembers"/>; docs/rules.md "The outbox is bounded by count and by bytes").
    /// Null (and not stored) until a page first finds one: rows of campaigns that never met one stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BackedUpMembers? BackedUp { get; set; }

    /// <summary>Report ids counted lately, so a report a member sends again is counted once (bounded).</summary>
    public CountedReports Reports { get; set; } = new();

    /// <summary>
    /// 1 when the arms' <see cref="GroupCounters.Cost"/> counts deferred grants (every campaign created since); 0 in a
    /// state stored before, whose still-deferred grants <see cref="CostDeferredGrants"/> adds once.
    /// </summary>
    public int CostRule { get; set; }

    /// <summary>No longer read (it stopped a broadcast for good once one page ran short, with budget left); kept for stored states.</summary>
    public bool BudgetExhausted { get; set; }

    /// <summary>
    /// The share of members (0–15 %) in the programme's global control group when the campaign was created: its
    /// assignments all use it, whatever the setting becomes later or on another silo during a rolling restart (a
    /// member's group must never change, nor a release give back a grant its group never held). Null in states
    /// stored before it was kept: then the setting in force.
    /// </summary>
    public int? GlobalControlPercent { get; set; }

    /// <summary>The global control share the campaign's assignments use: <see cref="GlobalControlPercent"/>, else <paramref name="setting"/>.</summary>
    public int GlobalControlPercentOr(int setting) => GlobalControlPercent ?? setting;

    /// <summary>
    /// A new campaign: its definition, first status, creation time (UTC), the global control share in force
    /// (<paramref name="globalControlPercent"/>) and empty counters for every group.
    /// </summary>
    public void Create(CampaignDefinition definition, string status, DateTimeOffset now, int globalControlPercent)
    {
        (Definition, Status, CreatedAt, CostRule, GlobalControlPercent) = (definition, status, now, 1, globalControlPercent);
        foreach (var key in definition.Arms.Select(a => a.Name).Append(CampaignGroups.Control).Append(CampaignGroups.GlobalControl))
        {
            Counters(key);
        }
    }

    /// <summary>
    /// A state stored when only sent grants cost: adds the cost of the grants its deferred touches hold (the members have
    /// the offers). In memory; the next write stores it, and a reload from the older state comes to the same.
    /// </summary>
    public void CostDeferredGrants()
    {
        if (CostRule >= 1 || Definition is null)
        {
            return;
        }

        foreach (var arm in Definition.Arms)
        {
            Counters(arm.Name).CostDeferredGrants(CampaignMapping.UnitCostOf(Definition, arm.Name));
        }

        CostRule = 1;
    }

    /// <summary>The counters of a group, created empty when missing.</summary>
    public GroupCounters Counters(string key)
    {
        if (!Groups.TryGetValue(key, out var counters))
        {
            Groups[key] = counters = new GroupCounters();
        }

        return counters;
    }

    /// <summary>Grants held: committed plus those in flight on pages of shards other than <paramref name="except"/>, and on a backed-up member's retry.</summary>
    public BudgetHeld Held(ShardCursor? except = null) => BudgetReservation.Held(
        new BudgetHeld(GrantsReserved + (BackedUp?.InFlightGrants ?? 0), CostReserved + (BackedUp?.InFlightCost ?? 0m)),
        Shards.Where(s => !ReferenceEquals(s, except) && s.InFlightGrants is not null).Select(s => new BudgetHeld(s.InFlightGrants!.Value, s.InFlightCost)));

    /// <summary>
    /// A checkpoint's counting: adds <paramref name="tally"/>'s group counters, ineligible and budget-skipped members,
    /// and holds the grants its sent and deferred touches kept (in memory; the caller's write stores it with its cursor).
    /// </summary>
    public void Add(PageTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        foreach (var (key, counters) in tally.Groups)
        {
            Counters(key).Add(counters);
        }

        (Ineligible, BudgetSkipped) = (Ineligible + tally.Ineligible, BudgetSkipped + tally.BudgetSkipped);
        MembershipCapRefused += tally.MembershipCapRefused;
        Hold(tally.Kept);
    }

    /// <summary>Adds or removes held grants (a checkpoint keeps a page's, a suppression releases one).</summary>
    public void Hold(BudgetHeld delta)
    {
        GrantsReserved += delta.Grants;
        CostReserved += delta.Cost;
    }

    /// <summary>The status as the outside sees it: an active triggered campaign past its validity is <c>ended</c>.</summary>
    public string StatusAt(DateTimeOffset now) =>
        Status is CampaignStatuses.Active or CampaignStatuses.Paused && Definition is { } d && now >= d.ValidUntil ? CampaignStatuses.Ended : Status;

    /// <summary>A paused broadcast whose window is over at <paramref name="now"/> (UTC), still to be ended by its fan-out (<see cref="CampaignPauseRule.EndsWhilePaused"/>).</summary>
    public bool EndsWhilePaused(DateTimeOffset now) => Definition is { } d
        && CampaignPauseRule.EndsWhilePaused(CampaignMapping.ToPhase(Status), CampaignMapping.ToPhase(ResumeTo), d.ValidUntil, now);

    /// <summary>Definition, status and progress; <paramref name="fanOutRunning"/> says whether a page is in flight.</summary>
    public CampaignStatusView View(DateTimeOffset now, bool fanOutRunning) => new()
    {
        Definition = Definition!,
        Status = StatusAt(now),
        Progress = Progress(now, fanOutRunning),
        CreatedAt = CreatedAt,
        TriggeredAt = TriggeredAt,
        CompletedAt = CompletedAt,
        PausedAt = PausedAt,
        GrantsReserved = GrantsReserved,
        CostReserved = CostReserved,
    };

    /// <summary>Exact counts so far: every audience member processed is in exactly one of them.</summary>
    public CampaignProgress Progress(DateTimeOffset now, bool fanOutRunning)
    {
        var arms = Definition!.Arms.Select(a => Groups.GetValueOrDefault(a.Name) ?? new GroupCounters()).ToList();
        var control = Groups.GetValueOrDefault(CampaignGroups.Control) ?? new GroupCounters();
        var global = Groups.GetValueOrDefault(CampaignGroups.GlobalControl) ?? new GroupCounters();
        return new CampaignProgress
        {
            Reached = arms.Sum(a => a.Audience) + control.Audience + global.Audience + Ineligible + BudgetSkipped + MembershipCapRefused,
            Total = AudienceCounted ? Shards.Sum(s => s.Total) : null,
            Sent = arms.Sum(a => a.Sent),
            Deferred = arms.Sum(a => a.Deferred),
            Suppressed = arms.Sum(a => a.Suppressed),
            HeldBackForStock = arms.Sum(a => a.HeldBackForStock),
            Control = control.Audience,
            Excluded = global.Audience,
            Ineligible = Ineligible,
            BudgetSkipped = BudgetSkipped,
            MembershipCapRefused = MembershipCapRefused,
            State = StatusAt(now),
            Shards = Shards.Count,
            ShardsDone = Shards.Count(s => s.Done),
            FanOutRunning = fanOutRunning,
            BackedUpSkipped = BackedUp?.Skipped ?? 0,
            BackedUpReachedLater = BackedUp?.ReachedLater ?? 0,
            BackedUpWaiting = BackedUp?.Waiting.Count ?? 0,
            BackedUpGivenUp = BackedUp?.GivenUp ?? 0,
        };
    }
}

/// <summary>Where one shard's fan-out stands.</summary>
public sealed class ShardCursor
{
    public int Shard { get; set; }

    /// <summary>Audience counted in this shard (counting pass).</summary>
    public bool Counted { get; set; }

    public long Total { get; set; }

    /// <summary>The index continuation of the next page to deliver; null at the start (or when <see cref="Done"/>).</summary>
    public string? Continuation { get; set; }

    public bool Done { get; set; }

    /// <summary>
    /// Grants reserved, before any member is called, for the page at <see cref="Continuation"/> (write-ahead, so a
    /// crash mid-page cannot free budget that members already spent). Null when no page is in flight.
    /// </summary>
    public long? InFlightGrants { get; set; }

    /// <summary>The cost of <see cref="InFlightGrants"/>, CNY.</summary>
    public decimal InFlightCost { get; set; }

    /// <summary>
    /// The page position (exclusive) <see cref="InFlightGrants"/> covers: members before it were delivered or reserved
    /// (a replay delivers them all again, answered from memory). Null in a state written before rounds existed.
    /// </summary>
    public int? InFlightEnd { get; set; }

    /// <summary>
    /// The member id (ordinal) of the last member <see cref="InFlightGrants"/> covers: a replay asks every index row of
    /// the page up to it, whether or not it still matches the audience (one whose tier changed since it was touched is
    /// still counted, and its grant still held), then goes on after it. Null in a state written before it was kept
    /// (then <see cref="InFlightEnd"/>, a position in the page as filtered now).
    /// </summary>
    public string? InFlightLast { get; set; }
}
