using System.Collections.Immutable;

namespace Engagement.Domain.Offers;

/// <summary>
/// Stock of one reward at one store, with the redemptions that took from it (CONTRACT.md §2.1). A value: each operation
/// returns a new stock. A take is idempotent by redemptionId and never drives <see cref="Available"/> below zero; a take
/// is held until the member side confirms it (then it is spent) or refuses it (then the unit is released).
/// </summary>
public sealed record RewardStock
{
    /// <summary>Units free to take now (held units are not counted).</summary>
    public long Available { get; init; }

    /// <summary>Units taken and confirmed, all time.</summary>
    public long Redeemed { get; init; }

    /// <summary>Remembered redemptions by id (bounded; held ones are never forgotten).</summary>
    public ImmutableDictionary<string, StockHold> Holds { get; init; } = ImmutableDictionary.Create<string, StockHold>(StringComparer.Ordinal);

    /// <summary>Sequence of the next hold, so the oldest is forgotten first.</summary>
    public long NextSequence { get; init; } = 1;

    /// <summary>Units held by redemptions the member side has not answered yet.</summary>
    public long Held => Holds.Values.LongCount(h => h.Status == StockHoldStatus.Held);

    /// <summary>
    /// When a stock write (<see cref="SetAvailable(long, DateTimeOffset)"/>) last changed <see cref="Available"/>, or null:
    /// the instant that names the write in the staff audit, so a retry of it (which changes nothing) names the same one.
    /// </summary>
    public DateTimeOffset? SetAt { get; init; }

    /// <summary>Sets the free units (a store count or HQ allocation); units already held stay held.</summary>
    public RewardStock SetAvailable(long available) => this with { Available = Math.Max(0, available) };

    /// <summary>
    /// Sets the free units at <paramref name="now"/> (<see cref="SetAt"/>); this same stock when they already are so (a
    /// retried or restating write changes nothing and keeps the instant of the write that did).
    /// </summary>
    public RewardStock SetAvailable(long available, DateTimeOffset now)
    {
        var units = Math.Max(0, available);
        return units == Available && SetAt is not null ? this : this with { Available = units, SetAt = now };
    }

    /// <summary>
    /// Takes one unit for <paramref name="redemptionId"/>; a repeat of the id by the same member returns its first
    /// outcome, the id of another member's redemption (<see cref="StockTakeStatus.OtherMember"/>) changes nothing.
    /// </summary>
    public (RewardStock Stock, StockTakeStatus Status) Take(string redemptionId, string memberId, DateTimeOffset now, int maxKept)
    {
        if (Holds.TryGetValue(redemptionId, out var hold))
        {
            // Another member's redemption is not this one's replay: answered as one, the caller would charge this
            // member for the unit the other took (two paid, one unit gone).
            return (this, !string.Equals(hold.MemberId, memberId, StringComparison.Ordinal) ? StockTakeStatus.OtherMember
                : hold.Status == StockHoldStatus.Released ? StockTakeStatus.ReleasedBefore : StockTakeStatus.Replayed);
        }

        if (Available <= 0)
        {
            return (this, StockTakeStatus.OutOfStock);
        }

        var taken = this with
        {
            Available = Available - 1,
            Holds = Holds.Add(redemptionId, new StockHold(memberId, StockHoldStatus.Held, now, NextSequence)),
            NextSequence = NextSequence + 1,
        };
        return (taken.Prune(maxKept), StockTakeStatus.Taken);
    }

    /// <summary>The member side accepted: the held unit is spent. Unknown or already settled ids change nothing.</summary>
    public RewardStock Confirm(string redemptionId, DateTimeOffset now) =>
        Holds.TryGetValue(redemptionId, out var hold) && hold.Status == StockHoldStatus.Held
            ? this with { Redeemed = Redeemed + 1, Holds = Holds.SetItem(redemptionId, hold with { Status = StockHoldStatus.Confirmed, At = now }) }
            : this;

    /// <summary>The member side refused: the held unit is free again. Unknown or already settled ids change nothing.</summary>
    public RewardStock Release(string redemptionId, DateTimeOffset now) =>
        Holds.TryGetValue(redemptionId, out var hold) && hold.Status == StockHoldStatus.Held
            ? this with { Available = Available + 1, Holds = Holds.SetItem(redemptionId, hold with { Status = StockHoldStatus.Released, At = now }) }
            : this;

    /// <summary>
    /// The redemptions whose unit has been held since before <paramref name="heldBefore"/>: the request that took it
    /// never confirmed or released it (the member side's answer or the confirm was lost to a failure, and the caller did
    /// not retry). Settled by asking the member side whether it accepted the redemption (then
    /// <see cref="Confirm"/>), else <see cref="Release"/>, so a unit is never held for good.
    /// </summary>
    public IReadOnlyList<(string RedemptionId, string MemberId)> StaleHolds(DateTimeOffset heldBefore) =>
        [.. Holds.Where(h => h.Value.Status == StockHoldStatus.Held && h.Value.At < heldBefore)
            .OrderBy(h => h.Value.Sequence)
            .Select(h => (h.Key, h.Value.MemberId))];

    private RewardStock Prune(int maxKept)
    {
        if (Holds.Count <= maxKept)
        {
            return this;
        }

        // Forget a tenth at once, oldest settled first, so pruning is rare.
        var forget = Holds.Where(h => h.Value.Status != StockHoldStatus.Held)
            .OrderBy(h => h.Value.Sequence)
            .Take(Math.Max(1, maxKept / 10))
            .Select(h => h.Key);
        return this with { Holds = Holds.RemoveRange(forget) };
    }
}

/// <summary>A redemption's claim on one unit: who, held/confirmed/released, when, in what order.</summary>
public sealed record StockHold(string MemberId, StockHoldStatus Status, DateTimeOffset At, long Sequence);

public enum StockHoldStatus
{
    Held,
    Confirmed,
    Released,
}

/// <summary>What a take did.</summary>
public enum StockTakeStatus
{
    /// <summary>One unit is now held for the redemption.</summary>
    Taken,

    /// <summary>The redemption had taken it before (held or confirmed): nothing changed.</summary>
    Replayed,

    /// <summary>The redemption had taken and released it (its member side refused): not taken again.</summary>
    ReleasedBefore,

    /// <summary>No unit left.</summary>
    OutOfStock,

    /// <summary>The redemption id is another member's redemption at this store: nothing changed, not a replay.</summary>
    OtherMember,
}
