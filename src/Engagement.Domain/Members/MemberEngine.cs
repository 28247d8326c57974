using System.Globalization;
using Engagement.Domain.Benefits;
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
    /// <summary>Purchases above this are refused (CONTRACT.md §1).</summary>
    public const decimal MaxPurchaseAmount = 10_000_000m;

    public static EventDecision Apply(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(options);

        var early = CheckShape(evt) ?? CheckDuplicate(state, evt);
        if (early is not null)
        {
            return Decide(state, options, now, early.Value.Status, early.Value.Reason, new Work(), stateChanged: false);
        }

        var work = new Work();
        CatchUp(state, options, now, work);

        var (status, reason) = evt.Type switch
        {
            MemberEventTypes.Purchase => ApplyPurchase(state, evt, options, now, work),
            MemberEventTypes.Refund => ApplyRefundOrHold(state, evt, options, now, work),
            MemberEventTypes.Register => ApplyRegister(state, evt),
            MemberEventTypes.ProfileUpdate => (EventStatus.Applied, Notes(ProfilePolicy.Apply(state, evt.Properties, options))),
            MemberEventTypes.Share or MemberEventTypes.Review or MemberEventTypes.Login => ApplyBehaviourGrowth(state, evt, options, now, work),
            _ => (EventStatus.Applied, (string?)null),
        };

        if (status == EventStatus.Applied)
        {
            Stamp(state, evt, now);
            if (evt.Type is not (MemberEventTypes.Purchase or MemberEventTypes.Refund))
            {
                Remember(state.RecentEventIds, evt.EventId, options.RecentEventIdsKept);
            }
        }

        Tidy(state, options, now, work);
        return Decide(state, options, now, status, reason, work, stateChanged: true);
    }

    public static RedemptionDecision Redeem(
        MemberState state, string redemptionId, long points, decimal? cashAmount, string? rewardId, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);

        if (string.IsNullOrWhiteSpace(redemptionId))
        {
            return Refused(state, RedemptionStatuses.Invalid, "redemptionId is required", points, cashAmount, options);
        }

        var previous = state.Redemptions.Find(r => string.Equals(r.RedemptionId, redemptionId, StringComparison.Ordinal));
        if (previous is not null)
        {
            if (previous.Points != points || previous.CashAmount != cashAmount)
            {
                return Refused(state, RedemptionStatuses.Invalid,
                    $"redemptionId {redemptionId} was already used for a different request", points, cashAmount, options);
            }

            return new RedemptionDecision
            {
                Status = previous.Status,
                Replayed = true,
                PointsBalance = PointsWallet.Balance(state),
                PointsValue = previous.PointsValue,
                CashAmount = previous.CashAmount,
                Detail = previous.Detail,
            };
        }

        if (points <= 0)
        {
            return Refused(state, RedemptionStatuses.Invalid, "points must be greater than 0", points, cashAmount, options);
        }

        if (cashAmount < 0)
        {
            return Refused(state, RedemptionStatuses.Invalid, "cashAmount must not be negative", points, cashAmount, options);
        }

        var work = new Work();
        CatchUp(state, options, now, work);

        var balance = PointsWallet.Balance(state);
        var value = ValueOf(points, options);
        string status;
        string detail;
        if (balance < 0)
        {
            status = RedemptionStatuses.NegativeBalance;
            detail = string.Create(CultureInfo.InvariantCulture, $"balance is {balance} points after a refund; redemption is refused until it is positive");
        }
        else if (balance < points)
        {
            status = RedemptionStatuses.InsufficientPoints;
            detail = string.Create(CultureInfo.InvariantCulture, $"{points} points asked, {balance} available");
        }
        else
        {
            PointsWallet.Spend(state, points);
            status = RedemptionStatuses.Accepted;
            detail = RedemptionReason(redemptionId, points, value, cashAmount, rewardId);
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, -points, PointsWallet.Balance(state), detail, RuleIds.PointsRedeem, redemptionId);
        }

        state.Redemptions.Add(new RedemptionRecord
        {
            RedemptionId = redemptionId,
            Status = status,
            Points = points,
            CashAmount = cashAmount,
            RewardId = rewardId,
            PointsValue = status == RedemptionStatuses.Accepted ? value : 0m,
            Detail = detail,
            At = now,
        });
        TrimFront(state.Redemptions, options.RecentRedemptionsKept);
        Tidy(state, options, now, work);

        return new RedemptionDecision
        {
            Status = status,
            PointsBalance = PointsWallet.Balance(state),
            PointsValue = status == RedemptionStatuses.Accepted ? value : 0m,
            CashAmount = cashAmount,
            Detail = detail,
            NewEntries = work.Entries,
            StateChanged = true,
        };
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
            TierSince = state.TierSince,
            TierGraceUntil = TierPolicy.GraceUntil(state, options),
            GrowthValue = GrowthPolicy.TrailingGrowth(state, options, now),
            PointsBalance = balance,
            PointsValue = balance > 0 ? ValueOf(balance, options) : 0m,
            PointsLots = PointsWallet.Lots(state),
            LastActivityAt = state.LastActivityAt,
            RegisteredAt = state.RegisteredAt,
            Rfm = RfmScorer.Score(state, options, now),
            RegionId = state.RegionId,
            Benefits = state.Benefits.ToList(),
            Behaviour = new Dictionary<string, long>(state.Behaviour, StringComparer.Ordinal),
            TimeZone = MemberTimeZones.TryFind(state.TimeZone) is not null ? state.TimeZone! : options.DefaultTimeZone,
            Consent = new Dictionary<string, bool>(state.Consent, StringComparer.Ordinal),
            Tags = state.Tags.ToList(),
            Birthday = state.Birthday,
            Phone = state.Phone,
            HeldRefunds = state.HeldRefunds.Count,
        };
    }

    /// <summary>Removes and returns the refunds that waited longer than <see cref="ProgramOptions.HeldRefundTimeout"/> for their purchase.</summary>
    public static IReadOnlyList<HeldRefund> ReleaseExpiredHeldRefunds(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var expired = state.HeldRefunds.Where(h => now - h.HeldAt >= options.HeldRefundTimeout).ToList();
        state.HeldRefunds.RemoveAll(expired.Contains);
        return expired;
    }

    /// <summary>
    /// The periodic work (from the grain's reminder): expire due lots, reassess the tier, release held
    /// refunds past their timeout, and prune. Lifecycle and touches have their own tick.
    /// </summary>
    public static TickDecision Tick(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        var work = new Work();
        CatchUp(state, options, now, work);
        var expired = ReleaseExpiredHeldRefunds(state, options, now);
        Tidy(state, options, now, work);
        return new TickDecision
        {
            NewEntries = work.Entries,
            TierChanges = work.TierChanges,
            BenefitsGranted = work.Granted,
            ExpiredHeldRefunds = expired,
        };
    }

    private static (EventStatus Status, string Reason)? CheckShape(MemberEvent evt)
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

            if (evt.Amount is not > 0m)
            {
                return (EventStatus.Rejected, $"{evt.Type} amount must be greater than 0");
            }

            if (evt.Type == MemberEventTypes.Purchase && evt.Amount > MaxPurchaseAmount)
            {
                return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture, $"purchase amount must not exceed {MaxPurchaseAmount:0}"));
            }
        }

        return null;
    }

    private static (EventStatus Status, string Reason)? CheckDuplicate(MemberState state, MemberEvent evt)
    {
        if (state.RecentEventIds.Contains(evt.EventId, StringComparer.Ordinal)
            || state.HeldRefunds.Exists(h => string.Equals(h.EventId, evt.EventId, StringComparison.Ordinal)))
        {
            return (EventStatus.Duplicate, $"event {evt.EventId} was already applied");
        }

        var order = OrderBook.Find(state, evt.OrderId);
        if (evt.Type == MemberEventTypes.Purchase && order is not null)
        {
            return (EventStatus.Duplicate, $"purchase of order {order.OrderId} was already applied");
        }

        if (evt.Type == MemberEventTypes.Refund && order?.RefundEventIds?.Contains(evt.EventId, StringComparer.Ordinal) == true)
        {
            return (EventStatus.Duplicate, $"refund {evt.EventId} on order {order.OrderId} was already applied");
        }

        return null;
    }

    private static (EventStatus, string?) ApplyPurchase(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        if (evt.OccurredAt < now.AddDays(-options.OrderRetentionDays))
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"purchase {evt.OrderId} occurred more than {options.OrderRetentionDays} days ago; too old to earn"));
        }

        var amount = evt.Amount!.Value;
        var tierBefore = TierPolicy.Current(state, options);
        var multiplier = options.Tiers[tierBefore].PointsMultiplier;
        var first = state.FirstPurchaseAt is null;
        var factor = first ? options.FirstPurchaseMultiplier : 1m;
        var points = (long)decimal.Floor(decimal.Floor(amount) * multiplier * factor);
        var order = new OrderRecord
        {
            OrderId = evt.OrderId!,
            At = evt.OccurredAt,
            Amount = amount,
            Points = points,
            ExpiresAt = evt.OccurredAt.AddMonths(options.PointsLifetimeMonths),
        };
        state.Orders.Add(order);
        PointsWallet.AddLot(state, order);
        state.FirstPurchaseAt = Min(state.FirstPurchaseAt, evt.OccurredAt);
        state.LastPurchaseAt = Max(state.LastPurchaseAt, evt.OccurredAt);

        var what = string.Create(CultureInfo.InvariantCulture, $"purchase {order.OrderId} of {amount:0.00} CNY");
        if (points > 0)
        {
            var how = string.Create(CultureInfo.InvariantCulture, $"{what} at {tierBefore} ×{multiplier:0.0#}{(first ? $", first purchase ×{factor:0.##}" : "")}");
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, points, PointsWallet.Balance(state), how,
                first ? RuleIds.PointsEarnFirstPurchaseDouble : RuleIds.PointsEarn, evt.EventId);
        }

        var growth = (long)decimal.Floor(amount);
        if (growth > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, growth, GrowthPolicy.TrailingGrowth(state, options, now), what,
                RuleIds.GrowthPurchase, evt.EventId);
            TierPolicy.AfterGrowthGain(state, options, now, evt.EventId, work.Entries, work.TierChanges, work.Granted);
        }

        ApplyHeldRefunds(state, order.OrderId, options, now, work);
        return (EventStatus.Applied, null);
    }

    /// <summary>Refunds that arrived before this purchase are applied right after it, oldest first.</summary>
    private static void ApplyHeldRefunds(MemberState state, string orderId, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var held = state.HeldRefunds
            .Where(h => string.Equals(h.OrderId, orderId, StringComparison.Ordinal))
            .OrderBy(h => h.OccurredAt)
            .ToList();
        foreach (var refund in held)
        {
            state.HeldRefunds.Remove(refund);
            var evt = refund.ToEvent();
            var (status, reason) = ApplyRefund(state, OrderBook.Find(state, orderId)!, evt, options, now, work);
            if (status == EventStatus.Applied)
            {
                Stamp(state, evt, now);
                work.AppliedHeld.Add(refund.EventId);
            }
            else
            {
                work.RejectedHeld.Add(new RejectedHeldRefund(refund, reason ?? "refused"));
            }
        }
    }

    private static (EventStatus, string?) ApplyRefundOrHold(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var order = OrderBook.Find(state, evt.OrderId);
        if (order is not null)
        {
            return ApplyRefund(state, order, evt, options, now, work);
        }

        if (state.HeldRefunds.Count >= options.MaxHeldRefunds)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"order {evt.OrderId} is unknown and {options.MaxHeldRefunds} refunds already wait for their purchase"));
        }

        state.HeldRefunds.Add(new HeldRefund
        {
            EventId = evt.EventId,
            OrderId = evt.OrderId!,
            Amount = evt.Amount!.Value,
            OccurredAt = evt.OccurredAt,
            HeldAt = now,
            RegionId = evt.RegionId,
            StoreId = evt.StoreId,
            Channel = evt.Channel,
        });
        return (EventStatus.Held, string.Create(CultureInfo.InvariantCulture,
            $"purchase of order {evt.OrderId} not seen yet; refund held until {now + options.HeldRefundTimeout:yyyy-MM-dd'T'HH:mm:ssK}"));
    }

    private static (EventStatus, string?) ApplyRefund(MemberState state, OrderRecord order, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var amount = evt.Amount!.Value;
        if (amount <= 0m || amount > order.Unrefunded)
        {
            return (EventStatus.Rejected, string.Create(CultureInfo.InvariantCulture,
                $"refund of {amount:0.00} CNY exceeds the {order.Unrefunded:0.00} CNY left unrefunded on order {order.OrderId} ({order.Amount:0.00} CNY)"));
        }

        var growthBefore = GrowthPolicy.TrailingGrowth(state, options, now);
        var refunded = order.Refunded + amount;

        // Reverse on the cumulative refund, minus what earlier refunds reversed, so two halves reverse exactly the whole.
        var pointsTarget = (long)decimal.Floor(refunded * order.Points / order.Amount);
        var pointsDelta = pointsTarget - order.PointsReversed;
        var growthDelta = (long)decimal.Floor(refunded) - (long)decimal.Floor(order.Refunded);
        order.Refunded = refunded;
        order.PointsReversed = pointsTarget;
        (order.RefundEventIds ??= []).Add(evt.EventId);
        PointsWallet.Reverse(state, order, pointsDelta);

        var what = string.Create(CultureInfo.InvariantCulture, $"refund of {amount:0.00} CNY on order {order.OrderId} ({order.Amount:0.00} CNY)");
        if (pointsDelta > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, -pointsDelta, PointsWallet.Balance(state), what, RuleIds.PointsRefund, evt.EventId);
        }

        if (growthDelta > 0)
        {
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Growth, -growthDelta, GrowthPolicy.TrailingGrowth(state, options, now), what, RuleIds.GrowthRefund, evt.EventId);
        }

        TierPolicy.AfterRefund(state, options, now, growthBefore, order.OrderId, evt.EventId, work.Entries, work.TierChanges, work.Granted);
        return (EventStatus.Applied, null);
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

    private static (EventStatus, string?) ApplyBehaviourGrowth(MemberState state, MemberEvent evt, ProgramOptions options, DateTimeOffset now, Work work)
    {
        var before = work.Entries.Count;
        var note = GrowthPolicy.ApplyBehaviour(state, evt, options, now, work.Entries);
        if (work.Entries.Count > before)
        {
            TierPolicy.AfterGrowthGain(state, options, now, evt.EventId, work.Entries, work.TierChanges, work.Granted);
        }

        return (EventStatus.Applied, note);
    }

    /// <summary>What every applied event records on the profile, and the activity signal for the lifecycle.</summary>
    private static void Stamp(MemberState state, MemberEvent evt, DateTimeOffset now)
    {
        state.FirstSeenAt = Min(state.FirstSeenAt, evt.OccurredAt);
        if (!state.HasRegistered)
        {
            state.RegisteredAt = state.FirstSeenAt;
        }

        if (!string.IsNullOrWhiteSpace(evt.RegionId))
        {
            state.RegionId = evt.RegionId;
        }

        if (MemberEventTypes.Behaviour.Contains(evt.Type))
        {
            state.Behaviour[evt.Type] = state.Behaviour.GetValueOrDefault(evt.Type) + 1;
        }

        if (evt.Type != MemberEventTypes.Complaint)
        {
            state.LastActivityAt = Max(state.LastActivityAt, evt.OccurredAt);
            LifecyclePolicy.OnActivity(state, evt.OccurredAt, now);
        }
    }

    private static void CatchUp(MemberState state, ProgramOptions options, DateTimeOffset now, Work work)
    {
        TierPolicy.EnsurePlaced(state, options, now);
        work.Entries.AddRange(PointsWallet.ExpireDue(state, now));
        TierPolicy.Reassess(state, options, now, work.Entries, work.TierChanges, work.Granted);
    }

    private static void Tidy(MemberState state, ProgramOptions options, DateTimeOffset now, Work work)
    {
        // A purchase can arrive with a lot already past its expiry (a late event under a short lifetime).
        work.Entries.AddRange(PointsWallet.ExpireDue(state, now));
        OrderBook.Prune(state, options, now);
        GrowthPolicy.Prune(state, options, now);
        LedgerBook.Trim(state, options.LedgerEntriesKept);
    }

    private static EventDecision Decide(
        MemberState state, ProgramOptions options, DateTimeOffset now, EventStatus status, string? reason, Work work, bool stateChanged) =>
        new()
        {
            Status = status,
            Reason = reason,
            NewEntries = work.Entries,
            TierChanges = work.TierChanges,
            BenefitsGranted = work.Granted,
            AppliedHeldRefunds = work.AppliedHeld,
            RejectedHeldRefunds = work.RejectedHeld,
            StateChanged = stateChanged,
            Tier = TierPolicy.Current(state, options),
            PointsBalance = PointsWallet.Balance(state),
            GrowthValue = GrowthPolicy.TrailingGrowth(state, options, now),
        };

    private static RedemptionDecision Refused(MemberState state, string status, string detail, long points, decimal? cash, ProgramOptions options) =>
        new()
        {
            Status = status,
            PointsBalance = PointsWallet.Balance(state),
            PointsValue = 0m,
            CashAmount = cash,
            Detail = detail,
            StateChanged = false,
        };

    private static string RedemptionReason(string redemptionId, long points, decimal value, decimal? cash, string? rewardId)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"redemption {redemptionId} of {points} points ({value:0.00} CNY)");
        if (cash is > 0m)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" + {cash:0.00} CNY cash");
        }

        return rewardId is null ? text : $"{text} for reward {rewardId}";
    }

    /// <summary>Points at the configured value, cut (not rounded) to the cent so the programme never gives more than it promised.</summary>
    public static decimal ValueOf(long points, ProgramOptions options) =>
        decimal.Round(points * options.PointValue, 2, MidpointRounding.ToZero);

    private static string? Notes(IReadOnlyList<string> notes) => notes.Count == 0 ? null : string.Join("; ", notes);

    private static void Remember(List<string> ids, string id, int keep)
    {
        ids.Add(id);
        TrimFront(ids, keep);
    }

    private static void TrimFront<T>(List<T> list, int keep)
    {
        var excess = list.Count - Math.Max(0, keep);
        if (excess > 0)
        {
            list.RemoveRange(0, excess);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x <= b ? x : b;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x >= b ? x : b;

    /// <summary>What one call accumulates for its decision.</summary>
    private sealed class Work
    {
        public List<LedgerEntry> Entries { get; } = [];

        public List<TierChange> TierChanges { get; } = [];

        public List<GrantedBenefit> Granted { get; } = [];

        public List<string> AppliedHeld { get; } = [];

        public List<RejectedHeldRefund> RejectedHeld { get; } = [];
    }
}
