using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Touches;

namespace Engagement.Domain.Members;

/// <summary>
/// The member aggregate's entry points: each takes the state, the input and <c>now</c>, applies the rules
/// (<see cref="MemberEngine"/>, <see cref="AdjustmentPolicy"/>, <see cref="MemberTick"/>), queues every effect in
/// <see cref="MemberState.Outbox"/> and answers one <see cref="MemberOutcome"/>. The grain does nothing but store
/// the state when <see cref="MemberOutcome.StateChanged"/> and emit the outbox.
/// </summary>
public static class MemberDecider
{
    /// <summary>Applies one event (CONTRACT.md §1, §2); with <paramref name="metrics"/>, queues its programme metric contributions (§5).</summary>
    public static MemberOutcome<EventDecision> Apply(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, MetricsOptions? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        var metricsBefore = MemberMetricsPolicy.Before(state, evt.OrderId);
        var decision = MemberEngine.Apply(state, evt, options, now);
        if (!decision.StateChanged)
        {
            return new MemberOutcome<EventDecision> { Reply = decision };
        }

        if (evt.Type == MemberEventTypes.ProfileUpdate)
        {
            // A touch still waiting in the outbox must not go out on a channel this update opted out of.
            TouchGovernor.WithholdOptedOut(state, now);
        }

        var effects = new List<MemberEffect>(EffectsAtMost(state, decision.NewEntries.Count + decision.RejectedHeldRefunds.Count, now, metrics));
        Archive(state, decision.NewEntries, effects);
        foreach (var refused in decision.RejectedHeldRefunds)
        {
            // A refund held for its purchase, refused once the purchase came (e.g. more than the order).
            Queue(state, new DeadLetterRefund(refused.Refund, $"refund {refused.Refund.EventId} for order {refused.Refund.OrderId}: {refused.Reason}"), effects);
        }

        Journal(state, now, effects);
        MemberMetricsPolicy.Record(state, metricsBefore, MemberMetricsPolicy.ForEvent(evt, decision.Status), decision.NewEntries, options, metrics, now, effects);
        return new MemberOutcome<EventDecision>
        {
            Reply = decision,
            StateChanged = true,
            Entries = decision.NewEntries,
            TierChanges = decision.TierChanges,
            Effects = effects,
        };
    }

    /// <summary>Redeems points (CONTRACT.md §2, §4); only an accepted redemption that wrote the ledger is stored.</summary>
    public static MemberOutcome<RedemptionDecision> Redeem(
        MemberState state, string redemptionId, long points, decimal? cashAmount, string? rewardId, ProgramOptions options, DateTimeOffset now, MetricsOptions? metrics = null,
        decimal? pointValue = null, string? storeId = null)
    {
        var metricsBefore = MemberMetricsPolicy.Before(state);
        var decision = RedemptionPolicy.Redeem(state, redemptionId, points, cashAmount, rewardId, options, now, pointValue, storeId);
        var changed = !decision.Replayed && decision.NewEntries.Count > 0;
        var effects = new List<MemberEffect>(changed ? decision.NewEntries.Count + MetricEffects(metrics) : 0);
        if (changed)
        {
            Archive(state, decision.NewEntries, effects);
            MemberMetricsPolicy.Record(state, metricsBefore, new("r:" + redemptionId, now), decision.NewEntries, options, metrics, now, effects);
        }

        return new MemberOutcome<RedemptionDecision> { Reply = decision, StateChanged = changed, Entries = decision.NewEntries, Effects = effects };
    }

    /// <summary>
    /// A manual points or growth adjustment (<see cref="AdjustmentPolicy"/>); stored when applied, or when a refused
    /// one expired lots first (their ledger entries must not stay in memory alone). <paramref name="deskLimit"/>: support's
    /// daily limit per member and kind (<see cref="SupportDeskLimit"/>); null for an admin or the engine. <paramref name="by"/>:
    /// who sends it, kept as the maker of an applied one (<see cref="AdjustmentActors"/>); null for the engine.
    /// </summary>
    public static MemberOutcome<AdjustmentDecision> Adjust(
        MemberState state, string adjustmentId, string kind, long delta, string reason, ProgramOptions options, DateTimeOffset now, MetricsOptions? metrics = null, long? deskLimit = null,
        AdjustmentActor? by = null)
    {
        var metricsBefore = MemberMetricsPolicy.Before(state);
        var decision = AdjustmentPolicy.Apply(state, adjustmentId, kind, delta, reason, options, now, deskLimit, by);
        var changed = decision.Status == AdjustmentStatuses.Applied || decision.NewEntries.Count > 0;
        var effects = new List<MemberEffect>(changed ? decision.NewEntries.Count + MetricEffects(metrics) : 0);
        if (changed)
        {
            Archive(state, decision.NewEntries, effects);
            MemberMetricsPolicy.Record(state, metricsBefore, new("a:" + adjustmentId, now), decision.NewEntries, options, metrics, now, effects);
        }

        return new MemberOutcome<AdjustmentDecision> { Reply = decision, StateChanged = changed, Entries = decision.NewEntries, Effects = effects };
    }

    /// <summary>Sets channel consent (sms, push, call, wechat): true allowed, false opted out.</summary>
    public static MemberOutcome SetConsent(MemberState state, IReadOnlyDictionary<string, bool> consent) => SetChannels(state, consent, null);

    /// <summary>
    /// Sets each channel's consent, stamped at <paramref name="at"/> when given, so an older <c>profile_update</c>
    /// arriving late does not undo it.
    /// </summary>
    private static MemberOutcome SetChannels(MemberState state, IReadOnlyDictionary<string, bool> consent, DateTimeOffset? at)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(consent);
        foreach (var (channel, allowed) in consent)
        {
            ProfilePolicy.SetConsent(state, channel, allowed, at);
        }

        return new MemberOutcome { StateChanged = true };
    }

    /// <summary>
    /// Sets channel consent by staff at <paramref name="now"/> (stamped then, so an older <c>profile_update</c> arriving
    /// late does not undo it): as <see cref="SetConsent(MemberState, IReadOnlyDictionary{string, bool})"/>,
    /// and when a channel changed, <see cref="MemberState.ConsentChangedAt"/> becomes <paramref name="now"/>,
    /// <see cref="MemberState.ConsentChangedBy"/> <paramref name="by"/> and <see cref="MemberState.ConsentChange"/> what
    /// changed. A request that changes nothing keeps all three of the one that did, so the audit names one change once,
    /// and by whoever made it, whoever repeats it. A touch still waiting in the outbox on a channel now opted out is
    /// withheld (<see cref="TouchGovernor.WithholdOptedOut"/>).
    /// </summary>
    public static MemberOutcome SetConsent(MemberState state, IReadOnlyDictionary<string, bool> consent, DateTimeOffset now, ConsentActor? by = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var before = new Dictionary<string, bool>(state.Consent, StringComparer.Ordinal);
        var outcome = SetChannels(state, consent, now);
        TouchGovernor.WithholdOptedOut(state, now);
        static string Word(bool? allowed) => allowed switch { true => "yes", false => "no", null => "default" };
        var changes = before.Keys.Union(state.Consent.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(c => (Channel: c, Was: before.TryGetValue(c, out var was) ? was : (bool?)null, Is: state.Consent.TryGetValue(c, out var after) ? after : (bool?)null))
            .Where(c => c.Was != c.Is)
            .Select(c => $"{c.Channel} {Word(c.Was)}→{Word(c.Is)}")
            .ToList();
        if (changes.Count > 0)
        {
            (state.ConsentChangedAt, state.ConsentChangedBy, state.ConsentChange) = (now, by, string.Join(", ", changes));
        }

        return outcome;
    }

    /// <summary>
    /// Everything time alone makes due (<see cref="MemberTick.Run"/>). <see cref="MemberOutcome.StateChanged"/> is
    /// decided from a <see cref="MemberFingerprint"/> taken before and after, not by serialising the member.
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="options">The programme rules.</param>
    /// <param name="now">The instant of the tick.</param>
    /// <param name="fulfil">Fulfils a win-back level's offer once its touch is decided sent, at once or when a waiting one goes out (see <see cref="MemberTick.Run"/>); null: announce only.</param>
    /// <param name="metrics">Programme metrics rules; null: the member records no metric contributions.</param>
    /// <param name="hold">Keeps an offer touch that would go out now waiting in its window (see <see cref="MemberTick.Run"/>); null: none is held.</param>
    public static MemberOutcome<MemberTickResult> Tick(
        MemberState state, ProgramOptions options, DateTimeOffset now, Func<TouchRequest, TouchRequest>? fulfil = null, MetricsOptions? metrics = null,
        Func<TouchRequest, TouchHold?>? hold = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var before = MemberFingerprint.Of(state);
        var metricsBefore = MemberMetricsPolicy.Before(state);
        var tick = MemberTick.Run(state, options, now, fulfil, hold);
        var effects = new List<MemberEffect>(EffectsAtMost(state, tick.Engine.NewEntries.Count + tick.Engine.ExpiredHeldRefunds.Count, now, metrics));
        Archive(state, tick.Engine.NewEntries, effects);
        foreach (var held in tick.Engine.ExpiredHeldRefunds)
        {
            Queue(state, new DeadLetterRefund(held, $"refund {held.EventId} for order {held.OrderId}: its purchase did not arrive within {options.HeldRefundTimeout}"), effects);
        }

        Journal(state, now, effects);
        MemberMetricsPolicy.Record(state, metricsBefore, MemberMetricsPolicy.ForTick(now), tick.Engine.NewEntries, options, metrics, now, effects);
        return new MemberOutcome<MemberTickResult>
        {
            Reply = tick,
            StateChanged = MemberFingerprint.Of(state) != before,
            Entries = tick.Engine.NewEntries,
            TierChanges = tick.Engine.TierChanges,
            StageChanges = tick.Lifecycle.StageChanges,
            Touches = tick.Touches,
            Effects = effects,
            NextDueAt = tick.NextDueAt,
        };
    }

    /// <summary>
    /// Queues every sent touch not yet handed to the outbox (decided by a tick or a campaign delivery) and marks it
    /// handed over; true when there was one. Callers outside this type decide touches through <see cref="TouchGovernor"/>.
    /// </summary>
    public static bool QueueSentTouches(MemberState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<string>? handed = null;
        foreach (var touch in state.Touches.Sent)
        {
            if (!touch.Published)
            {
                state.Outbox.Add(new PublishTouch(touch with { Published = true }));
                (handed ??= []).Add(touch.TouchId);
            }
        }

        if (handed is null)
        {
            return false;
        }

        TouchGovernor.MarkPublished(state, handed);
        return true;
    }

    /// <summary>Queues what older versions kept beside the state (archive and journal backlogs) into the outbox.</summary>
    public static void AdoptLegacy(MemberState state, IEnumerable<LedgerEntry> archive, IEnumerable<JournalWinBackStep> journal)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(journal);
        foreach (var entry in archive)
        {
            state.Outbox.Add(new ArchiveLedgerEntry(entry));
        }

        foreach (var step in journal)
        {
            state.Outbox.Add(step);
        }

        QueueSentTouches(state);
    }

    private static void Archive(MemberState state, IReadOnlyList<LedgerEntry> entries, List<MemberEffect> effects)
    {
        foreach (var entry in entries)
        {
            Queue(state, new ArchiveLedgerEntry(entry), effects);
        }
    }

    /// <summary>Win-back steps the lifecycle recorded at this instant go to the journal.</summary>
    private static void Journal(MemberState state, DateTimeOffset now, List<MemberEffect> effects)
    {
        foreach (var t in state.Lifecycle.Transitions)
        {
            if (IsJournalled(t, now))
            {
                Queue(state, new JournalWinBackStep(t.At, t.Kind, t.Level, t.EpisodeStartedAt), effects);
            }
        }

        QueueSentTouchesInto(state, effects);
    }

    /// <summary>A lifecycle transition recorded at <paramref name="now"/> that the journal keeps (a win-back step).</summary>
    private static bool IsJournalled(LifecycleTransition t, DateTimeOffset now) =>
        t.RecordedAt == now && t.Kind is LifecycleTransitionKinds.LevelEntered or LifecycleTransitionKinds.WonBack or LifecycleTransitionKinds.Dormant
            or LifecycleTransitionKinds.DormantWithdrawn or LifecycleTransitionKinds.WonBackWithdrawn;

    /// <summary>The metric effect an outcome may queue (<see cref="MemberMetricsPolicy.Record"/>): one when the host records programme metrics.</summary>
    private static int MetricEffects(MetricsOptions? metrics) => metrics is null ? 0 : 1;

    /// <summary>
    /// The most effects an event or tick queues, so its list is made once at that size instead of growing as the journal
    /// rows, touches and metric effect join it: <paramref name="decided"/> (its ledger entries and refused or expired held
    /// refunds), one per win-back step recorded at <paramref name="now"/>, one per sent touch not yet handed over, and
    /// the metric effect.
    /// </summary>
    private static int EffectsAtMost(MemberState state, int decided, DateTimeOffset now, MetricsOptions? metrics)
    {
        var count = decided + MetricEffects(metrics);
        foreach (var t in state.Lifecycle.Transitions)
        {
            if (IsJournalled(t, now))
            {
                count++;
            }
        }

        foreach (var touch in state.Touches.Sent)
        {
            if (!touch.Published)
            {
                count++;
            }
        }

        return count;
    }

    private static void QueueSentTouchesInto(MemberState state, List<MemberEffect> effects)
    {
        var count = state.Outbox.Count;
        if (QueueSentTouches(state))
        {
            state.Outbox.CopySince(count, effects);
        }
    }

    private static void Queue(MemberState state, MemberEffect effect, List<MemberEffect> effects)
    {
        state.Outbox.Add(effect);
        effects.Add(effect);
    }
}
