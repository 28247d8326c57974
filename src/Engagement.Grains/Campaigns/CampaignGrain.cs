using System.Text.Json;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// One campaign. Holds the definition, drives a broadcast's fan-out over the member index, keeps the budget, and
/// counts outcomes and conversions for the results.
/// </summary>
/// <remarks>
/// <para><b>Fan-out.</b> A trigger persists the status and a reminder, then runs the fan-out on an interleaving grain
/// timer: first a counting pass over every shard (the total), then the delivery pass, <see cref="CampaignOptions.FanOutShardConcurrency"/>
/// shards at once, one page of at most <see cref="CampaignOptions.FanOutPageSize"/> rows at a time. After each page the
/// page's counters and the shard's cursor are written in one state write. The reminder (and any activation) restarts
/// the fan-out after a crash from the last checkpoint.</para>
/// <para><b>Exactly once per member.</b> Each member remembers the campaigns it had (by campaign id) and answers a repeat
/// with the outcome it recorded the first time, touching nothing. A page replayed after a crash is therefore delivered
/// again harmlessly, and counted again only because its counters were never checkpointed: counts stay exact.</para>
/// <para><b>Budget.</b> A grant is reserved here before a member is told to send. With a budget set, a page's
/// reservations are written (write-ahead, per shard) before any of its members is called, and a replayed page reuses
/// them, so grants held by members plus grants reserved never exceed <c>maxGrants</c>/<c>maxCost</c>. A member that
/// suppresses (caps, opt-out, offer ended) releases its grant; a deferred touch keeps it until it is sent or suppressed.</para>
/// <para><b>Interleaving.</b> The timer interleaves with calls, and members call back (grant, outcome, purchase) while
/// the fan-out awaits members, so state writes go through one gate; a failed write deactivates the grain so it
/// reloads what storage holds.</para>
/// </remarks>
public sealed partial class CampaignGrain(
    [PersistentState("campaign", GrainStorageNames.State)] IPersistentState<CampaignGrainState> state,
    IMemberIndex index,
    IOptions<CampaignOptions> campaignOptions,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<CampaignGrain> logger)
    : Grain, ICampaignGrain, IRemindable
{
    /// <summary>Wakes a campaign whose fan-out is unfinished (e.g. after a silo restart).</summary>
    public const string FanOutReminder = "campaign-fanout";

    private const string ControlKey = CampaignGroups.Control;
    private const string GlobalKey = CampaignGroups.GlobalControl;
    private static readonly JsonSerializerOptions CompareJson = new(JsonSerializerDefaults.Web);

    private readonly CampaignOptions _options = campaignOptions.Value;
    private Task? _writing;
    private IGrainTimer? _loop;
    private bool _looping;
    private long _nextDeliveryTicks;

    private string CampaignId => this.GetPrimaryKeyString();

    private CampaignGrainState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Status is CampaignStatuses.Counting or CampaignStatuses.Running)
        {
            StartLoop();
        }

        return Task.CompletedTask;
    }

    public async Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var normalized = CampaignDefinitions.Normalize(definition);
        var errors = CampaignDefinitions.Validate(normalized).ToList();
        if (!string.Equals(normalized.Id, CampaignId, StringComparison.Ordinal))
        {
            errors.Add(new("id", $"must be the campaign's id '{CampaignId}'"));
        }

        if (errors.Count > 0)
        {
            return new CampaignCreateResult { Status = CampaignCreateResult.Invalid, Errors = errors };
        }

        if (S.Definition is not null)
        {
            var same = JsonSerializer.Serialize(S.Definition, CompareJson) == JsonSerializer.Serialize(normalized, CompareJson);
            return new CampaignCreateResult { Status = same ? CampaignCreateResult.Exists : CampaignCreateResult.Conflict, Campaign = View() };
        }

        S.Definition = normalized;
        S.Status = normalized.Kind == CampaignKinds.Triggered ? CampaignStatuses.Active : CampaignStatuses.Draft;
        S.CreatedAt = time.GetUtcNow();
        EnsureGroups(normalized);
        await SaveAsync();

        if (normalized.Kind == CampaignKinds.Triggered)
        {
            await GrainFactory.GetGrain<ICampaignRegistryGrain>(0).SetActiveAsync(normalized);
            ServiceProvider.GetService<ActiveCampaignCache>()?.Invalidate();
        }

        LogCreated(CampaignId, normalized.Kind, normalized.Arms.Count);
        return new CampaignCreateResult { Status = CampaignCreateResult.Created, Campaign = View() };
    }

    public Task<CampaignStatusView?> GetAsync() => Task.FromResult(S.Definition is null ? null : View());

    public async Task<CampaignTriggerResult> TriggerAsync()
    {
        var definition = S.Definition;
        if (definition is null)
        {
            return new CampaignTriggerResult { Status = CampaignTriggerResult.NotFound, Detail = $"no campaign '{CampaignId}'" };
        }

        if (definition.Kind != CampaignKinds.Broadcast)
        {
            return new CampaignTriggerResult { Status = CampaignTriggerResult.Refused, Detail = "a triggered campaign fires on member events; only broadcasts are triggered", Campaign = View() };
        }

        if (S.Status != CampaignStatuses.Draft)
        {
            // Idempotent: the fan-out already runs (or ran); make sure it is moving.
            if (S.Status is CampaignStatuses.Counting or CampaignStatuses.Running)
            {
                StartLoop();
            }

            return new CampaignTriggerResult { Status = CampaignTriggerResult.Already, Detail = "already triggered", Campaign = View() };
        }

        var now = time.GetUtcNow();
        if (now < definition.ValidFrom || now >= definition.ValidUntil)
        {
            return new CampaignTriggerResult
            {
                Status = CampaignTriggerResult.Refused,
                Detail = $"the campaign runs from {definition.ValidFrom:O} until {definition.ValidUntil:O}; it is {now:O}",
                Campaign = View(),
            };
        }

        S.Status = CampaignStatuses.Counting;
        S.TriggeredAt = now;
        S.Shards = [.. Enumerable.Range(0, index.ShardCount).Select(i => new ShardCursor { Shard = i })];
        await SaveAsync();
        await this.RegisterOrUpdateReminder(FanOutReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        LogTriggered(CampaignId, S.Shards.Count);
        StartLoop();
        return new CampaignTriggerResult { Status = CampaignTriggerResult.Started, Campaign = View() };
    }

    public Task<CampaignResults?> GetResultsAsync() =>
        Task.FromResult(S.Definition is null ? null : CampaignResultsBuilder.Build(CampaignId, StatusNow(), S, time.GetUtcNow()));

    public async Task<CampaignGrant> RequestGrantAsync(string memberId)
    {
        var definition = S.Definition;
        var now = time.GetUtcNow();
        if (definition is null || definition.Kind != CampaignKinds.Triggered)
        {
            return new CampaignGrant { Group = CampaignGroups.None, Reason = "not a triggered campaign" };
        }

        if (now < definition.ValidFrom || now >= definition.ValidUntil)
        {
            return new CampaignGrant { Group = CampaignGroups.None, Reason = "outside the campaign's validity" };
        }

        var (group, arm) = AssignmentOf(definition, memberId);
        var reserved = false;
        if (group == CampaignGroups.Arm)
        {
            var cost = CampaignDefinitions.OfferOf(definition, arm!).UnitCost;
            if (!Fits(definition, 1, cost))
            {
                await GrainFactory.GetGrain<ICampaignRegistryGrain>(0).RemoveAsync(CampaignId);
                ServiceProvider.GetService<ActiveCampaignCache>()?.Invalidate();
                return new CampaignGrant { Group = CampaignGroups.None, Reason = "budget exhausted" };
            }

            S.GrantsReserved++;
            S.CostReserved += cost;
            reserved = true;
        }

        Counters(group == CampaignGroups.Arm ? arm!.Name : group).Audience++;
        await SaveAsync();
        return new CampaignGrant { Group = group, Arm = arm?.Name, Delivery = DeliveryFor(definition, group, arm, reserved) };
    }

    public async Task ReportOutcomeAsync(CampaignOutcomeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var definition = S.Definition;
        var arm = definition?.Arms.FirstOrDefault(a => a.Name == report.Arm);
        if (definition is null || arm is null)
        {
            return;
        }

        var counters = Counters(arm.Name);
        var unitCost = CampaignDefinitions.OfferOf(definition, arm).UnitCost;
        switch (report.From)
        {
            case CampaignOutcomes.Deferred:
                counters.Deferred--;
                break;
            case CampaignOutcomes.Sent:
                counters.Sent--;
                counters.Cost -= unitCost;
                break;
        }

        switch (report.To)
        {
            case CampaignOutcomes.Sent:
                counters.Sent++;
                counters.Cost += unitCost;
                break;
            case CampaignOutcomes.Deferred:
                counters.Deferred++;
                break;
            case CampaignOutcomes.Suppressed:
                counters.Suppressed++;
                S.GrantsReserved--;
                S.CostReserved -= unitCost;
                break;
        }

        await SaveAsync();
    }

    public async Task ReportPurchaseAsync(CampaignPurchaseReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (S.Definition is null)
        {
            return;
        }

        var key = report.Group == CampaignGroups.Arm ? report.Arm ?? "" : report.Group;
        if (!S.Groups.TryGetValue(key, out var counters))
        {
            return;
        }

        counters.Converted += report.Conversion ? 1 : 0;
        counters.Revenue += report.Amount;
        await SaveAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == FanOutReminder)
        {
            if (S.Status is CampaignStatuses.Counting or CampaignStatuses.Running)
            {
                StartLoop();
            }
            else
            {
                return UnregisterFanOutReminderAsync();
            }
        }

        return Task.CompletedTask;
    }

    private void StartLoop()
    {
        if (_looping)
        {
            return;
        }

        _looping = true;
        _loop?.Dispose();
        _loop = this.RegisterGrainTimer(
            RunFanOutAsync,
            new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan, Interleave = true, KeepAlive = true });
    }

    private async Task RunFanOutAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (S.Status == CampaignStatuses.Counting)
            {
                await ForEachShardAsync(s => !s.Counted, CountShardAsync, cancellationToken);
                S.Status = CampaignStatuses.Running;
                await SaveAsync();
                var total = S.Shards.Sum(s => s.Total);
                LogCounted(CampaignId, total);
            }

            if (S.Status == CampaignStatuses.Running)
            {
                await ForEachShardAsync(s => !s.Done, DeliverShardAsync, cancellationToken);
                S.Status = CampaignStatuses.Completed;
                S.CompletedAt = time.GetUtcNow();
                await SaveAsync();
                var progress = Progress();
                LogCompleted(CampaignId, progress.Reached, progress.Sent, progress.Deferred, progress.Suppressed, progress.Control, progress.Excluded);
                await UnregisterFanOutReminderAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminder starts it again from the last checkpoint.
            LogFanOutFailed(ex, CampaignId);
        }
        finally
        {
            _looping = false;
        }
    }

    private async Task ForEachShardAsync(Func<ShardCursor, bool> pending, Func<ShardCursor, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        // Workers run on this activation's scheduler: the queue is touched by one turn at a time.
        var queue = new Queue<ShardCursor>(S.Shards.Where(pending));
        var workers = Enumerable.Range(0, Math.Min(_options.FanOutShardConcurrency, queue.Count)).Select(async _ =>
        {
            while (queue.TryDequeue(out var shard))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await work(shard, cancellationToken);
            }
        });
        await Task.WhenAll(workers);
    }

    private async Task CountShardAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        var criteria = CampaignMapping.ToCriteria(S.Definition!.Audience);
        string? continuation = null;
        long total = 0;
        do
        {
            var page = await index.ReadShardAsync(cursor.Shard, continuation, _options.FanOutPageSize, cancellationToken);
            total += page.Entries.Count(e => criteria.Matches(e.Attributes));
            continuation = page.Continuation;
        }
        while (continuation is not null);

        cursor.Total = total;
        cursor.Counted = true;
        await SaveAsync();
    }

    private async Task DeliverShardAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        while (!cursor.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await DeliverPageAsync(cursor, cancellationToken);
        }
    }

    private async Task DeliverPageAsync(ShardCursor cursor, CancellationToken cancellationToken)
    {
        var definition = S.Definition!;
        var criteria = CampaignMapping.ToCriteria(definition.Audience);
        var page = await index.ReadShardAsync(cursor.Shard, cursor.Continuation, _options.FanOutPageSize, cancellationToken);

        var plan = new List<Planned>();
        foreach (var entry in page.Entries.Where(e => criteria.Matches(e.Attributes)))
        {
            var (group, arm) = AssignmentOf(definition, entry.MemberId);
            plan.Add(new Planned(entry.MemberId, group, arm, arm is null ? 0m : CampaignDefinitions.OfferOf(definition, arm).UnitCost));
        }

        await ReservePageAsync(definition, cursor, plan);

        var tally = new PageTally();
        var next = 0;
        var workers = Enumerable.Range(0, Math.Min(_options.MemberConcurrency, plan.Count)).Select(async _ =>
        {
            while (next < plan.Count)
            {
                var item = plan[next++];
                if (item.Skip)
                {
                    tally.BudgetSkipped++;
                    continue;
                }

                await PaceAsync(cancellationToken);
                var delivery = DeliveryFor(definition, item.Group, item.Arm, item.Reserved);
                var result = await DeliverWithRetryAsync(item.MemberId, delivery);
                tally.Count(definition, item, result);
            }
        });
        await Task.WhenAll(workers);

        // One checkpoint: the page's counters, the cursor past it, the in-flight reservation turned into held grants.
        foreach (var (key, counters) in tally.Groups)
        {
            Counters(key).Add(counters);
        }

        S.Ineligible += tally.Ineligible;
        S.BudgetSkipped += tally.BudgetSkipped;
        S.GrantsReserved += tally.KeptGrants;
        S.CostReserved += tally.KeptCost;
        S.BudgetExhausted |= plan.Any(p => p.Skip);
        cursor.InFlightGrants = null;
        cursor.InFlightCost = 0;
        cursor.Continuation = page.Continuation;
        cursor.Done = page.Continuation is null;
        await SaveAsync();
    }

    /// <summary>
    /// Marks which planned members get a grant. Unlimited budget: every arm member. Otherwise the page's reservation
    /// is written before any member is called; a page replayed after a crash reuses what it reserved the first time.
    /// Members are taken in page order; from the first that does not fit, the rest of the page (and of the campaign) is skipped.
    /// </summary>
    private async Task ReservePageAsync(CampaignDefinition definition, ShardCursor cursor, List<Planned> plan)
    {
        var limited = definition.Budget.MaxGrants is not null || definition.Budget.MaxCost is not null;
        if (S.BudgetExhausted)
        {
            plan.ForEach(p => p.Skip = true);
            return;
        }

        if (!limited)
        {
            plan.ForEach(p => p.Reserved = p.Group == CampaignGroups.Arm);
            return;
        }

        long allowGrants;
        decimal allowCost;
        var replay = cursor.InFlightGrants is not null;
        if (replay)
        {
            allowGrants = cursor.InFlightGrants!.Value;
            allowCost = cursor.InFlightCost;
        }
        else
        {
            var (heldGrants, heldCost) = Held(except: cursor);
            allowGrants = definition.Budget.MaxGrants is { } maxGrants ? Math.Max(0, maxGrants - heldGrants) : long.MaxValue;
            allowCost = definition.Budget.MaxCost is { } maxCost ? Math.Max(0, maxCost - heldCost) : decimal.MaxValue;
        }

        long grants = 0;
        decimal cost = 0;
        var exhausted = false;
        foreach (var p in plan)
        {
            if (exhausted)
            {
                p.Skip = true;
            }
            else if (p.Group == CampaignGroups.Arm)
            {
                if (grants + 1 <= allowGrants && cost + p.UnitCost <= allowCost)
                {
                    grants++;
                    cost += p.UnitCost;
                    p.Reserved = true;
                }
                else
                {
                    exhausted = true;
                    p.Skip = true;
                }
            }
        }

        if (!replay && grants > 0)
        {
            cursor.InFlightGrants = grants;
            cursor.InFlightCost = cost;
            await SaveAsync();
        }
    }

    /// <summary>Grants held (committed) plus those in flight on other shards' pages.</summary>
    private (long Grants, decimal Cost) Held(ShardCursor? except = null)
    {
        var grants = S.GrantsReserved;
        var cost = S.CostReserved;
        foreach (var shard in S.Shards)
        {
            if (!ReferenceEquals(shard, except) && shard.InFlightGrants is { } g)
            {
                grants += g;
                cost += shard.InFlightCost;
            }
        }

        return (grants, cost);
    }

    private bool Fits(CampaignDefinition definition, long grants, decimal cost)
    {
        var (heldGrants, heldCost) = Held();
        return (definition.Budget.MaxGrants is not { } maxGrants || heldGrants + grants <= maxGrants)
            && (definition.Budget.MaxCost is not { } maxCost || heldCost + cost <= maxCost);
    }

    private async Task<CampaignDeliveryResult> DeliverWithRetryAsync(string memberId, CampaignDelivery delivery)
    {
        var member = GrainFactory.GetGrain<IMemberGrain>(memberId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await member.DeliverCampaignAsync(delivery);
            }
            catch (Exception ex) when (attempt < 3 && ex is TimeoutException or OrleansException)
            {
                // Safe to repeat: the member answers a repeat from memory.
                LogDeliveryRetry(ex, CampaignId, memberId, attempt);
            }
        }
    }

    /// <summary>Spaces deliveries to <see cref="CampaignOptions.MaxDeliveriesPerSecond"/> (wall clock: connector throughput).</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (_options.MaxDeliveriesPerSecond <= 0)
        {
            return;
        }

        var now = TimeProvider.System.GetTimestamp();
        var step = TimeProvider.System.TimestampFrequency / _options.MaxDeliveriesPerSecond;
        var slot = Math.Max(now, _nextDeliveryTicks);
        _nextDeliveryTicks = slot + step;
        if (slot > now)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)(slot - now) / TimeProvider.System.TimestampFrequency), TimeProvider.System, cancellationToken);
        }
    }

    private (string Group, CampaignArm? Arm) AssignmentOf(CampaignDefinition definition, string memberId)
    {
        if (CampaignAssignment.IsGlobalControl(memberId, _options.GlobalControlPercent))
        {
            return (CampaignGroups.GlobalControl, null);
        }

        var armIndex = CampaignAssignment.Assign(definition.Id, memberId, definition.ControlShare ?? CampaignDefinitions.DefaultControlShare, [.. definition.Arms.Select(a => a.Weight)]);
        return armIndex < 0 ? (CampaignGroups.Control, null) : (CampaignGroups.Arm, definition.Arms[armIndex]);
    }

    private static CampaignDelivery DeliveryFor(CampaignDefinition definition, string group, CampaignArm? arm, bool reserved) => new()
    {
        CampaignId = definition.Id,
        Group = group,
        Arm = arm?.Name,
        Channel = definition.Channel,
        Offer = arm is null ? null : CampaignDefinitions.OfferOf(definition, arm),
        ValidUntil = definition.ValidUntil,
        AttributionWindowDays = definition.AttributionWindowDays ?? CampaignDefinitions.DefaultAttributionWindowDays,
        Audience = definition.Audience,
        GrantReserved = reserved,
    };

    private void EnsureGroups(CampaignDefinition definition)
    {
        foreach (var arm in definition.Arms)
        {
            Counters(arm.Name);
        }

        Counters(ControlKey);
        Counters(GlobalKey);
    }

    private GroupCounters Counters(string key)
    {
        if (!S.Groups.TryGetValue(key, out var counters))
        {
            S.Groups[key] = counters = new GroupCounters();
        }

        return counters;
    }

    private string StatusNow() =>
        S.Status == CampaignStatuses.Active && S.Definition is { } d && time.GetUtcNow() >= d.ValidUntil ? CampaignStatuses.Ended : S.Status;

    private CampaignProgress Progress()
    {
        var arms = S.Definition!.Arms.Select(a => S.Groups.GetValueOrDefault(a.Name) ?? new GroupCounters()).ToList();
        var control = S.Groups.GetValueOrDefault(ControlKey) ?? new GroupCounters();
        var global = S.Groups.GetValueOrDefault(GlobalKey) ?? new GroupCounters();
        return new CampaignProgress
        {
            Reached = arms.Sum(a => a.Audience) + control.Audience + global.Audience + S.Ineligible + S.BudgetSkipped,
            Total = S.Shards.Count > 0 && S.Shards.All(s => s.Counted) ? S.Shards.Sum(s => s.Total) : null,
            Sent = arms.Sum(a => a.Sent),
            Deferred = arms.Sum(a => a.Deferred),
            Suppressed = arms.Sum(a => a.Suppressed),
            Control = control.Audience,
            Excluded = global.Audience,
            Ineligible = S.Ineligible,
            BudgetSkipped = S.BudgetSkipped,
            State = StatusNow(),
            Shards = S.Shards.Count,
            ShardsDone = S.Shards.Count(s => s.Done),
        };
    }

    private CampaignStatusView View() => new()
    {
        Definition = S.Definition!,
        Status = StatusNow(),
        Progress = Progress(),
        CreatedAt = S.CreatedAt,
        TriggeredAt = S.TriggeredAt,
        CompletedAt = S.CompletedAt,
        GrantsReserved = S.GrantsReserved,
        CostReserved = S.CostReserved,
    };

    private async Task SaveAsync()
    {
        // One write at a time: the fan-out and interleaved member calls share the state and its ETag.
        // Turns of this activation run one at a time, so checking and setting _writing cannot race.
        while (_writing is { } previous)
        {
            try
            {
                await previous;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The writer that failed reports it; this one writes the newer state (or fails the same way).
            }
        }

        var write = state.WriteStateAsync();
        _writing = write;
        try
        {
            await write;
        }
        catch
        {
            // Memory is ahead of storage (or another activation wrote): start over from what storage holds.
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            if (ReferenceEquals(_writing, write))
            {
                _writing = null;
            }
        }
    }

    private async Task UnregisterFanOutReminderAsync()
    {
        if (await this.GetReminder(FanOutReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>One audience member of a page and what the campaign decided for it.</summary>
    private sealed class Planned(string memberId, string group, CampaignArm? arm, decimal unitCost)
    {
        public string MemberId { get; } = memberId;

        public string Group { get; } = group;

        public CampaignArm? Arm { get; } = arm;

        public decimal UnitCost { get; } = unitCost;

        public bool Reserved { get; set; }

        public bool Skip { get; set; }
    }

    /// <summary>Counters of one page, merged into the state only at its checkpoint.</summary>
    private sealed class PageTally
    {
        public Dictionary<string, GroupCounters> Groups { get; } = new(StringComparer.Ordinal);

        public long Ineligible { get; set; }

        public long BudgetSkipped { get; set; }

        public long KeptGrants { get; set; }

        public decimal KeptCost { get; set; }

        public void Count(CampaignDefinition definition, Planned planned, CampaignDeliveryResult result)
        {
            if (result.Outcome == CampaignOutcomes.Ineligible)
            {
                Ineligible++;
                return;
            }

            // A repeat reports the group recorded the first time; count what the member actually has.
            var key = result.Group == CampaignGroups.Arm ? result.Arm ?? "" : result.Group;
            if (!Groups.TryGetValue(key, out var counters))
            {
                Groups[key] = counters = new GroupCounters();
            }

            counters.Audience++;
            var arm = result.Group == CampaignGroups.Arm ? definition.Arms.FirstOrDefault(a => a.Name == result.Arm) : null;
            var unitCost = arm is null ? 0m : CampaignDefinitions.OfferOf(definition, arm).UnitCost;
            switch (result.Outcome)
            {
                case CampaignOutcomes.Sent:
                    counters.Sent++;
                    counters.Cost += unitCost;
                    Keep(planned, unitCost);
                    break;
                case CampaignOutcomes.Deferred:
                    counters.Deferred++;
                    Keep(planned, unitCost);
                    break;
                case CampaignOutcomes.Suppressed:
                    counters.Suppressed++;
                    break;
            }
        }

        private void Keep(Planned planned, decimal unitCost)
        {
            // A member holding a touch holds a grant, reserved for it on this page or not (a limited budget always reserves).
            KeptGrants++;
            KeptCost += planned.Reserved ? planned.UnitCost : unitCost;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} created ({Kind}, {Arms} arms)")]
    private partial void LogCreated(string campaignId, string kind, int arms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} triggered over {Shards} index shards")]
    private partial void LogTriggered(string campaignId, int shards);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} audience counted: {Total}")]
    private partial void LogCounted(string campaignId, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {CampaignId} fan-out completed: {Reached} reached, {Sent} sent, {Deferred} deferred, {Suppressed} suppressed, {Control} control, {Excluded} global control")]
    private partial void LogCompleted(string campaignId, long reached, long sent, long deferred, long suppressed, long control, long excluded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId} fan-out stopped; it resumes from the last checkpoint")]
    private partial void LogFanOutFailed(Exception ex, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {CampaignId}: delivery to {MemberId} failed (attempt {Attempt}); retrying")]
    private partial void LogDeliveryRetry(Exception ex, string campaignId, string memberId, int attempt);
}
