using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Offers;
using Engagement.Contracts.Touches;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Engagement.Grains.Members;

/// <summary>
/// One loyalty member, a thin shell (ARCHITECTURE.md, "The member hot path"): load the state, ask
/// <see cref="MemberDecider"/> for one <see cref="MemberOutcome"/>, write the state once when it changed (its
/// pending effects inside it), then let <see cref="MemberEffectEmitter"/> drain the outbox. A crash between the
/// write and the emit loses nothing: the next activation emits again, and every effect has a deterministic id.
/// Per activation: <see cref="MemberWriteGate"/> (the write, the emit, its <see cref="MemberOutboxRetry"/>), <see cref="MemberWakeUps"/>, <see cref="MemberOfferSide"/>, <see cref="MemberTouchStock"/>.
/// </summary>
[ImplicitStreamSubscription(StreamNames.MemberEvents)]
public sealed class MemberGrain(
    [PersistentState("member", GrainStorageNames.State)] IPersistentState<MemberGrainState> state,
    MemberGrainServices services,
    ILedgerArchive archive,
    IMemberCampaignSide campaigns,
    IDeadLetterSink deadLetters)
    : Grain, IMemberGrain, IBenefitHolder, IRemindable, IStreamSubscriptionObserver, IAsyncObserver<EngagementEvent>
{
    /// <summary>The one reminder a member has: it wakes the grain for lifecycle, expiry, win-back, and effects left pending when it deactivated.</summary>
    public const string LifecycleReminder = "lifecycle";

    // One set per activation, made in OnActivateAsync (before any call reaches the grain).
    private MemberActivation _member = null!;
    private MemberWriteGate _gate = null!;
    private MemberWakeUps _wakeUps = null!;
    private MemberOfferSide _offers = null!;
    private MemberTouchStock _touchStock = null!;

    private string MemberId => _member.MemberId;

    private MemberState Member => _member.Member;

    private ProgramOptions Options => _member.Options;

    private ILogger Logger => services.Logger;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The id is read once: Orleans decodes a string key into a new string on every read.
        _member = new MemberActivation(state, this.GetPrimaryKeyString(), services);
        _wakeUps = new MemberWakeUps(_member, this);
        _gate = new MemberWriteGate(_member, this, _wakeUps);
        _offers = new MemberOfferSide(_member, _gate, _wakeUps, GrainFactory);
        _touchStock = new MemberTouchStock(_member, GrainFactory);
        return state.RecordExists ? _gate.EmitOnlyAsync(_gate.RecoverOutboxAsync) : Task.CompletedTask;
    }

    /// <inheritdoc cref="MemberWriteGate.DeactivateAsync"/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _gate?.DeactivateAsync(reason, cancellationToken) ?? Task.CompletedTask;

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EngagementEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EngagementEvent item, StreamSequenceToken? token = null)
    {
        // A failure here fails the delivery, so the queue redelivers; the redelivery meets state as storage holds it.
        var result = await _gate.ChangeAsync(static call => call.Grain.ApplyCoreAsync(call.Event), (Grain: this, Event: item));
        if (result.Status == ApplyStatus.Rejected)
        {
            // The producer's text and queue when it came from one (CONTRACT.md §1); else (an Orleans producer) the stream and
            // our copy. An event of a batch message says which one it was, as the parser's own dead letters of a batch do.
            await deadLetters.PublishRefusedAsync((result.Reason ?? "refused by the member's rules") + EventParser.BatchPosition(item.SourceBatchIndex, item.SourceBatchSize), item.SourceQueue, item.SourceText, "stream:" + StreamNames.MemberEvents, item);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        Logger.LogStreamError(ex, MemberId);
        return Task.CompletedTask;
    }

    public Task<ApplyResult> ApplyEventAsync(EngagementEvent evt) => _gate.ChangeAsync(static call => call.Grain.ApplyCoreAsync(call.Event), (Grain: this, Event: evt));

    public async Task<MemberView?> GetViewAsync()
    {
        await _gate.EnsureCurrentAsync();
        return state.RecordExists ? _offers.WithOffers(MemberMapper.ToView(Member, Options, _member.Now), _member.Now) : null;
    }

    // Reading the ledger drains the outbox first (archive rows among it): a change too.
    public Task<LedgerPage> GetLedgerAsync(LedgerQuery query) => _gate.EmitOnlyAsync(async () =>
    {
        var limit = Math.Clamp(query.Limit, 1, 500);
        if (!state.RecordExists)
        {
            return new LedgerPage();
        }

        await _gate.EmitAsync(everything: true);
        var entries = Member.Outbox.Pending.Exists(e => e is Domain.Members.Effects.ArchiveLedgerEntry)
            ? MemberMapper.RecentLedger(Member, query.Kind, query.Before, limit) // the archive is unreachable: the recent entries the grain keeps
            : await archive.ReadAsync(MemberId, query.Kind, query.Before, limit);
        return MemberMapper.ToPage(entries, limit);
    });

    /// <inheritdoc cref="MemberRedemptions.RedeemAsync"/>
    public Task<RedemptionResult> RedeemAsync(RedemptionRequest request) => _gate.ChangeAsync(() => MemberRedemptions.RedeemAsync(_member, _gate, _offers, request));

    public Task<AdjustmentResult> AdjustAsync(AdjustmentRequest request) => _gate.ChangeAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!state.RecordExists)
        {
            return MemberMapper.ToResult(request, null);
        }

        var by = request.By is { } sender ? new AdjustmentActor(sender.Name, sender.Role) : null;
        var outcome = MemberDecider.Adjust(Member, request.AdjustmentId, request.Kind, request.Delta, request.Reason, Options, _member.Now, _member.Metrics, request.DeskLimit, by);

        // A growth adjustment can move the tier: the index row goes out with the adjustment's own write, as an event's does.
        var reindexed = outcome.StateChanged && campaigns.AfterChange(_member.Context(_member.Now));
        await _gate.CommitAsync(outcome.StateChanged || reindexed);
        if (outcome.Reply.Status == AdjustmentStatuses.Applied)
        {
            Logger.LogAdjusted(MemberId, request.AdjustmentId, request.Kind, request.Delta, outcome.Reply.BalanceAfter);
        }

        return MemberMapper.ToResult(request, outcome.Reply);
    });

    /// <inheritdoc cref="MemberRedemptions.HasAcceptedAsync"/>
    public Task<bool> HasAcceptedRedemptionAsync(string redemptionId, string rewardId, string? storeId) => MemberRedemptions.HasAcceptedAsync(_member, _gate, redemptionId, rewardId, storeId);

    public async Task<IReadOnlyList<TouchView>> GetTouchesAsync(int limit)
    {
        await _gate.EnsureCurrentAsync();
        return TouchGovernor.History(Member).OrderByDescending(t => t.DecidedAt).Take(Math.Clamp(limit, 1, 500)).Select(MemberMapper.ToView).ToList();
    }

    public Task<MemberView?> SetConsentAsync(IReadOnlyDictionary<string, bool> consent, StaffActor? by = null) => _gate.ChangeAsync(async () =>
    {
        if (!state.RecordExists)
        {
            return null;
        }

        var now = _member.Now;
        var actor = by is null ? null : new ConsentActor(by.Name, by.Role, by.Reason);
        await _gate.CommitAsync(MemberDecider.SetConsent(Member, consent, now, actor).StateChanged);
        var described = string.Join(", ", consent.Select(c => c.Key + "=" + (c.Value ? "yes" : "no")));
        Logger.LogConsent(MemberId, described);
        return _offers.WithOffers(MemberMapper.ToView(Member, Options, now), now); // the same view as GetViewAsync, coupons included
    });

    // The campaign retries a failed delivery: it must meet the member as storage holds it, not a touch never stored.
    // A repeat-only delivery decides nothing (it answers what the member already has), so a backed-up outbox never refuses it.
    public Task<CampaignDeliveryResult> DeliverCampaignAsync(CampaignDelivery delivery) => delivery.RepeatOnly
        ? _gate.EmitOnlyAsync(() => CampaignDeliveries.DeliverAsync(_member, delivery, GrainFactory, _gate, _wakeUps, Logger, campaigns.MaxMemberships))
        : _gate.ChangeAsync(() => CampaignDeliveries.DeliverAsync(_member, delivery, GrainFactory, _gate, _wakeUps, Logger, campaigns.MaxMemberships));

    public async Task<CampaignMembershipView?> GetCampaignMembershipAsync(string campaignId)
    {
        await _gate.EnsureCurrentAsync();
        return CampaignMemberships.Find(Member.Campaigns, campaignId) is { } m ? CampaignDeliveries.View(Member, m) : null;
    }

    public async Task<IReadOnlyList<CampaignMembershipView>> GetCampaignMembershipsAsync()
    {
        await _gate.EnsureCurrentAsync();
        return [.. Member.Campaigns.Memberships.Select(m => CampaignDeliveries.View(Member, m))];
    }

    public Task<bool> ReindexAsync() => _gate.ChangeAsync(async () =>
    {
        if (!state.RecordExists || !campaigns.Reindex(_member.Context(_member.Now)))
        {
            return false;
        }

        await _gate.CommitAsync(changed: true);
        return true;
    });

    // A lifecycle tick refused for a backed-up outbox is owed, and runs again once the outbox is under its bound (MemberWriteGate.TickAsync).
    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == LifecycleReminder
        ? _gate.TickAsync(LifecycleTickAsync)
        : _gate.ChangeAsync(static () => Task.CompletedTask);

    private Task LifecycleTickAsync() => state.RecordExists ? TickAsync() : Task.CompletedTask;

    public Task<CouponIssueResult> IssueCouponAsync(CouponGrant grant) => _offers.IssueAsync(grant);

    public Task<IReadOnlyList<CouponView>> GetCouponsAsync() => _offers.CouponsAsync();

    public Task<CouponView?> GetCouponAsync(string code) => _offers.CouponAsync(code);

    public Task<CouponRedeemResult> RedeemCouponAsync(string code, CouponRedeemRequest request) => _offers.RedeemAsync(code, request);

    public Task<CouponReissueResult> ReissueCouponAsync(string code, CouponReissueRequest request) => _offers.ReissueAsync(code, request);

    public Task<PriorityBookingResult> BookPriorityAsync(PriorityBookingRequest request) => _offers.BookPriorityAsync(request);

    private async Task<ApplyResult> ApplyCoreAsync(EngagementEvent evt)
    {
        if (!string.Equals(evt.MemberId, MemberId, StringComparison.Ordinal))
        {
            MemberMetrics.EventRejected();
            return new ApplyResult { Status = ApplyStatus.Rejected, Reason = $"memberId: event for '{evt.MemberId}' delivered to member '{MemberId}'" };
        }

        var now = _member.Now;
        if (!state.RecordExists && string.IsNullOrEmpty(Member.MemberId))
        {
            Member.MemberId = MemberId;
        }

        var domainEvent = MemberMapper.ToDomain(evt);
        var heldForOrder = CouponEventStep.HeldFor(Member, domainEvent);
        var outcome = MemberDecider.Apply(Member, domainEvent, Options, now, _member.Metrics);
        var decision = outcome.Reply;
        if (!outcome.StateChanged)
        {
            if (decision.Status == EventStatus.Held)
            {
                // A resend of a refund still held: answered held with its first reason, counted as the repeat it is.
                IngestionMetrics.Duplicate();
                return MemberMapper.ToResult(ApplyStatus.Held, decision, decision.Reason);
            }

            if (decision.Status != EventStatus.Duplicate)
            {
                return EventReplies.Rejected(Logger, MemberId, evt, decision);
            }

            IngestionMetrics.Duplicate();
            // The domain's reason names what repeated: the eventId, or a purchase of an order already applied (another eventId).
            return MemberMapper.ToResult(ApplyStatus.Duplicate, decision, decision.Reason ?? "eventId already applied");
        }

        // The reminder first (a new member's, or one whose period changed), so that what falls due earlier can move it.
        await _wakeUps.EnsureRegisteredAsync(now);
        var (couponsChanged, refusedCoupons) = decision.Status == EventStatus.Applied ? _offers.ApplyEventStep(domainEvent, heldForOrder, now) : (false, Array.Empty<CouponEventRefusal>());
        if (couponsChanged)
        {
            await _wakeUps.WakeAtAsync(_offers.NextDue(now), now);
        }

        // Campaign side before the write, so the event and what it caused are stored together.
        var side = decision.Status is EventStatus.Applied or EventStatus.Held
            ? await campaigns.AfterEventAsync(_member.Context(now), evt, decision)
            : default;
        await _wakeUps.WakeAtAsync(side.WakeAt, now);
        await _gate.CommitAsync(changed: true);
        Logger.LogOutcome(MemberId, outcome);
        RegionRewriteWarnings.Shared.Warn(Logger, decision.Status, evt.RegionId);
        return decision.Status switch
        {
            EventStatus.Rejected => EventReplies.Rejected(Logger, MemberId, evt, decision),
            EventStatus.Held => EventReplies.Held(Logger, MemberId, evt, decision),
            _ => EventReplies.Applied(decision, refusedCoupons),
        };
    }

    private async Task TickAsync()
    {
        var now = _member.Now;

        // Stock of a goods-tied L1 gift or birthday coupon whose touch goes out: looked up before the change, never inside it.
        var inStock = await _touchStock.TouchStockAsync(now);
        var outcome = MemberDecider.Tick(Member, Options, now, _offers.FulfilTouch(now), _member.Metrics, _touchStock.HoldForStock(inStock, now));
        var coupons = _offers.TickStep(now);
        var resynced = _wakeUps.Advance(now);
        Logger.LogOutcome(MemberId, outcome);

        // Even when the tick changed nothing: time alone moves RFM segments ("Hibernating", "Lost"), and audiences must follow.
        var side = campaigns.AfterTick(_member.Context(now));

        // A deferred touch due at 09:00 must not wait for tomorrow's tick: move the reminder to it.
        var rescheduled = await _wakeUps.WakeAtAsync(MemberOfferSide.Earliest(outcome.NextDueAt, coupons.NextDueAt), now);

        // Most ticks of a quiet, settled member decide nothing: then nothing is written.
        await _gate.CommitAsync(outcome.StateChanged || coupons.StateChanged || side.Changed || rescheduled || resynced);
        _touchStock.CountHolds(outcome.Touches);
    }
}
