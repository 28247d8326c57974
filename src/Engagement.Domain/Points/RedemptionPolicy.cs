using System.Globalization;
using Engagement.Domain.Ledger;
using Engagement.Domain.Members;
using Engagement.Domain.Program;

namespace Engagement.Domain.Points;

/// <summary>Redemptions: spend points oldest lot first, idempotent by redemptionId (CONTRACT.md §2, §4).</summary>
public static class RedemptionPolicy
{
    /// <summary>
    /// The <see cref="Members.RedemptionDecision.Field"/> of an <c>invalid</c> refusal of a redemptionId already used for
    /// another reward, or one beside none, or whose record is no longer kept: the 409 names <c>redemptionId</c>, on
    /// <c>POST /members/{memberId}/redemptions</c> and on the catalogue redemption alike.
    /// </summary>
    public const string ReusedIdField = "redemptionId";

    /// <summary>
    /// Spends <paramref name="points"/> oldest lot first. <paramref name="pointValue"/> is the CNY per point in force at
    /// <paramref name="now"/> (the runtime value, <c>PUT /programme/point-value</c>); null, or outside the ±20% band
    /// around the anchor: the configured <see cref="ProgramOptions.PointValue"/>. It values the redemption, its ledger
    /// reason and its record. <paramref name="storeId"/> is the store whose unit a catalogue redemption took, or where a
    /// points redemption (no reward) was made, named in its ledger reason (null: no store). The same redemptionId with
    /// other points, cash, reward or store (null and a store differ) is refused, never replayed (CONTRACT.md §4:
    /// idempotent by redemptionId): a points redemption (no reward, then and now) as <c>redemption_id_reused</c> with
    /// <see cref="Members.RedemptionDecision.Field"/> and a detail naming what differs (points, cashAmount, store), except
    /// that a points redemption recorded without a store is replayed for any store; one naming a reward (then or now) as
    /// <c>invalid</c>.
    /// </summary>
    public static RedemptionDecision Redeem(
        MemberState state, string redemptionId, long points, decimal? cashAmount, string? rewardId, ProgramOptions options, DateTimeOffset now,
        decimal? pointValue = null, string? storeId = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);

        if (string.IsNullOrWhiteSpace(redemptionId))
        {
            return Refused(state, RedemptionStatuses.Invalid, "redemptionId is required", points, cashAmount, options);
        }

        var previous = Remembered(state, redemptionId);
        if (previous is not null)
        {
            // A points redemption (no reward) under an id already used for another points redemption (other points, other
            // cash, another store, or with or without one): the till's id reused with other content, its own refusal naming
            // what differs so the API can name the field (redemption_id_reused, as a coupon's is), never "invalid" (a till
            // cannot tell that from a malformed request). A points redemption recorded without a store (one made before
            // stores were kept, or sent without one) is replayed whatever store its retry names: answering 409 would tell
            // the till its points were not spent, and a till that then retries with a new id spends them twice.
            var storeMatches = KeptIds.SameOrBothAbsent(previous.StoreId, storeId)
                || (rewardId is null && previous.RewardId is null && previous.StoreId is null);
            if (rewardId is null && previous.RewardId is null && ReusedWithOther(previous, redemptionId, points, cashAmount, storeId, storeMatches) is { } reused)
            {
                return Refused(state, RedemptionStatuses.RedemptionIdReused, reused.Detail, points, cashAmount, options) with { Field = reused.Field };
            }

            if (previous.Points != points || !SameCash(previous.CashAmount, cashAmount)
                || !string.Equals(previous.RewardId, rewardId, StringComparison.Ordinal)
                || !storeMatches)
            {
                // Stores compare as given, null included (but for the store-less points record above): a store-less redemption (no unit taken) answered as the replay
                // of one at a store would let a stock counter take a unit per store for one payment.
                return Refused(state, RedemptionStatuses.Invalid,
                    $"redemptionId {redemptionId} was already used for a different request: {Described(previous.Points, previous.CashAmount, previous.RewardId, storeMatches && previous.StoreId is not null ? storeId : previous.StoreId)}, "
                    + $"not {Described(points, cashAmount, rewardId, storeId)}; send a new redemptionId for a new redemption (the first request again returns its answer)",
                    points, cashAmount, options) with { Field = ReusedIdField };
            }

            // The first answer's detail: stored by records of before, else rebuilt from the id as this retry sends it and
            // the record (its store as sent now: the same store, or none for a store-less points record replayed for any).
            return new RedemptionDecision
            {
                Status = previous.Status,
                Replayed = true,
                PointsBalance = PointsWallet.Balance(state),
                PointsValue = previous.PointsValue,
                CashAmount = previous.CashAmount,
                Detail = previous.Detail ?? (previous.Status == RedemptionStatuses.Accepted
                    ? RedemptionReason(redemptionId, previous.Points, previous.PointsValue, previous.CashAmount, previous.RewardId, previous.StoreId is null ? null : storeId)
                    : null),
            };
        }

        // An accepted redemption whose record was pushed out by newer ones is still in the 30-day id window: a points retry
        // changes nothing (its first points value is not known any more; it is shown at today's value).
        if (EventIdWindow.Contains(state, EventIdOf(redemptionId), now))
        {
            // Its reward, store and payment are not known any more: a catalogue redemption answered as a replay would take
            // a unit and pay nothing, so a reward redemption reusing the id is refused; a points one is a replay.
            if (rewardId is not null)
            {
                return Refused(state, RedemptionStatuses.Invalid,
                    $"redemptionId {redemptionId} was already used (its record is no longer kept); send a new redemptionId", points, cashAmount, options) with { Field = ReusedIdField };
            }

            return new RedemptionDecision
            {
                Status = RedemptionStatuses.Accepted,
                Replayed = true,
                PointsBalance = PointsWallet.Balance(state),
                PointsValue = ValueOf(points, pointValue is { } current && Offers.PointValueSchedule.Check(current) is null ? current : options.PointValue),
                CashAmount = cashAmount,
                Detail = $"redemption {redemptionId} was already applied",
            };
        }

        // A catalogue reward may offer a step paid in cash alone (points 0, docs/offers.md): it still takes a unit and is
        // remembered and written to the ledger (delta 0) like any redemption; without a reward, 0 points is no redemption.
        if (points < 0 || (points == 0 && (rewardId is null || cashAmount is not > 0m)))
        {
            return Refused(state, RedemptionStatuses.Invalid, "points must be greater than 0 (0 only for a catalogue reward paid in cash)", points, cashAmount, options);
        }

        if (cashAmount < 0)
        {
            return Refused(state, RedemptionStatuses.Invalid, "cashAmount must not be negative", points, cashAmount, options);
        }

        var work = new RuleChanges();
        MemberEngine.CatchUp(state, options, now, work);

        var balance = PointsWallet.Balance(state);
        var value = ValueOf(points, pointValue is { } runtime && Offers.PointValueSchedule.Check(runtime) is null ? runtime : options.PointValue);
        string status;
        string detail;
        List<(Orders.OrderRecord Lot, long Points)>? taken = null;
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
            // The lots it took from are kept: a catalogue redemption at a store may be undone by the engine (its unit lost),
            // and an earlier one's undo may move any redemption (LaterRedemptions).
            // Its ledger entry names the lots it took from (LotNames), so support sees why each lot shrank.
            taken = [];
            PointsWallet.Spend(state, points, taken);
            status = RedemptionStatuses.Accepted;
            detail = RedemptionReason(redemptionId, points, value, cashAmount, rewardId, storeId);
            LedgerBook.Append(state, work.Entries, now, LedgerKinds.Points, -points, PointsWallet.Balance(state), detail + LotNames.Taken(taken), RuleIds.PointsRedeem, redemptionId);
            EventIdWindow.Remember(state, EventIdOf(redemptionId), options, now);
        }

        // Only an accepted redemption is remembered: a refusal writes nothing (MemberDecider stores only a redemption that
        // wrote the ledger), so remembering it would put memory ahead of storage and answer its retry differently
        // before and after a restart. A refused request changed nothing; its retry is judged afresh.
        if (status == RedemptionStatuses.Accepted)
        {
            // Its ids as kept (KeptIds) and no detail (a retry rebuilds it): the record's size does not depend on what
            // characters the till's ids hold.
            state.Redemptions.Add(new RedemptionRecord
            {
                RedemptionId = KeptIds.Key(redemptionId),
                Status = status,
                Points = points,
                CashAmount = cashAmount,
                RewardId = rewardId,
                StoreId = KeptIds.KeyOrNull(storeId),
                PointsValue = value,
                // Only a catalogue redemption at a store can be undone (its unit lost); a points one never is, but keeps its
                // lots while one that may be undone came before it, so that undo can move it (RedemptionUndo.ForgetOldLots).
                Lots = taken is null ? null : RedemptionUndo.PartsOf(taken),
                At = now,
            });
            Forget(state.Redemptions, options.RecentRedemptionsKept);
            RedemptionUndo.ForgetOldLots(state.Redemptions);
        }
        MemberEngine.Tidy(state, options, now, work);

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

    /// <summary>
    /// Whether the member accepted redemption <paramref name="redemptionId"/> of reward <paramref name="rewardId"/> at
    /// store <paramref name="storeId"/>: its record (for that reward and that same store; a store-less record never
    /// confirms a store's unit, CONTRACT.md §4), else the 30-day
    /// id window (an accepted one whose record was pushed out; its reward is not known any more). False for a refused or
    /// unknown one. A stock counter settles a hold its redemption left unanswered by it (<c>RewardStock.StaleHolds</c>):
    /// an id the member accepted for another reward must not confirm this reward's unit.
    /// </summary>
    public static bool Accepted(MemberState state, string redemptionId, string? rewardId, string? storeId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var record = Remembered(state, redemptionId);
        return record is not null
            ? record.Status == RedemptionStatuses.Accepted && string.Equals(record.RewardId, rewardId, StringComparison.Ordinal)
                && KeptIds.SameOrBothAbsent(record.StoreId, storeId)
            : EventIdWindow.Contains(state, EventIdOf(redemptionId), now);
    }

    /// <summary>
    /// The record the member keeps for <paramref name="redemptionId"/> as a request sends it, or null: matched by the
    /// kept-id rule (<see cref="KeptIds.Same"/>), so a record keeping the id's key, or one stored before keys were kept
    /// (the id as sent), is found by the id as sent.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or <paramref name="redemptionId"/> is null.</exception>
    public static RedemptionRecord? Remembered(MemberState state, string redemptionId)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = KeptIds.Key(redemptionId); // hashed once, not once a record
        return state.Redemptions.Find(r => KeptIds.Matches(r.RedemptionId, redemptionId, key));
    }

    /// <summary>
    /// The id under which an accepted redemption is remembered in the member's 30-day <see cref="EventIdWindow"/>, apart
    /// from event ids: a retry after its record left the newest <see cref="ProgramOptions.RecentRedemptionsKept"/> is
    /// still replayed, not spent again.
    /// </summary>
    public static string EventIdOf(string redemptionId) => "redemption|" + redemptionId;

    /// <summary>
    /// Keeps the newest <paramref name="keep"/> records, letting refused ones go first: a client looping on refusals
    /// must not push an accepted redemption out of memory, or its retry would spend the points again.
    /// </summary>
    private static void Forget(List<RedemptionRecord> records, int keep)
    {
        while (records.Count > Math.Max(0, keep))
        {
            var refused = records.FindIndex(r => r.Status != RedemptionStatuses.Accepted);
            records.RemoveAt(refused >= 0 ? refused : 0);
        }
    }

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

    /// <summary>
    /// The ledger reason of an accepted redemption. A points redemption (no reward) made at a store ends
    /// <c> at store {storeId}</c>, so support sees where the points were spent; a catalogue one's store is its
    /// redemption record's (its reason reads as before).
    /// </summary>
    private static string RedemptionReason(string redemptionId, long points, decimal value, decimal? cash, string? rewardId, string? storeId)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"redemption {redemptionId} of {points} points ({value:0.00} CNY)");
        if (cash is > 0m)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" + {cash:0.00} CNY cash");
        }

        if (rewardId is not null)
        {
            return $"{text} for reward {rewardId}";
        }

        return storeId is null ? text : $"{text} at store {storeId}";
    }

    /// <summary>
    /// A redemption as a refusal's detail says what an id was used for: <c>500 points for reward kettle at store S001</c>,
    /// <c>50 points + 5.00 CNY cash without a reward without a storeId</c> (points as an integer, cash in CNY with 2 decimals).
    /// </summary>
    private static string Described(long points, decimal? cash, string? rewardId, string? storeId) =>
        string.Create(CultureInfo.InvariantCulture, $"{points} points")
        + (cash is > 0m ? string.Create(CultureInfo.InvariantCulture, $" + {cash:0.00} CNY cash") : "")
        + (rewardId is null ? " without a reward " : $" for reward {rewardId} ")
        + AtStore(storeId);

    /// <summary>Where a points redemption was made, as a detail says it: <c>at store S001</c>, or <c>without a storeId</c>.</summary>
    private static string AtStore(string? storeId) => storeId is null ? "without a storeId" : "at store " + storeId;

    /// <summary>
    /// What differs between a points redemption recorded under an id and a new request under it: null when nothing does
    /// (a replay), else the first differing field (<c>points</c>, <c>cashAmount</c>, <c>storeId</c>) and a detail naming
    /// <paramref name="redemptionId"/> as the request sent it and each difference as recorded, then as asked (points as
    /// integers, cash in CNY with 2 decimals).
    /// </summary>
    private static (string Field, string Detail)? ReusedWithOther(RedemptionRecord previous, string redemptionId, long points, decimal? cashAmount, string? storeId, bool storeMatches)
    {
        var differs = new List<(string Field, string Text)>();
        if (previous.Points != points)
        {
            differs.Add(("points", string.Create(CultureInfo.InvariantCulture, $"points {previous.Points}, not {points}")));
        }

        if (!SameCash(previous.CashAmount, cashAmount))
        {
            differs.Add(("cashAmount", $"cashAmount {CashText(previous.CashAmount)}, not {CashText(cashAmount)}"));
        }

        if (differs.Count == 0)
        {
            // Only the store differs: the detail reads as it always has.
            return storeMatches ? null : ("storeId", $"redemptionId {redemptionId} was already used {AtStore(previous.StoreId)}, not {AtStore(storeId)}");
        }

        if (!storeMatches)
        {
            differs.Add(("storeId", $"storeId {previous.StoreId ?? "none"}, not {storeId ?? "none"}"));
        }

        return (differs[0].Field, $"redemptionId {redemptionId} was already used for another redemption: "
            + string.Join("; ", differs.Select(d => d.Text))
            + "; send a new redemptionId for a new redemption (the first request again returns its answer)");
    }

    /// <summary>
    /// Whether two cash amounts are the same payment: no cash (absent) and <c>0</c> are alike, so a till retrying a sale once
    /// with <c>"cashAmount": 0</c> and once without it gets the replay, not a 409.
    /// </summary>
    private static bool SameCash(decimal? a, decimal? b) => (a ?? 0m) == (b ?? 0m);

    private static string CashText(decimal? cash) =>
        cash is { } amount ? string.Create(CultureInfo.InvariantCulture, $"{amount:0.00} CNY") : "none";

    /// <summary>Points at the configured value, cut (not rounded) to the cent so the programme never gives more than it promised.</summary>
    public static decimal ValueOf(long points, ProgramOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ValueOf(points, options.PointValue);
    }

    /// <summary>Points at <paramref name="pointValue"/> CNY each, cut (not rounded) to the cent.</summary>
    public static decimal ValueOf(long points, decimal pointValue) =>
        decimal.Round(points * pointValue, 2, MidpointRounding.ToZero);
}
