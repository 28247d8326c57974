using System.Text.Json.Serialization;

namespace Engagement.Domain.Points;

/// <summary>
/// A remembered redemption, so a retried request gets its first outcome back (CONTRACT.md §4: idempotent by
/// redemptionId). Its ids are kept by the kept-id rule (<see cref="Members.KeptIds"/>), so the member fits its row whatever
/// characters a till puts in them; it is found by the id as sent again (<see cref="RedemptionPolicy.Remembered"/>).
/// </summary>
public sealed class RedemptionRecord
{
    /// <summary>
    /// The redemptionId as kept (<see cref="Members.KeptIds.Key"/>): as sent when its stored JSON takes at most a GUID's 36
    /// bytes, else a key of at most 35 (its opening, <c>~</c>, a hash). A record stored before ids were kept holds the id
    /// as sent, which matches its retry just the same (<see cref="Members.KeptIds.Same"/>). Messages name the id the request
    /// carried, never this.
    /// </summary>
    public string RedemptionId { get; set; } = "";

    public string Status { get; set; } = "";

    public long Points { get; set; }

    public decimal? CashAmount { get; set; }

    public string? RewardId { get; set; }

    /// <summary>
    /// The store whose unit a catalogue redemption took, or where a points redemption was made (<c>POST
    /// /members/{memberId}/redemptions</c> with <c>storeId</c> and no <c>rewardId</c>: no unit, no undo); null for a
    /// store-less one (no unit taken). Kept as <see cref="RedemptionId"/> is (<see cref="Members.KeptIds.Key"/>: a store id
    /// longer than a GUID's stored 36 bytes is named by its key where a refusal names the store it was used at). Compared
    /// as given, null included (<see cref="Members.KeptIds.SameOrBothAbsent"/>, <see cref="RedemptionPolicy.Redeem"/>): no
    /// records from before the field was stored exist to excuse.
    /// </summary>
    public string? StoreId { get; set; }

    public decimal PointsValue { get; set; }

    /// <summary>
    /// The lots a redemption took its points from, soonest to expire first (CONTRACT.md §2), capped as
    /// <see cref="RedemptionUndo.MaxLotsPerRedemption"/> says: for a catalogue redemption at a store, so the engine's undo
    /// of it gives each lot back what it gave (<see cref="RedemptionUndo"/>); for any other (a points redemption, a
    /// store-less one: never undone), so the undo of an earlier one can move it (<see cref="LaterRedemptions"/>), kept only
    /// while one that may be undone and keeps its lots came before it. Null for one that took no points, one already
    /// undone, one past the newest <see cref="RedemptionUndo.MaxRedemptionsWithLots"/> (catalogue ones at a store) or
    /// <see cref="RedemptionUndo.MaxMovedOnlyRedemptionsWithLots"/> (the others) that kept them, and one stored before they
    /// were kept (a catalogue one's undo falls back to one fresh lot; a points one is not moved). The undo of an earlier redemption may rewrite them: had that one never happened, this
    /// one would have taken the soonest-expiring points, so it is moved there and its lots name the lots it now holds
    /// (<see cref="LaterRedemptions"/>, capped as when taken). Left out of the JSON while null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<RedemptionLotPart>? Lots { get; set; }

    /// <summary>
    /// True once the engine has given this redemption's points back (adjustment
    /// <see cref="AdjustmentPolicy.RedemptionUndoPrefix"/><c>{redemptionId}</c>), set in the same write: a retry of the undo
    /// is a replay for as long as the record is kept, even when no lot under the undo's id is left to say so (every point
    /// went back to an existing lot) and its id has left the recent ids and the 30-day window. Left out of the JSON while false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Undone { get; set; }

    /// <summary>
    /// The answer's detail, stored only by records written before it was rebuilt on a retry (and by refused records of
    /// that time): an accepted redemption's detail repeats its record (the ledger reason without its lots), so a retry
    /// rebuilds it from the incoming redemptionId and the record (<see cref="RedemptionPolicy.Redeem"/>), word for word
    /// what the first answer said. Null, and left out of the JSON, for every record written since.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// Points (integer) one redemption took from one lot, and that lot's expiry instant then (as the lot keeps it: member-local
/// offset, or UTC): what the engine's undo gives back to it (<see cref="RedemptionUndo"/>).
/// </summary>
public sealed record RedemptionLotPart
{
    /// <summary>
    /// The lot's id (its order id, or an engine lot's id); null for the merged rest of a redemption that took from more
    /// than <see cref="RedemptionUndo.MaxLotsPerRedemption"/> lots (its expiry is then the latest of theirs).
    /// </summary>
    public string? LotId { get; init; }

    /// <summary>Points taken from the lot, more than 0.</summary>
    public long Points { get; init; }

    /// <summary>When the lot expires (<c>now ≥ ExpiresAt</c> means expired).</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>Redemption outcomes; the same strings as the HTTP contract.</summary>
public static class RedemptionStatuses
{
    public const string Accepted = "accepted";
    public const string InsufficientPoints = "insufficient_points";
    public const string NegativeBalance = "negative_balance";
    public const string Invalid = "invalid";

    /// <summary>A points redemption's id sent again from another store (or with or without one): refused, never replayed.</summary>
    public const string RedemptionIdReused = "redemption_id_reused";
}
