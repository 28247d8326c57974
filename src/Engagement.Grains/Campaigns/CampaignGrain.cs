using System.Text.Json;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Storage;
using Engagement.Domain.Campaigns;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// One campaign: holds the definition, drives a broadcast's fan-out over the member index, and keeps the counters and
/// the budget. The rules (budget reservation, outcome counters, page tallies, trigger matching, uplift) are the
/// domain's, under <c>Domain/Campaigns</c>; this grain keeps the timer loop, the paging (<see cref="CampaignFanOut"/>), the
/// write gate and the calls (a triggered campaign's in <see cref="TriggeredGrants"/>).
/// </summary>
/// <remarks>
/// <para><b>Fan-out.</b> A trigger persists the status and a reminder, then runs <see cref="CampaignFanOut"/> on an
/// interleaving grain timer; the reminder (and any activation) restarts it from the last checkpoint after a crash. A
/// pause stops it at the next page boundary; a resume continues from the cursors. A paused broadcast keeps the reminder,
/// due at its window's end, when the fan-out ends it (<see cref="CampaignGrainState.EndsWhilePaused"/>).</para>
/// <para><b>Exactly once per member.</b> A member answers a repeated delivery with what it recorded the first time, so a
/// page replayed after a crash touches no one twice and is counted once (its counters were never checkpointed).</para>
/// <para><b>Interleaving.</b> Members call back (grant, outcome, purchase) while the fan-out awaits members, so state
/// writes go through one <see cref="StateWriteGate"/>. A failed write deactivates the grain so it reloads storage; until
/// then every later write and call is refused (<see cref="Invoke"/>): nobody is answered from a change storage lacks.</para>
/// </remarks>
public sealed class CampaignGrain(
    [PersistentState("campaign", GrainStorageNames.State)] IPersistentState<CampaignGrainState> state,
    IMemberIndex index,
    ActiveCampaignCache activeCampaigns,
    IOptions<CampaignOptions> campaignOptions,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<CampaignGrain> logger)
    : Grain, ICampaignGrain, IRemindable, IIncomingGrainCallFilter
{
    /// <summary>Wakes a campaign whose fan-out is unfinished (e.g. after a silo restart).</summary>
    public const string FanOutReminder = "campaign-fanout";

    private static readonly JsonSerializerOptions CompareJson = new(JsonSerializerDefaults.Web);

    private readonly CampaignOptions _options = campaignOptions.Value;
    private StateWriteGate? _writeGate;
    private CampaignFanOut? _fanOut;
    private TriggeredGrants? _triggered;
    private IGrainTimer? _loop;
    private bool _looping;

    private string CampaignId => this.GetPrimaryKeyString();
    private CampaignGrainState Campaign => state.State;

    /// <summary>Every state write goes through it; a failed write deactivates the grain so it reloads what storage holds.</summary>
    private StateWriteGate Gate => _writeGate ??= new StateWriteGate(state.WriteStateAsync, DeactivateOnIdle, ex => CampaignLog.StoredActionFailed(logger, ex, CampaignId));

    /// <summary>A triggered campaign's grants and the reports members send back (<see cref="TriggeredGrants"/>).</summary>
    private TriggeredGrants Triggered => _triggered ??= new TriggeredGrants(() => state.State, _options, time, SaveAsync, Gate.SettledAsync, SetListeningAsync);

    private bool FanningOut => Campaign.Status is CampaignStatuses.Counting or CampaignStatuses.Running;

    /// <summary>A paused broadcast (not a paused triggered campaign): its reminder wakes it when its window ends.</summary>
    private bool PausedBroadcast => Campaign is { Status: CampaignStatuses.Paused, ResumeTo: not CampaignStatuses.Active };

    /// <summary>Refuses a call (a reminder's too) reaching this activation after a state write failed: the caller retries on the next one.</summary>
    /// <exception cref="InconsistentStateException">A state write of this activation failed (<see cref="StateWriteGate.Behind"/>).</exception>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _writeGate?.ThrowIfBehind();
        return context.Invoke();
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Campaign.CostDeferredGrants();
        if (FanningOut || Campaign.EndsWhilePaused(time.GetUtcNow()))
        {
            StartLoop();
        }
        else if (PausedBroadcast)
        {
            await WakeAtWindowEndAsync(atActivation: true);
        }
    }

    /// <summary>Leaving after a failed write: the lines of a write that failed yet committed are written if storage holds its change (<see cref="StoredOnReload"/>); the read stops at the deactivation's deadline.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        StoredOnReload.LogAsync(_writeGate, () => state.ReadStateAsync().WaitAsync(cancellationToken), logger, CampaignId);

    public async Task<CampaignCreateResult> CreateAsync(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var normalized = CampaignDefinitions.Normalize(definition);
        var errors = CampaignMapping.CreateErrors(normalized, CampaignId);
        if (errors.Count > 0)
        {
            return new CampaignCreateResult { Status = CampaignCreateResult.Invalid, Errors = errors };
        }

        if (Campaign.Definition is not null)
        {
            var same = JsonSerializer.Serialize(Campaign.Definition, CompareJson) == JsonSerializer.Serialize(normalized, CompareJson);
            return new CampaignCreateResult { Status = same ? CampaignCreateResult.Exists : CampaignCreateResult.Conflict, Campaign = View() };
        }

        // A window already over could never be triggered or fire: refused here, not at the trigger (a repeat of a
        // campaign created in time is answered above as the same campaign, whenever it comes).
        var now = time.GetUtcNow();
        if (normalized.ValidUntil <= now)
        {
            errors.Add(new("validUntil", $"{CampaignDefinitions.PassedMessagePrefix}: the campaign would end {normalized.ValidUntil:O} and it is {now:O}; give a window that ends in the future"));
            return new CampaignCreateResult { Status = CampaignCreateResult.Invalid, Errors = errors };
        }

        Campaign.Create(normalized, normalized.Kind == CampaignKinds.Triggered ? CampaignStatuses.Active : CampaignStatuses.Draft, now, _options.GlobalControlPercent);
        await SaveAsync();
        if (normalized.Kind == CampaignKinds.Triggered)
        {
            await SetListeningAsync(true);
        }

        CampaignLog.Created(logger, CampaignId, normalized.Kind, normalized.Arms.Count);
        return new CampaignCreateResult { Status = CampaignCreateResult.Created, Campaign = View() };
    }

    public Task<CampaignStatusView?> GetAsync() => Task.FromResult(Campaign.Definition is null ? null : View());

    public async Task<CampaignTriggerResult> TriggerAsync()
    {
        var definition = Campaign.Definition;
        if (definition is null)
        {
            return new CampaignTriggerResult { Status = CampaignTriggerResult.NotFound, Detail = $"no campaign '{CampaignId}'" };
        }

        if (definition.Kind != CampaignKinds.Broadcast)
        {
            return new CampaignTriggerResult
            {
                Status = CampaignTriggerResult.Refused, Reason = CampaignRefusals.NotBroadcast, Campaign = View(),
                Detail = "a triggered campaign fires on member events; only broadcasts are triggered",
            };
        }

        if (Campaign.Status != CampaignStatuses.Draft)
        {
            // Idempotent: the fan-out already runs (or ran, or is paused); make sure a running one is moving.
            if (FanningOut)
            {
                StartLoop();
            }

            var detail = Campaign.Status == CampaignStatuses.Paused ? "already triggered, and paused: resume it" : "already triggered";
            return new CampaignTriggerResult { Status = CampaignTriggerResult.Already, Detail = detail, Campaign = View() };
        }

        var now = time.GetUtcNow();
        if (now < definition.ValidFrom || now >= definition.ValidUntil)
        {
            var detail = $"the campaign runs from {definition.ValidFrom:O} until {definition.ValidUntil:O}; it is {now:O}";
            var reason = now < definition.ValidFrom ? CampaignRefusals.NotStarted : CampaignRefusals.Ended;
            return new CampaignTriggerResult { Status = CampaignTriggerResult.Refused, Reason = reason, Detail = detail, Campaign = View() };
        }

        (Campaign.Status, Campaign.TriggeredAt) = (CampaignStatuses.Counting, now);
        Campaign.Shards = [.. Enumerable.Range(0, index.ShardCount).Select(i => new ShardCursor { Shard = i })];
        await SaveAsync();
        await StartFanOutAsync();
        CampaignLog.Triggered(logger, CampaignId, Campaign.Shards.Count);
        return new CampaignTriggerResult { Status = CampaignTriggerResult.Started, Campaign = View() };
    }

    public async Task<CampaignControlResult> PauseAsync()
    {
        if (Campaign.Definition is null)
        {
            return NotFound();
        }

        var decision = CampaignPauseRule.Pause(CampaignMapping.ToPhase(Campaign.StatusAt(time.GetUtcNow())));
        if (decision.Verdict != ControlVerdict.Change)
        {
            return Answer(decision);
        }

        (Campaign.ResumeTo, Campaign.Status, Campaign.PausedAt) = (Campaign.Status, CampaignStatuses.Paused, time.GetUtcNow());
        Campaign.Pauses++;
        await SaveAsync();
        if (Campaign.ResumeTo == CampaignStatuses.Active)
        {
            await SetListeningAsync(false);
        }

        // The fan-out sees the status at its next page boundary and stops there. A paused broadcast keeps its reminder,
        // due when its window ends: then the fan-out ends it (backed-up members given up, held grants settled).
        await (Campaign.ResumeTo == CampaignStatuses.Active ? UnregisterFanOutReminderAsync() : WakeAtWindowEndAsync());
        var reached = Campaign.Progress(time.GetUtcNow(), _looping).Reached;
        CampaignLog.Paused(logger, CampaignId, Campaign.Pauses, Campaign.ResumeTo, reached);
        return Answer(decision);
    }

    public async Task<CampaignControlResult> ResumeAsync()
    {
        if (Campaign.Definition is not { } definition)
        {
            return NotFound();
        }

        var now = time.GetUtcNow();
        var decision = CampaignPauseRule.Resume(CampaignMapping.ToPhase(Campaign.StatusAt(now)), CampaignMapping.ToPhase(Campaign.ResumeTo), now >= definition.ValidUntil);
        if (decision.Verdict != ControlVerdict.Change)
        {
            return Answer(decision);
        }

        (Campaign.Status, Campaign.ResumeTo, Campaign.PausedAt) = (CampaignMapping.ToStatus(decision.Next), null, null);
        Campaign.BackedUp?.Resumed(now); // members waiting for a retry are asked again at once
        await SaveAsync();
        await (FanningOut ? StartFanOutAsync() : SetListeningAsync(true));

        CampaignLog.Resumed(logger, CampaignId, Campaign.Pauses, Campaign.Status);
        return Answer(decision);
    }

    public Task<CampaignResults?> GetResultsAsync() => Task.FromResult(Campaign.Definition is null
        ? null
        : CampaignResultsBuilder.Build(CampaignId, Campaign.StatusAt(time.GetUtcNow()), Campaign, time.GetUtcNow()));

    public Task<CampaignGrant> RequestGrantAsync(string memberId) => Triggered.RequestAsync(memberId);

    public Task ReleasePendingGrantAsync(string memberId) => Triggered.ReleaseAsync(memberId);

    public Task ReportOutcomeAsync(CampaignOutcomeReport report) => Triggered.ReportOutcomeAsync(report);

    public Task ReportPurchaseAsync(CampaignPurchaseReport report) => Triggered.ReportPurchaseAsync(report);

    public Task ForgetReportsAsync(IReadOnlyList<string> reportIds) => Triggered.ForgetReports(reportIds);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != FanOutReminder)
        {
            return Task.CompletedTask;
        }

        if (FanningOut || Campaign.EndsWhilePaused(time.GetUtcNow()))
        {
            StartLoop();
            return Task.CompletedTask;
        }

        return PausedBroadcast ? WakeAtWindowEndAsync() : UnregisterFanOutReminderAsync();
    }

    /// <summary>The reminder restarts the fan-out after a crash; the timer runs it now.</summary>
    private async Task StartFanOutAsync()
    {
        await this.RegisterOrUpdateReminder(FanOutReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartLoop();
    }

    /// <summary>A paused broadcast's reminder: due at its window's end (at most a day ahead, then again), every minute after. At
    /// activation (one paused by older code has none) a failing reminder table is logged and tried again a minute later.</summary>
    private async Task WakeAtWindowEndAsync(bool atActivation = false)
    {
        var due = Campaign.Definition!.ValidUntil - time.GetUtcNow();
        try
        {
            await this.RegisterOrUpdateReminder(FanOutReminder, TimeSpan.FromTicks(Math.Clamp(due.Ticks, TimeSpan.TicksPerMinute, TimeSpan.TicksPerDay)), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex) when (atActivation && StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            this.RegisterGrainTimer(_ => PausedBroadcast ? WakeAtWindowEndAsync(atActivation: true) : Task.CompletedTask, new GrainTimerCreationOptions { DueTime = TimeSpan.FromMinutes(1), Period = Timeout.InfiniteTimeSpan });
            CampaignLog.WindowEndReminderFailed(logger, ex, CampaignId);
        }
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
        var again = false;
        try
        {
            _fanOut ??= new CampaignFanOut(CampaignId, () => state.State, index, _options, GrainFactory, Gate, time, logger);
            if (await _fanOut.RunAsync(cancellationToken))
            {
                await UnregisterFanOutReminderAsync();
            }

            // Resumed between the loop's last look and here; backed-up members waiting for a retry wait for the reminder instead.
            again = FanningOut && !_fanOut.WaitingOnBackedUp;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // The reminder starts it again from the last checkpoint. A member-index read timing out in the storage SDK
            // is a TaskCanceledException the timer's token did not cause: logged here like any failure.
            CampaignLog.FanOutFailed(logger, ex, CampaignId);
        }
        finally
        {
            _looping = false;
        }

        if (again)
        {
            StartLoop();
        }
    }

    private CampaignControlResult NotFound() => new() { Status = CampaignControlResult.NotFound, Detail = $"no campaign '{CampaignId}'" };

    private CampaignControlResult Answer(ControlDecision decision) => CampaignMapping.ToControlResult(decision, View(), Campaign.Pauses);

    /// <summary>Lists (or unlists) a triggered campaign in the registry members match events against.</summary>
    private async Task SetListeningAsync(bool listening)
    {
        var registry = GrainFactory.GetGrain<ICampaignRegistryGrain>(0);
        await (listening ? registry.SetActiveAsync(Campaign.Definition!) : registry.RemoveAsync(CampaignId));
        activeCampaigns.Invalidate();
    }

    private CampaignStatusView View() => Campaign.View(time.GetUtcNow(), _looping);

    private Task SaveAsync() => Gate.WriteAsync();

    private async Task UnregisterFanOutReminderAsync()
    {
        if (await this.GetReminder(FanOutReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
