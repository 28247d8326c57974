using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Events;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Campaigns;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members.Effects;

/// <summary>Emits one kind of <see cref="MemberEffect"/>. Registered in DI; <see cref="MemberEffectEmitter"/> asks each in turn.</summary>
public interface IMemberEffectHandler
{
    /// <summary>True for the effects this handler emits.</summary>
    bool Handles(MemberEffect effect);

    /// <summary>
    /// Where the handler's turn comes in an emit pass: lower first, registration order among equals (default 0). A
    /// handler whose effects others wait for (<see cref="MemberEffect.After"/>) goes earlier, so they can follow in the
    /// same pass.
    /// </summary>
    int EmitOrder => 0;

    /// <summary>
    /// Emits the effects in order; returns how many (from the first) the receiver confirmed. Throws when none was.
    /// <paramref name="effects"/> is the emitter's list, reused once the returned task completes: read it until then,
    /// copy what is kept beyond it.
    /// </summary>
    Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects);

    /// <summary>
    /// As <see cref="EmitAsync"/>, when the caller needs every effect confirmed before it goes on (the member is
    /// deactivating, or its ledger is read): a handler that confirms in the background waits for it here.
    /// </summary>
    Task<int> EmitAllAsync(string memberId, IReadOnlyList<MemberEffect> effects) => EmitAsync(memberId, effects);

    /// <summary>
    /// True for a handler whose receiver confirms in the background (after <see cref="EmitAsync"/> has returned): its
    /// confirmations can be taken before the member's next state write (<see cref="TakeConfirmed"/>), so that write
    /// no longer stores effects already applied.
    /// </summary>
    bool ConfirmsInBackground => false;

    /// <summary>
    /// How many of <paramref name="effects"/> (in outbox order, from the first) the receiver has confirmed since they
    /// were emitted; those confirmations are taken (a later call does not count them again). Sends nothing and never
    /// waits. 0 for a handler that confirms as it emits. <paramref name="effects"/> is the emitter's list, reused once
    /// this returns.
    /// </summary>
    int TakeConfirmed(string memberId, IReadOnlyList<MemberEffect> effects) => 0;

    /// <summary>
    /// The member has deactivated on this silo: forget whatever is kept for it here (what it left unconfirmed stays
    /// pending in its stored outbox, which its next activation, on any silo, emits again). Never throws.
    /// </summary>
    void Release(string memberId)
    {
    }
}

/// <summary>The typed base of a handler: a new effect kind is one record and one subclass of this.</summary>
/// <typeparam name="TEffect">The effect kind.</typeparam>
public abstract class MemberEffectHandler<TEffect> : IMemberEffectHandler
    where TEffect : MemberEffect
{
    public virtual bool Handles(MemberEffect effect) => effect is TEffect;

    /// <inheritdoc cref="IMemberEffectHandler.EmitOrder"/>
    public virtual int EmitOrder => 0;

    public Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        var typed = new List<TEffect>(effects.Count);
        foreach (var effect in effects)
        {
            typed.Add((TEffect)effect);
        }

        return EmitAsync(memberId, typed);
    }

    /// <inheritdoc cref="IMemberEffectHandler.EmitAsync"/>
    protected abstract Task<int> EmitAsync(string memberId, List<TEffect> effects);
}

/// <summary>Ledger entries to the append-only archive (rows keyed by sequence: idempotent).</summary>
public sealed class LedgerArchiveHandler(ILedgerArchive archive) : MemberEffectHandler<ArchiveLedgerEntry>
{
    protected override async Task<int> EmitAsync(string memberId, List<ArchiveLedgerEntry> effects)
    {
        await archive.AppendAsync(memberId, effects.ConvertAll(e => MemberMapper.ToView(e.Entry)));
        return effects.Count;
    }
}

/// <summary>Sent touches to the touch outbox queue (connectors drop repeats by touchId).</summary>
public sealed class TouchOutboxHandler(ITouchOutbox outbox) : MemberEffectHandler<PublishTouch>
{
    protected override async Task<int> EmitAsync(string memberId, List<PublishTouch> effects)
    {
        await outbox.SendAsync(effects.ConvertAll(e => MemberMapper.ToMessage(memberId, e.Touch)));
        return effects.Count;
    }
}

/// <summary>Win-back steps to the lifecycle journal (idempotent by member, kind, level and episode).</summary>
public sealed class LifecycleJournalHandler(ILifecycleJournal journal) : MemberEffectHandler<JournalWinBackStep>
{
    protected override async Task<int> EmitAsync(string memberId, List<JournalWinBackStep> effects)
    {
        await journal.AppendAsync(memberId, effects.ConvertAll(e => new LifecycleJournalEntry(e.At, e.Kind, e.Level, e.EpisodeStartedAt)));
        return effects.Count;
    }
}

/// <summary>
/// Refused or timed-out held refunds to the poison queue, with their reason, in order. The poison queue does not drop
/// repeats, so when one fails after others went out, those are confirmed and only the rest are retried.
/// </summary>
public sealed partial class DeadLetterHandler(IDeadLetterSink deadLetters, ILogger<DeadLetterHandler> logger) : MemberEffectHandler<DeadLetterRefund>
{
    protected override async Task<int> EmitAsync(string memberId, List<DeadLetterRefund> effects)
    {
        var done = 0;
        foreach (var effect in effects)
        {
            // The producer's text and queue when the refund came from one (CONTRACT.md §1); else the member and its record.
            // One from a batch message names its place in it, as the parser's dead letters of a batch do.
            var refund = effect.Refund;
            var reason = effect.Reason + EventParser.BatchPosition(refund.SourceBatchIndex, refund.SourceBatchSize);
            try
            {
                await deadLetters.PublishRefusedAsync(reason, refund.SourceQueue, refund.SourceText, "member:" + memberId, refund);
            }
            catch (Exception ex) when (done > 0)
            {
                // A cancellation too (an HTTP timeout surfaces as one): those already sent must not be sent again.
                LogPartlyPublished(ex, memberId, done, effects.Count);
                return done;
            }

            done++;
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MemberId}: {Done} of {Count} dead letters reached the poison queue; the rest stay in the outbox and are retried")]
    private partial void LogPartlyPublished(Exception ex, string memberId, int done, int count);
}

/// <summary>
/// The member's audience attributes to the campaign member index (only the newest row is pending at a time). A silo
/// without campaign services has no index: then it handles nothing.
/// </summary>
public sealed class MemberIndexHandler(IEnumerable<IMemberIndex> indexes) : MemberEffectHandler<UpsertMemberIndex>
{
    private readonly IMemberIndex? _index = indexes.LastOrDefault();

    public override bool Handles(MemberEffect effect) => _index is not null && base.Handles(effect);

    protected override async Task<int> EmitAsync(string memberId, List<UpsertMemberIndex> effects)
    {
        var latest = effects[^1];
        await _index!.UpsertAsync(new MemberIndexEntry(memberId, latest.Attributes, latest.At));
        return effects.Count;
    }
}

/// <summary>Outcome moves, attributed purchases and grant releases to their campaign grains, in order; stops at the first refusal.</summary>
public sealed class CampaignReportHandler(IGrainFactory grains) : IMemberEffectHandler
{
    public bool Handles(MemberEffect effect) => effect is ReportCampaignOutcome or ReportCampaignPurchase or ForgetCampaignReport or ReleaseCampaignGrant;

    public async Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        var done = 0;
        foreach (var effect in effects)
        {
            try
            {
                switch (effect)
                {
                    case ReportCampaignOutcome o:
                        await grains.GetGrain<ICampaignGrain>(o.CampaignId).ReportOutcomeAsync(new CampaignOutcomeReport { MemberId = memberId, Arm = o.Arm, From = o.From, To = o.To, ReportId = ReportId(memberId, o) });
                        break;
                    case ReportCampaignPurchase p:
                        await grains.GetGrain<ICampaignGrain>(p.CampaignId).ReportPurchaseAsync(new CampaignPurchaseReport
                        {
                            MemberId = memberId, Group = p.Group, Arm = p.Arm, Amount = p.Amount, Conversion = p.Conversion, EventId = p.EventId,
                            ReportId = ReportId(memberId, p),
                        });
                        break;
                    case ForgetCampaignReport f:
                        await grains.GetGrain<ICampaignGrain>(f.CampaignId).ForgetReportsAsync([memberId + "|" + f.ReportEffectId]);
                        break;
                    case ReleaseCampaignGrant r:
                        await grains.GetGrain<ICampaignGrain>(r.CampaignId).ReleasePendingGrantAsync(memberId);
                        break;
                }
            }
            catch (Exception) when (done > 0)
            {
                // The ones before stay confirmed; this one and the rest are retried in order.
                return done;
            }

            done++;
        }

        return done;
    }

    /// <summary>The id the campaign counts a report by: the member and the effect's own deterministic id.</summary>
    private static string ReportId(string memberId, MemberEffect effect) => memberId + "|" + effect.Id;
}
