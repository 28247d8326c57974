using System.Text.Json;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Touches;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Engagement.Grains.Members;

/// <summary>
/// One loyalty member. A thin shell: load state, let <see cref="MemberEngine"/> decide, persist, then
/// emit effects (ledger archive, touches, dead letters). Effects are recorded in state before they are
/// emitted and emitted again on the next activation, so a crash between the two loses nothing.
/// </summary>
[ImplicitStreamSubscription(StreamNames.MemberEvents)]
public sealed partial class MemberGrain(
    [PersistentState("member", GrainStorageNames.State)] IPersistentState<MemberGrainState> state,
    IOptions<ProgramOptions> programOptions,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILedgerArchive archive,
    ILifecycleJournal journal,
    ITouchOutbox outbox,
    IDeadLetterSink deadLetters,
    ILogger<MemberGrain> logger)
    : Grain, IMemberGrain, IRemindable, IStreamSubscriptionObserver, IAsyncObserver<EngagementEvent>
{
    /// <summary>The one reminder a member has: it wakes the grain for lifecycle, expiry and win-back.</summary>
    public const string LifecycleReminder = "lifecycle";

    private static readonly JsonSerializerOptions DeadLetterJson = new(JsonSerializerDefaults.Web);

    private readonly ProgramOptions _options = programOptions.Value;

    private string MemberId => this.GetPrimaryKeyString();

    private MemberState Member => state.State.Member;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists)
        {
            // A previous activation may have crashed after persisting but before emitting.
            await EmitPendingEffectsAsync(persistIfChanged: true);
        }
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EngagementEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EngagementEvent item, StreamSequenceToken? token = null)
    {
        // A failure here fails the delivery, so the queue redelivers; the redelivery meets state as storage holds it.
        var result = await ChangeAsync(() => ApplyCoreAsync(item));
        if (result.Status == ApplyStatus.Rejected)
        {
            await deadLetters.PublishAsync(result.Reason ?? "refused by the member's rules", "stream:" + StreamNames.MemberEvents, JsonSerializer.Serialize(item, DeadLetterJson));
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex, MemberId);
        return Task.CompletedTask;
    }

    public Task<ApplyResult> ApplyEventAsync(EngagementEvent evt) => ChangeAsync(() => ApplyCoreAsync(evt));

    public async Task<MemberView?> GetViewAsync()
    {
        await EnsureCurrentAsync();
        return state.RecordExists ? MemberViews.ToView(Member, _options, time.GetUtcNow()) : null;
    }

    // Reading the ledger flushes pending archive rows first, which may publish touches and write: a change too.
    public Task<LedgerPage> GetLedgerAsync(LedgerQuery query) => ChangeAsync(() => ReadLedgerAsync(query));

    private async Task<LedgerPage> ReadLedgerAsync(LedgerQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, 500);
        if (!state.RecordExists)
        {
            return new LedgerPage();
        }

        // The archive holds every entry once pending ones are flushed; it is the one source for paging.
        await EmitPendingEffectsAsync(persistIfChanged: false);
        IReadOnlyList<LedgerEntryView> entries;
        if (state.State.PendingArchive.Count == 0)
        {
            entries = await archive.ReadAsync(MemberId, query.Kind, query.Before, limit);
        }
        else
        {
            // The archive is unreachable: answer from the recent entries the grain keeps.
            entries = Member.Ledger
                .Where(e => query.Kind is null || e.Kind == query.Kind)
                .Where(e => query.Before is null || e.Sequence < query.Before)
                .OrderByDescending(e => e.Sequence)
                .Take(limit)
                .Select(MemberViews.ToView)
                .ToList();
        }

        return new LedgerPage
        {
            Entries = entries,
            NextBefore = entries.Count == limit && entries[^1].Sequence > 1 ? entries[^1].Sequence : null,
        };
    }

    public Task<RedemptionResult> RedeemAsync(RedemptionRequest request) => ChangeAsync(() => RedeemCoreAsync(request));

    private async Task<RedemptionResult> RedeemCoreAsync(RedemptionRequest request)
    {
        if (!state.RecordExists)
        {
            return new RedemptionResult { RedemptionId = request.RedemptionId, Status = RedemptionStatus.UnknownMember, Detail = "member has never been seen" };
        }

        var decision = MemberEngine.Redeem(Member, request.RedemptionId, request.Points, request.CashAmount, request.RewardId, _options, time.GetUtcNow());
        if (!decision.Replayed && decision.NewEntries.Count > 0)
        {
            state.State.PendingArchive.AddRange(decision.NewEntries);
            await PersistAsync();
            await EmitPendingEffectsAsync(persistIfChanged: false);
            LogRedeemed(MemberId, request.RedemptionId, request.Points, decision.PointsBalance);
        }

        return new RedemptionResult
        {
            RedemptionId = request.RedemptionId,
            Status = decision.Status,
            PointsBalance = decision.PointsBalance,
            PointsValue = decision.PointsValue,
            CashAmount = decision.CashAmount,
            Replayed = decision.Replayed,
            Detail = decision.Detail,
        };
    }

    public async Task<IReadOnlyList<TouchView>> GetTouchesAsync(int limit)
    {
        await EnsureCurrentAsync();
        return TouchGovernor.History(Member)
            .OrderByDescending(t => t.DecidedAt)
            .Take(Math.Clamp(limit, 1, 500))
            .Select(MemberViews.ToView)
            .ToList();
    }

    public Task<MemberView?> SetConsentAsync(IReadOnlyDictionary<string, bool> consent) => ChangeAsync(() => SetConsentCoreAsync(consent));

    private async Task<MemberView?> SetConsentCoreAsync(IReadOnlyDictionary<string, bool> consent)
    {
        if (!state.RecordExists)
        {
            return null;
        }

        foreach (var (channel, allowed) in consent)
        {
            Member.Consent[channel] = allowed;
        }

        await PersistAsync();
        var described = string.Join(", ", consent.Select(c => c.Key + "=" + (c.Value ? "yes" : "no")));
        LogConsent(MemberId, described);
        return MemberViews.ToView(Member, _options, time.GetUtcNow());
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => ChangeAsync(async () =>
    {
        if (reminderName == LifecycleReminder && state.RecordExists)
        {
            await TickAsync();
        }
    });

    private async Task<ApplyResult> ApplyCoreAsync(EngagementEvent evt)
    {
        if (!string.Equals(evt.MemberId, MemberId, StringComparison.Ordinal))
        {
            MemberMetrics.EventRejected();
            return new ApplyResult { Status = ApplyStatus.Rejected, Reason = $"memberId: event for '{evt.MemberId}' delivered to member '{MemberId}'" };
        }

        var now = time.GetUtcNow();
        if (!state.RecordExists && string.IsNullOrEmpty(Member.MemberId))
        {
            Member.MemberId = MemberId;
        }

        var decision = MemberEngine.Apply(Member, MemberViews.ToDomain(evt), _options, now);
        switch (decision.Status)
        {
            case EventStatus.Duplicate:
                IngestionMetrics.Duplicate();
                return Result(ApplyStatus.Duplicate, decision, "eventId already applied");
            case EventStatus.Rejected when !decision.StateChanged:
                MemberMetrics.EventRejected();
                LogRejected(MemberId, evt.EventId, decision.Reason);
                return Result(ApplyStatus.Rejected, decision, decision.Reason);
        }

        state.State.PendingArchive.AddRange(decision.NewEntries);
        CollectJournal(now);
        await EnsureLifecycleReminderAsync(now);
        await PersistAsync();

        foreach (var refused in decision.RejectedHeldRefunds)
        {
            // A refund held for its purchase, refused once the purchase came (e.g. more than the order).
            await deadLetters.PublishAsync(
                $"refund {refused.Refund.EventId} for order {refused.Refund.OrderId}: {refused.Reason}",
                "member:" + MemberId,
                JsonSerializer.Serialize(refused.Refund, DeadLetterJson));
        }

        if (decision.Status == EventStatus.Rejected)
        {
            MemberMetrics.EventRejected();
            LogRejected(MemberId, evt.EventId, decision.Reason);
            return Result(ApplyStatus.Rejected, decision, decision.Reason);
        }

        if (decision.Status == EventStatus.Held)
        {
            MemberMetrics.EventHeld();
            LogHeld(MemberId, evt.EventId, evt.OrderId);
        }
        else
        {
            IngestionMetrics.Accepted();
        }

        foreach (var change in decision.TierChanges)
        {
            MemberMetrics.TierChanged(change.From, change.To);
            LogTierChanged(MemberId, change.From, change.To, change.Reason);
        }

        await EmitPendingEffectsAsync(persistIfChanged: false);
        await OnEventAppliedAsync(evt, decision);
        return Result(decision.Status == EventStatus.Held ? ApplyStatus.Held : ApplyStatus.Applied, decision, decision.Reason);
    }

    private static ApplyResult Result(string status, EventDecision decision, string? reason) => new()
    {
        Status = status,
        Reason = reason,
        Tier = decision.Tier,
        PointsBalance = decision.PointsBalance,
        GrowthValue = decision.GrowthValue,
    };

    private async Task TickAsync()
    {
        var before = JsonSerializer.SerializeToUtf8Bytes(Member, DeadLetterJson);
        var now = time.GetUtcNow();
        var tick = MemberTick.Run(Member, _options, now);
        state.State.PendingArchive.AddRange(tick.Engine.NewEntries);
        CollectJournal(now);
        AdvanceReminderSchedule(now);

        foreach (var change in tick.Engine.TierChanges)
        {
            MemberMetrics.TierChanged(change.From, change.To);
            LogTierChanged(MemberId, change.From, change.To, change.Reason);
        }

        foreach (var stage in tick.Lifecycle.StageChanges)
        {
            LogStage(MemberId, stage.From, stage.To);
        }

        foreach (var touch in tick.Touches)
        {
            LogTouch(MemberId, touch.Kind, touch.Channel, touch.Decision, touch.Reason);
        }

        // Most ticks of a quiet, settled member decide nothing: then nothing is written.
        // A deferred touch due at 09:00 must not wait for tomorrow's tick: move the reminder to it.
        var rescheduled = await WakeAtAsync(tick.NextDueAt, now);
        var changed = !before.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(Member, DeadLetterJson));
        if (changed || rescheduled)
        {
            await PersistAsync();
        }

        foreach (var held in tick.Engine.ExpiredHeldRefunds)
        {
            await deadLetters.PublishAsync(
                $"refund {held.EventId} for order {held.OrderId}: its purchase did not arrive within {_options.HeldRefundTimeout}",
                "member:" + MemberId,
                JsonSerializer.Serialize(held, DeadLetterJson));
        }

        // Cleared ledger and journal backlogs ride on the next write (re-emitting them is idempotent);
        // only published touches force one, so a settled tick that archived rows writes state once.
        await EmitPendingEffectsAsync(persistIfChanged: false);

        // Even when the tick stored nothing: time alone moves RFM segments ("Hibernating", "Lost"), and audiences must follow.
        await OnTickedAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from tier {FromTier} to {ToTier} ({Cause})")]
    private partial void LogTierChanged(string memberId, string fromTier, string toTier, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId} refused event {RefusedEventId}: {Reason}")]
    private partial void LogRejected(string memberId, string refusedEventId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} holds refund {RefundEventId} until purchase {OrderId} arrives")]
    private partial void LogHeld(string memberId, string refundEventId, string? orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} redeemed {Points} points ({RedemptionId}); balance {Balance}")]
    private partial void LogRedeemed(string memberId, string redemptionId, long points, long balance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} consent changed: {Consent}")]
    private partial void LogConsent(string memberId, string consent);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} moved from stage {FromStage} to {ToStage}")]
    private partial void LogStage(string memberId, string fromStage, string toStage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MemberId} touch {Kind} on {Channel}: {Decision} ({Reason})")]
    private partial void LogTouch(string memberId, string kind, string channel, string decision, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: event stream error")]
    private partial void LogStreamError(Exception ex, string memberId);
}
