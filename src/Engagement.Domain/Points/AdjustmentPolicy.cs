using System.Globalization;
using Engagement.Domain.Growth;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Offers;
using Engagement.Domain.Orders;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Points;

/// <summary>
/// Manual points and growth adjustments by staff (CONTRACT.md §4, <c>POST /members/{id}/adjustments</c>): who may
/// make one, and what it does to the member. Idempotent by adjustment id; each applied one writes one ledger entry
/// with rule <c>points.adjustment</c> or <c>growth.adjustment</c> and the stated reason.
/// </summary>
public static class AdjustmentPolicy
{
    public const string PointsRule = "points.adjustment";
    public const string GrowthRule = "growth.adjustment";
    public const string PointsKind = LedgerKinds.Points;
    public const string GrowthKind = LedgerKinds.Growth;

    /// <summary>Longest reason kept, in characters.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>
    /// The reason as the engine keeps it, from the one place a typed reason enters (the API's and the console's
    /// adjustment service): trimmed, and every coupon code in it, in whatever form it was typed, shown as "…" and its last
    /// 4 characters (<see cref="CouponCodes.Mask"/>). Every copy (the ledger entry support and the member read, the
    /// archive, the answer, the audit row) then holds the masked text, never a code worth its value at a till.
    /// </summary>
    public static string KeptReason(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        return CouponCodes.Mask(typed.Trim());
    }

    /// <summary>Largest |delta| anyone may apply in one adjustment (points or growth).</summary>
    public const long MaxDelta = 1_000_000;

    /// <summary>
    /// Most growth adjustments kept with their instant (state stays bounded); beyond it the oldest fold into the day
    /// bucket of their member-local day, where they count from the start of that day.
    /// </summary>
    public const int MaxAdjustmentRecords = 32;

    /// <summary>
    /// The start of every adjustment's event id (<see cref="EventIdOf"/>), which is also the id of a positive points
    /// adjustment's lot among the member's orders. Reserved: a purchase or refund orderId may not start with it
    /// (<see cref="Orders.OrderBook.IsReservedOrderId"/>; the wire validator holds the same prefix).
    /// </summary>
    public const string EventIdPrefix = "adjustment|";

    /// <summary>The id under which an adjustment is remembered and written on its ledger entry.</summary>
    public static string EventIdOf(string adjustmentId) => EventIdPrefix + adjustmentId;

    /// <summary>
    /// The start of the adjustment id the engine gives a catalogue redemption's points back under
    /// (<c>redemption-undo:{redemptionId}</c>, once however often it is asked). Reserved: a staff adjustment may not
    /// use it, so the member's ledger can tell the engine's give-back from an adjustment by staff.
    /// </summary>
    public const string RedemptionUndoPrefix = "redemption-undo:";

    /// <summary>True when <paramref name="adjustmentId"/> is one the engine gives itself (<see cref="RedemptionUndoPrefix"/>).</summary>
    public static bool IsEngineAdjustment(string? adjustmentId) =>
        adjustmentId is not null && adjustmentId.StartsWith(RedemptionUndoPrefix, StringComparison.Ordinal);

    /// <summary>
    /// True when <paramref name="eventId"/> (a ledger entry's) is that of the engine's give-back of a redemption
    /// (<see cref="EventIdOf"/> a <see cref="RedemptionUndoPrefix"/> id): the redemption undone, not an adjustment, for the
    /// points economy (CONTRACT.md §5).
    /// </summary>
    public static bool IsRedemptionUndo(string? eventId) =>
        eventId is not null && eventId.StartsWith(EventIdPrefix + RedemptionUndoPrefix, StringComparison.Ordinal);

    /// <summary>The adjustment with its kind and delta, remembered beside its id: a repeat is a replay only when they match.</summary>
    private static string SignatureOf(string adjustmentId, string kind, long delta) =>
        string.Create(CultureInfo.InvariantCulture, $"adjustment-as|{adjustmentId}|{kind}|{delta}");

    /// <summary>
    /// The kind and delta the adjustment <paramref name="eventId"/> was applied with: from its ledger entry while the
    /// member keeps it, else from what it left (the engine's give-back: its redemption's record, whose points are the whole
    /// delta; a positive points lot, a growth record); null when none is kept.
    /// </summary>
    private static (string Kind, long Delta)? FirstApplied(MemberState state, string eventId)
    {
        if (state.Ledger.Find(e => e.EventId == eventId && e.RuleId is PointsRule or GrowthRule) is { } entry)
        {
            return (entry.Kind, entry.Delta);
        }

        // The engine's give-back before its lot: the lot under its id may hold only part of it (the rest went back to the
        // lots it was taken from, or to lots of its own under other ids), while the redemption's record holds the whole.
        if (UndoneRedemption(state, eventId) is { } undone)
        {
            return (PointsKind, undone.Points);
        }

        if (OrderBook.Find(state, eventId) is { } lot)
        {
            return (PointsKind, lot.Points);
        }

        if (OrderBook.FindSummary(state, eventId) is { } spent)
        {
            return (PointsKind, spent.Points);
        }

        return state.BehaviourRecords.Find(r => r.EventId == eventId && r.Type == GrowthPolicy.AdjustmentRecordType) is { } record
            ? (GrowthKind, record.Growth)
            : null;
    }

    /// <summary>
    /// Applies one adjustment at <paramref name="now"/>. Points: a positive delta adds a lot that expires like a
    /// purchase's (<see cref="ProgramOptions.PointsLifetimeMonths"/>) and earns no RFM, except the engine's undo of a
    /// catalogue redemption whose lots it kept, which gives each lot back what it gave (<see cref="RedemptionUndo"/>); a negative one takes from
    /// live lots, soonest to expire first, and is refused when the balance does not cover it. Growth: counted from the
    /// instant <paramref name="now"/> (on its member-local day for the trailing window), refused when trailing growth would fall below zero; the tier is
    /// reassessed at once. A repeat of an applied id returns its first outcome (<c>replayed</c>); the same id with a
    /// different kind or delta is a <c>conflict</c>. An id is remembered at least 30 days, and as long as its lot or
    /// growth record is kept (the engine's give-back of a redemption: as long as the redemption's record is kept).
    /// With <paramref name="deskLimit"/> (support's adjustment) the day's support total is checked and counted
    /// (<see cref="SupportDeskLimit"/>): beyond it, <c>over_desk_limit</c> and nothing changes; a replay is answered before
    /// it and never counts again. <paramref name="by"/> (who sends it) is kept as the maker of an applied adjustment
    /// (<see cref="AdjustmentActors"/>); a replay's <see cref="AdjustmentDecision.MadeBy"/> is the original maker, not
    /// <paramref name="by"/> (null when not kept).
    /// </summary>
    public static AdjustmentDecision Apply(
        MemberState state, string adjustmentId, string kind, long delta, string reason, ProgramOptions options, DateTimeOffset now, long? deskLimit = null,
        AdjustmentActor? by = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        var eventId = EventIdOf(adjustmentId);
        if (WasApplied(state, eventId, now))
        {
            // What it was applied with: remembered with its id; else read from what it left (adjustments remembered before
            // that); unknown is a conflict, never a replay of a change that may not have happened.
            var same = EventIdWindow.Contains(state, SignatureOf(adjustmentId, kind, delta), now)
                || (FirstApplied(state, eventId) is { } first && first.Kind == kind && first.Delta == delta);
            return new AdjustmentDecision
            {
                Status = same ? AdjustmentStatuses.Replayed : AdjustmentStatuses.Conflict,
                BalanceAfter = Balance(state, kind, options, now),
                Detail = same ? "already applied" : $"adjustment {adjustmentId} was applied with another kind or delta",
                MadeBy = same ? AdjustmentActors.Of(state, adjustmentId) : null,
            };
        }

        // Support's day total per member and kind; a replay was answered above, so it never counts twice.
        if (deskLimit is { } limit && SupportDeskLimit.Exceeds(state, kind, delta, limit, options, now) is { } over)
        {
            return new AdjustmentDecision
            {
                Status = AdjustmentStatuses.OverDeskLimit,
                BalanceAfter = Balance(state, kind, options, now),
                Detail = over,
                DeskDay = SupportDeskLimit.DayOf(options, now),
                DeskTimeZone = options.DefaultTimeZone,
                DeskUsed = SupportDeskLimit.Used(state, kind, options, now),
            };
        }

        // Lots past their expiry go first, as for any event or redemption (CONTRACT.md §1.1: reads are as of now): the
        // balance checked and the lots taken are the live ones, not those a tick has not removed yet.
        var entries = new List<LedgerEntry>(PointsWallet.ExpireDue(state, now));
        var text = string.Create(CultureInfo.InvariantCulture, $"manual adjustment {delta:+#;-#;0}: {reason}");
        var lots = ""; // a points spend's lots (LotNames.Taken), on its ledger entry
        if (kind == PointsKind)
        {
            var balance = PointsWallet.Balance(state);
            if (delta < 0 && balance + delta < 0)
            {
                return Refused(state, kind, options, now, string.Create(CultureInfo.InvariantCulture, $"balance is {balance} points; cannot take {-delta}"), entries);
            }

            if (delta > 0 && IsEngineAdjustment(adjustmentId) && UndoneRedemption(state, eventId, undone: false) is { } record && record.Points == delta)
            {
                record.Undone = true; // a retry is a replay while the record is kept (WasApplied), whatever lots are left
            }

            if (delta > 0 && IsEngineAdjustment(adjustmentId) && RedemptionUndo.Restore(state, adjustmentId, delta, options, now) is { } back)
            {
                text += back; // each point back to the lot it was taken from (RedemptionUndo)
            }
            else if (delta > 0)
            {
                var lot = new OrderRecord { OrderId = eventId, At = now, Amount = 0m, Points = delta, ExpiresAt = PointsWallet.ExpiryOf(state, options, now) };
                state.Orders.Add(lot);
                GrowthPolicy.Added(state, options, lot.At, lot.NetGrowth, orders: 1);
                PointsWallet.AddLot(state, lot);
            }
            else
            {
                // Taken like a redemption, and named like one (LotNames) on the ledger entry only: the answer keeps the text.
                var taken = new List<(OrderRecord Lot, long Points)>();
                PointsWallet.Spend(state, -delta, taken);
                lots = LotNames.Taken(taken);
            }

            LedgerBook.Append(state, entries, now, LedgerKinds.Points, delta, PointsWallet.Balance(state), text + lots, PointsRule, eventId);
        }
        else if (kind == GrowthKind)
        {
            var growth = GrowthPolicy.TrailingGrowth(state, options, now);
            if (growth + delta < 0)
            {
                return Refused(state, kind, options, now, string.Create(CultureInfo.InvariantCulture, $"growth is {growth}; cannot take {-delta}"), entries);
            }

            // Kept with its instant (CONTRACT.md §1.1): a purchase earlier the same day, uploaded late, earns at the tier before it.
            GrowthPolicy.FoldOldestAdjustmentsOver(state, options, MaxAdjustmentRecords - 1);
            state.BehaviourRecords.Add(new BehaviourRecord { EventId = eventId, Type = GrowthPolicy.AdjustmentRecordType, At = now, Growth = delta });
            GrowthPolicy.Added(state, options, now, delta, records: 1);
            LedgerBook.Append(state, entries, now, LedgerKinds.Growth, delta, GrowthPolicy.TrailingGrowth(state, options, now), text, GrowthRule, eventId);
            entries.AddRange(TierPolicy.Reassess(state, options, now).NewEntries);
        }
        else
        {
            return Refused(state, PointsKind, options, now, "kind must be points or growth", entries);
        }

        state.RecentEventIds.Add(eventId);
        EventIdWindow.Remember(state, eventId, options, now);
        EventIdWindow.Remember(state, SignatureOf(adjustmentId, kind, delta), options, now);
        var excess = state.RecentEventIds.Count - Math.Max(1, options.RecentEventIdsKept);
        if (excess > 0)
        {
            state.RecentEventIds.RemoveRange(0, excess);
        }

        LedgerBook.Trim(state, options.LedgerEntriesKept);
        if (deskLimit is not null)
        {
            SupportDeskLimit.Count(state, kind, delta, options, now);
        }

        if (by is not null)
        {
            AdjustmentActors.Remember(state, adjustmentId, by, now);
        }

        return new AdjustmentDecision
        {
            Status = AdjustmentStatuses.Applied,
            BalanceAfter = Balance(state, kind, options, now),
            Detail = text,
            NewEntries = entries,
            MadeBy = by,
        };
    }

    /// <summary>
    /// True when the adjustment was applied before: its id is among the readable recent ids (the newest
    /// <see cref="ProgramOptions.RecentEventIdsKept"/>) or the 30-day id window, or its points lot (in full or as a summary,
    /// <see cref="OrderBook.IsKept"/>) or growth record is kept, or it is the engine's give-back of a redemption whose
    /// record is marked <see cref="RedemptionRecord.Undone"/>.
    /// </summary>
    private static bool WasApplied(MemberState state, string eventId, DateTimeOffset now) =>
        state.RecentEventIds.Contains(eventId)
        || EventIdWindow.Contains(state, eventId, now)
        || OrderBook.IsKept(state, eventId)
        || state.BehaviourRecords.Exists(r => string.Equals(r.EventId, eventId, StringComparison.Ordinal))
        || UndoneRedemption(state, eventId) is not null;

    /// <summary>
    /// The accepted redemption the engine's give-back <paramref name="eventId"/> (<see cref="IsRedemptionUndo"/>) names,
    /// when its <see cref="RedemptionRecord.Undone"/> is <paramref name="undone"/>; null for any other id or record.
    /// </summary>
    private static RedemptionRecord? UndoneRedemption(MemberState state, string eventId, bool undone = true)
    {
        if (!IsRedemptionUndo(eventId))
        {
            return null;
        }

        var redemptionId = eventId[(EventIdPrefix.Length + RedemptionUndoPrefix.Length)..];
        var key = KeptIds.Key(redemptionId); // hashed once, not once a record
        return state.Redemptions.Find(r => r.Status == RedemptionStatuses.Accepted && r.Undone == undone
            && KeptIds.Matches(r.RedemptionId, redemptionId, key)); // kept by KeptIds: the id as sent matches its key
    }

    private static long Balance(MemberState state, string kind, ProgramOptions options, DateTimeOffset now) =>
        kind == GrowthKind ? GrowthPolicy.TrailingGrowth(state, options, now) : PointsWallet.Balance(state);

    /// <summary>A refusal; <paramref name="expired"/> are the expiries it wrote first, which must still be stored.</summary>
    private static AdjustmentDecision Refused(MemberState state, string kind, ProgramOptions options, DateTimeOffset now, string detail, List<LedgerEntry> expired) =>
        new() { Status = AdjustmentStatuses.Refused, BalanceAfter = Balance(state, kind, options, now), Detail = detail, NewEntries = expired };
}

/// <summary>Outcomes of <see cref="AdjustmentPolicy.Apply"/>.</summary>
public static class AdjustmentStatuses
{
    public const string Applied = "applied";
    public const string Replayed = "replayed";

    /// <summary>Would take the balance or growth below zero (or an unknown kind).</summary>
    public const string Refused = "refused";

    /// <summary>The id was used before for another kind or delta.</summary>
    public const string Conflict = "conflict";

    /// <summary>Support's adjustments to the member that programme-local day would pass its daily limit (<see cref="SupportDeskLimit"/>); an admin can make it.</summary>
    public const string OverDeskLimit = "over_desk_limit";
}

/// <summary>What one adjustment did: status, the points balance or trailing growth after it, and new ledger entries to archive.</summary>
public sealed record AdjustmentDecision
{
    public required string Status { get; init; }

    public long BalanceAfter { get; init; }

    public string Detail { get; init; } = "";

    public IReadOnlyList<LedgerEntry> NewEntries { get; init; } = [];

    /// <summary>
    /// Who made the adjustment: applied, its sender; replayed, the original maker as kept (<see cref="AdjustmentActors"/>),
    /// null when not kept (older than 30 days or 32 newer adjustments, or made before makers were kept); otherwise null.
    /// </summary>
    public AdjustmentActor? MadeBy { get; init; }

    /// <summary>
    /// <see cref="AdjustmentStatuses.OverDeskLimit"/> only: the programme-local date support's day total is kept under
    /// (<see cref="SupportDeskLimit.DayOf"/>); null otherwise.
    /// </summary>
    public DateOnly? DeskDay { get; init; }

    /// <summary><see cref="AdjustmentStatuses.OverDeskLimit"/> only: the IANA zone of <see cref="DeskDay"/> (<see cref="ProgramOptions.DefaultTimeZone"/>); null otherwise.</summary>
    public string? DeskTimeZone { get; init; }

    /// <summary>
    /// <see cref="AdjustmentStatuses.OverDeskLimit"/> only: what support already adjusted of the kind on the member that
    /// day (sum of |delta|, points or growth value; <see cref="SupportDeskLimit.Used"/>); null otherwise.
    /// </summary>
    public long? DeskUsed { get; init; }
}
