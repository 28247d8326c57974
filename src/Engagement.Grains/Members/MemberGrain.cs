using System.Text.Json;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Contracts.Members;
using Engagement.Contracts.Touches;
using Engagement.Domain.Campaigns;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;
using Engagement.Grains.Diagnostics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Engagement.Grains.Members;

/// <summary>
/// One loyalty member, a thin shell (ARCHITECTURE.md, "The member hot path"): load the state, ask
/// <see cref="MemberDecider"/> for one <see cref="MemberOutcome"/>, write the state once when it changed (its
/// pending effects inside it), then let <see cref="MemberEffectEmitter"/> drain the outbox. A crash between the
/// write and the emit loses nothing: the next activation emits again, and every effect has a deterministic id.
/// </summary>
[ImplicitStreamSubscription(StreamNames.MemberEvents)]
public sealed partial class MemberGrain(
    [PersistentState("member", GrainStorageNames.State)] IPersistentState<MemberGrainState> state,
    IOptions<ProgramOptions> programOptions,
    IOptions<OffersOptions> offersOptions,
    IMemberRulesSource rulesSource,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ReminderClock reminderClock,
    ILedgerArchive archive,
    MemberEffectEmitter emitter,
    IMemberCampaignSide campaigns,
    IDeadLetterSink deadLetters,
    ILogger<MemberGrain> logger)
    : Grain, IMemberGrain, IRemindable, IStreamSubscriptionObserver, IAsyncObserver<EngagementEvent>
{
    /// <summary>The one reminder a member has: it wakes the grain for lifecycle, expiry and win-back.</summary>
    public const string LifecycleReminder = "lifecycle";

    private static readonly JsonSerializerOptions DeadLetterJson = new(JsonSerializerDefaults.Web);

    private ProgramOptions _options = programOptions.Value;

    /// <summary>The member's id, read once per activation: Orleans decodes a string key into a new string on every read.</summary>
    private string? _memberId;

    private string MemberId => _memberId ??= this.GetPrimaryKeyString();

    private MemberState Member => state.State.Member;

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        state.RecordExists ? ChangeAsync(RecoverOutboxAsync) : Task.CompletedTask;

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<EngagementEvent>().ResumeAsync(this);

    public async Task OnNextAsync(EngagementEvent item, StreamSequenceToken? token = null)
    {
        // A failure here fails the delivery, so the queue redelivers; the redelivery meets state as storage holds it.
        var result = await ChangeAsync(() => ApplyCoreAsync(item));
        if (result.Status == ApplyStatus.Rejected)
        {
            // The producer's text and queue when it came from one (CONTRACT.md §1); else (an Orleans producer) the stream and our copy.
            await deadLetters.PublishAsync(
                result.Reason ?? "refused by the member's rules",
                item.SourceQueue ?? "stream:" + StreamNames.MemberEvents,
                item.SourceText ?? JsonSerializer.Serialize(item, DeadLetterJson));
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
        return state.RecordExists ? WithOffers(MemberMapper.ToView(Member, _options, time.GetUtcNow()), time.GetUtcNow()) : null;
    }

    // Reading the ledger drains the outbox first (archive rows among it): a change too.
    public Task<LedgerPage> GetLedgerAsync(LedgerQuery query) => ChangeAsync(async () =>
    {
        var limit = Math.Clamp(query.Limit, 1, 500);
        if (!state.RecordExists)
        {
            return new LedgerPage();
        }

        await EmitAsync(everything: true);
        var entries = Member.Outbox.Pending.Exists(e => e is Domain.Members.Effects.ArchiveLedgerEntry)
            ? MemberMapper.RecentLedger(Member, query.Kind, query.Before, limit) // the archive is unreachable: the recent entries the grain keeps
            : await archive.ReadAsync(MemberId, query.Kind, query.Before, limit);
        return MemberMapper.ToPage(entries, limit);
    });

    public Task<RedemptionResult> RedeemAsync(RedemptionRequest request) => ChangeAsync(async () =>
    {
        if (!state.RecordExists)
        {
            return new RedemptionResult { RedemptionId = request.RedemptionId, Status = RedemptionStatus.UnknownMember, Detail = "member has never been seen" };
        }

        await UseCurrentRulesAsync();
        var now = time.GetUtcNow();
        var outcome = MemberDecider.Redeem(Member, request.RedemptionId, request.Points, request.CashAmount, request.RewardId, _options, now, _metrics, request.PointValue, request.StoreId);
        if (outcome.StateChanged)
        {
            await ConfirmRedemptionAsync(request, outcome.Reply, now);
        }

        await CommitAsync(outcome.StateChanged);
        if (outcome.StateChanged)
        {
            LogRedeemed(MemberId, request.RedemptionId, request.Points, outcome.Reply.PointsBalance);
        }

        return MemberMapper.ToResult(request.RedemptionId, outcome.Reply);
    });

    public Task<AdjustmentResult> AdjustAsync(AdjustmentRequest request) => ChangeAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!state.RecordExists)
        {
            return MemberMapper.ToResult(request, null);
        }

        await UseCurrentRulesAsync();
        var outcome = MemberDecider.Adjust(Member, request.AdjustmentId, request.Kind, request.Delta, request.Reason, _options, time.GetUtcNow(), _metrics);
        await CommitAsync(outcome.StateChanged);
        if (outcome.StateChanged)
        {
            LogAdjusted(MemberId, request.AdjustmentId, request.Kind, request.Delta, outcome.Reply.BalanceAfter);
        }

        return MemberMapper.ToResult(request, outcome.Reply);
    });

    public async Task<IReadOnlyList<TouchView>> GetTouchesAsync(int limit)
    {
        await EnsureCurrentAsync();
        return TouchGovernor.History(Member).OrderByDescending(t => t.DecidedAt).Take(Math.Clamp(limit, 1, 500)).Select(MemberMapper.ToView).ToList();
    }

    public Task<MemberView?> SetConsentAsync(IReadOnlyDictionary<string, bool> consent, StaffActor? by = null) => ChangeAsync(async () =>
    {
        if (!state.RecordExists)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var actor = by is null ? null : new ConsentActor(by.Name, by.Role, by.Reason);
        await CommitAsync(MemberDecider.SetConsent(Member, consent, now, actor).StateChanged);
        var described = string.Join(", ", consent.Select(c => c.Key + "=" + (c.Value ? "yes" : "no")));
        LogConsent(MemberId, described);
        return WithOffers(MemberMapper.ToView(Member, _options, now), now); // the same view as GetViewAsync, coupons included
    });

    public Task<CampaignDeliveryResult> DeliverCampaignAsync(CampaignDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);

        // The campaign retries a failed delivery: it must meet the member as storage holds it, not a touch never stored.
        return ChangeAsync(async () =>
        {
            if (CampaignMemberships.Find(Member.Campaigns, delivery.CampaignId) is { } known)
            {
                return CampaignDeliveries.ResultOf(Member, known, repeat: true);
            }

            if (!state.RecordExists)
            {
                // An index row without a member (e.g. state cleared): nothing to remember, nothing to touch.
                return new CampaignDeliveryResult { Outcome = CampaignOutcomes.Ineligible, Group = CampaignGroups.None, Reason = "member has never been seen" };
            }

            var now = time.GetUtcNow();
            var heldBack = await CampaignOffers.HeldBackForStockAsync(GrainFactory, Context(now), delivery);
            var membership = CampaignDeliveries.Apply(Context(now), delivery, checkAudience: true, heldBack);
            if (membership.Outcome == TouchDecisions.Deferred)
            {
                await WakeAtAsync(TouchGovernor.NextDeferredAt(Member), now);
            }

            await CommitAsync(changed: true);
            LogCampaignDelivered(MemberId, delivery.CampaignId, membership.Group, membership.Arm, membership.Outcome);
            return CampaignDeliveries.ResultOf(Member, membership, repeat: false);
        });
    }

    public async Task<CampaignMembershipView?> GetCampaignMembershipAsync(string campaignId)
    {
        await EnsureCurrentAsync();
        return CampaignMemberships.Find(Member.Campaigns, campaignId) is { } m ? CampaignDeliveries.View(Member, m) : null;
    }

    public Task<bool> ReindexAsync() => ChangeAsync(async () =>
    {
        if (!state.RecordExists || !campaigns.Reindex(Context(time.GetUtcNow())))
        {
            return false;
        }

        await CommitAsync(changed: true);
        return true;
    });

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

        await UseCurrentRulesAsync();
        var now = time.GetUtcNow();
        if (!state.RecordExists && string.IsNullOrEmpty(Member.MemberId))
        {
            Member.MemberId = MemberId;
        }

        var domainEvent = MemberMapper.ToDomain(evt);
        var heldForOrder = CouponEventStep.HeldFor(Member, domainEvent);
        var outcome = MemberDecider.Apply(Member, domainEvent, _options, now, _metrics);
        var decision = outcome.Reply;
        if (!outcome.StateChanged)
        {
            if (decision.Status != EventStatus.Duplicate)
            {
                return Rejected(evt, decision);
            }

            IngestionMetrics.Duplicate();
            return MemberMapper.ToResult(ApplyStatus.Duplicate, decision, "eventId already applied");
        }

        if (decision.Status == EventStatus.Applied && ApplyCouponsOfEvent(domainEvent, heldForOrder, now))
        {
            await WakeAtAsync(NextCouponDue(now), now);
        }

        // Campaign side before the write, so the event and what it caused are stored together.
        var side = decision.Status is EventStatus.Applied or EventStatus.Held
            ? await campaigns.AfterEventAsync(Context(now), evt, decision)
            : default;
        await EnsureLifecycleReminderAsync(now);
        await WakeAtAsync(side.WakeAt, now);
        await CommitAsync(changed: true);
        LogOutcome(outcome);
        return decision.Status switch
        {
            EventStatus.Rejected => Rejected(evt, decision),
            EventStatus.Held => Held(evt, decision),
            _ => Applied(decision),
        };
    }

    private async Task TickAsync()
    {
        await UseCurrentRulesAsync();
        var now = time.GetUtcNow();
        var outcome = MemberDecider.Tick(Member, _options, now, FulfilTouch(now), _metrics);
        var coupons = TickCoupons(now);
        AdvanceReminderSchedule(now);
        LogOutcome(outcome);

        // Even when the tick changed nothing: time alone moves RFM segments ("Hibernating", "Lost"), and audiences must follow.
        var side = campaigns.AfterTick(Context(now));

        // A deferred touch due at 09:00 must not wait for tomorrow's tick: move the reminder to it.
        var rescheduled = await WakeAtAsync(Earliest(outcome.NextDueAt, coupons.NextDueAt), now);

        // Most ticks of a quiet, settled member decide nothing: then nothing is written.
        await CommitAsync(outcome.StateChanged || coupons.StateChanged || side.Changed || rescheduled);
    }
}
