using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Orders;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Rfm;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

/// <summary>
/// The member's rules as one deterministic function of (state, input, options, now). Before any
/// change it catches up on time (expired lots, tier graces) so the outcome does not depend on when
/// the last tick ran.
/// </summary>
public static class MemberEngine
{
    public static EventDecision Apply(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);

        var early = CheckShape(evt, options) ?? CheckDuplicate(state, evt, options, now);
        var work = RuleChanges.Rent();
        try
        {
            return early is null
                ? ApplyRules(state, evt, options, now, work)
                : Decide(state, options, now, early.Value.Status, early.Value.Reason, work, stateChanged: false);
        }
        finally
        {
            RuleChanges.Return(work);
        }
    }

    private static EventDecision ApplyRules(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        CatchUp(state, options, now, work);

        // One form per amount (CONTRACT.md §1): sent as 12.5 or 12.50000, an order, a held refund and a reason keep 12.50.
        evt = Money.InMinorUnit(evt, options);
        var mark = work.Entries.Count;
        var (status, reason) = evt.Type switch
        {
            MemberEventTypes.Purchase => PurchasePolicy.Apply(state, evt, options, now, work),
            MemberEventTypes.Refund => RefundPolicy.ApplyOrHold(state, evt, options, now, work),
            MemberEventTypes.Register => ApplyRegister(state, evt),
            MemberEventTypes.ProfileUpdate => (EventStatus.Applied, Notes(ProfilePolicy.Apply(state, evt.Properties, options, evt.OccurredAt))),
            MemberEventTypes.Share or MemberEventTypes.Review or MemberEventTypes.Login => ApplyBehaviourGrowth(state, evt, options, now, work),
            _ => (EventStatus.Applied, (string?)null),
        };

        // What the event changed took effect at its occurredAt (CONTRACT.md §1.1), whenever it arrived.
        LedgerBook.DateFrom(state, work.Entries, mark, evt.OccurredAt);
        if (status == EventStatus.Applied)
        {
            Stamp(state, evt, options, now);
            if (evt.Type is not (MemberEventTypes.Purchase or MemberEventTypes.Refund))
            {
                Remember(state.RecentEventIds, evt.EventId, options.RecentEventIdsKept);
            }

            // Order events are remembered on their order too (400 days); the window also stops the same eventId
            // coming back under another orderId or type (CONTRACT.md §1: the eventId is the idempotency key).
            EventIdWindow.Remember(state, evt.EventId, options, now, EventIdWindow.Fingerprint(evt, options));
        }

        Tidy(state, options, now, work);
        return Decide(state, options, now, status, reason, work, stateChanged: true);
    }

    public static MemberSummary Summarize(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);

        var balance = PointsWallet.Balance(state);
        return new MemberSummary
        {
            MemberId = state.MemberId,
            HasBeenSeen = state.FirstSeenAt is not null,
            Tier = TierPolicy.Current(state, options),
            TierSince = state.TierSince ?? state.FirstSeenAt,
            TierGraceUntil = TierPolicy.GraceUntil(state, options),
            GrowthValue = GrowthPolicy.TrailingGrowth(state, options, now),
            PointsBalance = balance,
            PointsValue = balance > 0 ? RedemptionPolicy.ValueOf(balance, options) : 0m,
            PointsLots = PointsWallet.Lots(state),
            LastActivityAt = state.LastActivityAt,
            RegisteredAt = state.RegisteredAt,
            Rfm = RfmScorer.Score(state, options, now),
            RegionId = state.RegionId,
            Benefits = state.Benefits.ToList(),
            Behaviour = new Dictionary<string, long>(state.Behaviour, StringComparer.Ordinal),
            TimeZone = MemberTimeZones.TryFind(state.TimeZone) is not null ? state.TimeZone! : options.DefaultTimeZone,
            Consent = new Dictionary<string, bool>(state.Consent, StringComparer.Ordinal),
            ConsentChangedAt = state.ConsentChangedAt,
            ConsentChangedBy = state.ConsentChangedBy,
            ConsentChange = state.ConsentChange,
            Tags = state.Tags.ToList(),
            Birthday = state.Birthday,
            Phone = state.Phone,
            HeldRefunds = state.HeldRefunds.Count,
            HeldRefundList = [.. state.HeldRefunds.Select(h => (h, h.Currency ?? options.Currency, h.HeldAt + options.HeldRefundTimeout))],
        };
    }

    /// <summary>
    /// What time alone changes in the points, tiers and orders (part of <see cref="Lifecycle.MemberTick.Run"/>): expire
    /// due lots, reassess the tier, release held refunds past their timeout, and prune.
    /// </summary>
    public static TimePassedDecision ApplyTimePassed(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var work = new RuleChanges();
        CatchUp(state, options, now, work);
        var expired = RefundPolicy.ReleaseExpiredHeldRefunds(state, options, now);
        Tidy(state, options, now, work);
        return new TimePassedDecision
        {
            NewEntries = work.Entries,
            TierChanges = work.TierChanges,
            BenefitsGranted = work.Granted,
            ExpiredHeldRefunds = expired,
        };
    }

    private static (EventStatus Status, string Reason)? CheckShape(MemberEvent evt, ProgramOptions options)
    {
        if (string.IsNullOrWhiteSpace(evt.EventId))
        {
            return (EventStatus.Rejected, "eventId is required");
        }

        if (!MemberEventTypes.All.Contains(evt.Type))
        {
            return (EventStatus.Rejected, $"unknown event type '{evt.Type}'");
        }

        if (evt.Type is MemberEventTypes.Purchase or MemberEventTypes.Refund)
        {
            if (string.IsNullOrWhiteSpace(evt.OrderId))
            {
                return (EventStatus.Rejected, $"{evt.Type} needs an orderId");
            }

            if (OrderBook.IsReservedOrderId(evt.OrderId))
            {
                return (EventStatus.Rejected, $"orderId: '{evt.OrderId}' starts with a prefix reserved for the engine's own points lots");
            }

            if (evt.Amount is not > 0m)
            {
                return (EventStatus.Rejected, $"{evt.Type} amount must be greater than 0");
            }

            if (evt.Type == MemberEventTypes.Purchase && evt.Amount > PurchasePolicy.MaxPurchaseAmount && string.IsNullOrWhiteSpace(evt.Currency))
            {
                return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture, $"purchase amount must not exceed {PurchasePolicy.MaxPurchaseAmount:0}"));
            }
        }

        // Defends the money rules of the validator (CONTRACT.md §1) for callers that skip it.
        return Money.Check(evt, options) is { } money ? (EventStatus.Rejected, money) : null;
    }

    private static (EventStatus Status, string Reason)? CheckDuplicate(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now)
    {
        // A resent refund still waiting for its purchase is still held, not applied: it is answered as its first send was
        // ("duplicate" says applied, and a POS would believe the refund went through). Only the same refund: another event
        // under a held refund's id (a purchase, another order, amount, currency or store) is a reuse, refused.
        if (HeldOf(state, evt.EventId) is { } held)
        {
            return EventIdWindow.Fingerprint(evt, options) == EventIdWindow.Fingerprint(held.ToEvent(), options)
                ? (EventStatus.Held, RefundPolicy.HeldReason(held.OrderId, held.HeldAt, options))
                : (EventStatus.Rejected, ReusedReason(evt.EventId));
        }

        // The same eventId with another event (another type, order, amount, currency or store) is not a resend: refused
        // (the poison queue; rejected over HTTP) rather than dropped as "already applied". Unknown (0): taken for a repeat.
        if (EventIdWindow.Find(state, evt.EventId, now) is { } known and not 0 && known != EventIdWindow.Fingerprint(evt, options))
        {
            return (EventStatus.Rejected, ReusedReason(evt.EventId));
        }

        // The order's own records first, so a retried purchase or refund is named by its order; an order the count cap
        // took out of the full list is still kept as a summary until the end of its retention (CONTRACT.md §1: 400 days).
        if (evt.Type is MemberEventTypes.Purchase or MemberEventTypes.Refund)
        {
            var order = OrderBook.Find(state, evt.OrderId);
            var summary = order is null ? OrderBook.FindSummary(state, evt.OrderId) : null;
            if (evt.Type == MemberEventTypes.Purchase && (order is not null || summary is not null))
            {
                return (EventStatus.Duplicate, $"purchase of order {evt.OrderId} was already applied");
            }

            if (evt.Type == MemberEventTypes.Refund
                && OrderIds.Contains(order?.RefundEventIds ?? summary?.RefundEventIds, evt.EventId))
            {
                return (EventStatus.Duplicate, $"refund {evt.EventId} on order {evt.OrderId} was already applied");
            }
        }

        if (state.RecentEventIds.Contains(evt.EventId) // List<string>.Contains: ordinal, no enumerator allocated
            || EventIdWindow.Contains(state, evt.EventId, now)
            // A capped behaviour that earned is remembered on its growth record (CapDaysKept days) even when heavy traffic
            // pushed its id out of the bounded id window: a replay must not earn twice.
            || (evt.Type is MemberEventTypes.Share or MemberEventTypes.Review or MemberEventTypes.Login && GrowthPolicy.HasRecord(state, evt.EventId)))
        {
            return (EventStatus.Duplicate, $"event {evt.EventId} was already applied");
        }

        return null;
    }

    /// <summary>What an eventId reused for another event is told; names <c>eventId</c>, the field to fix.</summary>
    internal static string ReusedReason(string eventId) =>
        $"eventId: reused with a different event: {eventId} was applied to another event (its type, orderId, amount, currency, storeId or properties differ); give each event its own eventId";

    private static HeldRefund? HeldOf(MemberState state, string eventId)
    {
        foreach (var held in state.HeldRefunds)
        {
            if (string.Equals(held.EventId, eventId, StringComparison.Ordinal))
            {
                return held;
            }
        }

        return null;
    }

    private static (EventStatus, string?) ApplyRegister(MemberState state, MemberEvent evt)
    {
        if (!state.HasRegistered)
        {
            state.RegisteredAt = evt.OccurredAt;
            state.HasRegistered = true;
        }

        return (EventStatus.Applied, null);
    }

    private static (EventStatus, string?) ApplyBehaviourGrowth(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        var before = work.Entries.Count;
        var note = GrowthPolicy.ApplyBehaviour(state, evt, options, now, work.Entries);
        if (work.Entries.Count > before)
        {
            long added = 0;
            for (var i = before; i < work.Entries.Count; i++)
            {
                added += work.Entries[i].Kind == LedgerKinds.Growth ? work.Entries[i].Delta : 0;
            }

            TierPolicy.AfterGrowthGain(state, options, now, new EventKey(evt.OccurredAt, evt.EventId), evt.EventId, work.Entries, work.TierChanges, work.Granted, added);

            // Growth that occurred before purchases already applied may change the tier they were made at.
            EarningPolicy.CorrectOrdersAfter(
                state, options, now, new EventKey(evt.OccurredAt, evt.EventId), new CorrectionCause(evt.EventId, evt.Type, evt.OccurredAt), evt.EventId, work.Entries);
        }

        return (EventStatus.Applied, note);
    }

    /// <summary>What every applied event records on the profile, and the activity signal for the lifecycle.</summary>
    internal static void Stamp(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now)
    {
        state.FirstSeenAt = Min(state.FirstSeenAt, evt.OccurredAt);
        if (!state.HasRegistered)
        {
            state.RegisteredAt = state.FirstSeenAt;
        }

        // The region of the latest event, not of the latest to arrive: an offline upload of an older event in the
        // member's former region would move it back there (and every region gauge with it; CONTRACT.md §1.1, §5).
        if (!string.IsNullOrWhiteSpace(evt.RegionId)
            && (state.RegionId is null || evt.OccurredAt >= (state.RegionAt ?? state.LastActivityAt ?? DateTimeOffset.MinValue)))
        {
            state.RegionId = evt.RegionId;
            state.RegionAt = evt.OccurredAt;
        }

        if (MemberEventTypes.Behaviour.Contains(evt.Type))
        {
            state.Behaviour[evt.Type] = state.Behaviour.GetValueOrDefault(evt.Type) + 1;
        }

        if (evt.Type != MemberEventTypes.Complaint)
        {
            state.LastActivityAt = Max(state.LastActivityAt, evt.OccurredAt);
            LifecyclePolicy.OnActivity(state, evt.OccurredAt, now, options);
        }
    }

    internal static void CatchUp(MemberState state, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        TierPolicy.EnsurePlaced(state, options, now);
        work.Entries.AddRange(PointsWallet.ExpireDue(state, now));
        TierPolicy.Reassess(state, options, now, work.Entries, work.TierChanges, work.Granted);
    }

    internal static void Tidy(MemberState state, ProgramOptions options, DateTimeOffset now, RuleChanges work)
    {
        // A purchase can arrive with a lot already past its expiry (a late event under a short lifetime).
        work.Entries.AddRange(PointsWallet.ExpireDue(state, now));
        OrderBook.Prune(state, options, now, keepInFull: work.NewOrderId);
        EventIdWindow.Prune(state, options, now);
        GrowthPolicy.Prune(state, options, now);
        LedgerBook.Trim(state, options.LedgerEntriesKept);
    }

    private static EventDecision Decide(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventStatus status, string? reason, RuleChanges work, bool stateChanged) =>
        new()
        {
            Status = status,
            Reason = reason,
            NewEntries = RuleChanges.Out(work.Entries),
            TierChanges = RuleChanges.Out(work.TierChanges),
            BenefitsGranted = RuleChanges.Out(work.Granted),
            AppliedHeldRefunds = RuleChanges.Out(work.AppliedHeld),
            RejectedHeldRefunds = RuleChanges.Out(work.RejectedHeld),
            StateChanged = stateChanged,
            Tier = TierPolicy.Current(state, options),
            PointsBalance = PointsWallet.Balance(state),
            GrowthValue = GrowthPolicy.TrailingGrowth(state, options, now),
        };

    private static string? Notes(IReadOnlyList<string> notes) => notes.Count == 0 ? null : string.Join("; ", notes);

    private static void Remember(List<string> ids, string id, int keep)
    {
        ids.Add(id);
        TrimFront(ids, keep);
    }

    internal static void TrimFront<T>(List<T> list, int keep)
    {
        var excess = list.Count - Math.Max(0, keep);
        if (excess > 0)
        {
            list.RemoveRange(0, excess);
        }
    }

    internal static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x <= b ? x : b;

    internal static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x >= b ? x : b;
}
