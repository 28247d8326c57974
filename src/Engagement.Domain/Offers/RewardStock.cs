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

    /// <summary>
    /// Settled (confirmed or released) redemptions kept by id at most: the newest <see cref="MaxSettledBytes"/> of them
    /// fit a grain state many times over; older ones move to <see cref="Forgotten"/>.
    /// </summary>
    public const int MaxSettledBytes = 64 * 1024;

    /// <summary>Forgotten redemption ids whose fingerprint is kept (<see cref="Forgotten"/>): 8,192 × 4 bytes.</summary>
    public const int MaxForgotten = 8_192;

    /// <summary>Remembered redemptions by id (bounded; held ones are never forgotten).</summary>
    public ImmutableDictionary<string, StockHold> Holds { get; init; } = ImmutableDictionary.Create<string, StockHold>(StringComparer.Ordinal);

    /// <summary>
    /// 32-bit fingerprints (<see cref="Fingerprint"/>, 4 bytes each, oldest first) of the settled redemptions pruned
    /// from <see cref="Holds"/>, the newest <see cref="MaxForgotten"/>: a retry of one is answered
    /// <see cref="StockTakeStatus.Forgotten"/>, never with a second unit. Stored as base64, so 8,192 ids cost ~44 KB.
    /// </summary>
    public byte[] Forgotten { get; init; } = [];

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
    public RewardStock SetAvailable(long available) => (this with { Available = Math.Max(0, available) }).Prune(int.MaxValue);

    /// <summary>
    /// Sets the free units at <paramref name="now"/> (<see cref="SetAt"/>); this same stock when they already are so (a
    /// retried or restating write changes nothing and keeps the instant of the write that did).
    /// </summary>
    public RewardStock SetAvailable(long available, DateTimeOffset now)
    {
        var units = Math.Max(0, available);
        return units == Available && SetAt is not null ? this : (this with { Available = units, SetAt = now }).Prune(int.MaxValue);
    }

    /// <summary>
    /// Takes one unit for <paramref name="redemptionId"/>; a repeat of the id by the same member returns its first
    /// outcome, the id of another member's redemption (<see cref="StockTakeStatus.OtherMember"/>) changes nothing, an id
    /// settled so long ago that only its fingerprint is kept is <see cref="StockTakeStatus.Forgotten"/> (nothing taken).
    /// <paramref name="maxKept"/> bounds the settled redemptions kept by id (their bytes are bounded too).
    /// </summary>
    public (RewardStock Stock, StockTakeStatus Status) Take(string redemptionId, string memberId, DateTimeOffset now, int maxKept)
    {
        if (Holds.TryGetValue(redemptionId, out var hold))
        {
            // Another member's redemption is not this one's replay: answered as one, the caller would charge this
            // member for the unit the other took (two paid, one unit gone). A replayed hold still held is renewed, so
            // the request now on its way is not settled under it (StaleHolds) between its take and its confirm.
            return !string.Equals(hold.MemberId, memberId, StringComparison.Ordinal) ? (this, StockTakeStatus.OtherMember)
                : hold.Status == StockHoldStatus.Released ? (this, StockTakeStatus.ReleasedBefore)
                : hold.Status == StockHoldStatus.Held && hold.At < now
                    ? (this with { Holds = Holds.SetItem(redemptionId, hold with { At = now }) }, StockTakeStatus.Replayed)
                    : (this, StockTakeStatus.Replayed);
        }

        if (IsForgotten(redemptionId))
        {
            return (this, StockTakeStatus.Forgotten);
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

    /// <summary>The member side accepted: the held unit is spent (<see cref="ConfirmHold"/>).</summary>
    public RewardStock Confirm(string redemptionId, DateTimeOffset now) => ConfirmHold(redemptionId, now).Stock;

    /// <summary>
    /// The member side accepted (paid for) <paramref name="redemptionId"/>: its held unit is spent. When its hold was
    /// released meanwhile (settled as stale between a replayed take and the payment), a free unit is spent in its place
    /// (<see cref="StockConfirmStatus.Reclaimed"/>), else <see cref="StockConfirmStatus.Lost"/>: the member paid for a
    /// unit there is not, and the caller undoes the payment. An already confirmed or unknown id changes nothing.
    /// </summary>
    public (RewardStock Stock, StockConfirmStatus Status) ConfirmHold(string redemptionId, DateTimeOffset now)
    {
        if (!Holds.TryGetValue(redemptionId, out var hold))
        {
            return (this, StockConfirmStatus.Unknown);
        }

        switch (hold.Status)
        {
            case StockHoldStatus.Held:
                return ((this with { Redeemed = Redeemed + 1, Holds = Holds.SetItem(redemptionId, hold with { Status = StockHoldStatus.Confirmed, At = now }) }).Prune(int.MaxValue), StockConfirmStatus.Confirmed);
            case StockHoldStatus.Released when Available > 0:
                return ((this with { Available = Available - 1, Redeemed = Redeemed + 1, Holds = Holds.SetItem(redemptionId, hold with { Status = StockHoldStatus.Confirmed, At = now }) }).Prune(int.MaxValue), StockConfirmStatus.Reclaimed);
            case StockHoldStatus.Released:
                return (this, StockConfirmStatus.Lost);
            default:
                return (this, StockConfirmStatus.AlreadyConfirmed);
        }
    }

    /// <summary>The member side refused: the held unit is free again. Unknown or already settled ids change nothing.</summary>
    public RewardStock Release(string redemptionId, DateTimeOffset now) =>
        Holds.TryGetValue(redemptionId, out var hold) && hold.Status == StockHoldStatus.Held
            ? (this with { Available = Available + 1, Holds = Holds.SetItem(redemptionId, hold with { Status = StockHoldStatus.Released, At = now }) }).Prune(int.MaxValue)
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

    /// <summary>True when <paramref name="redemptionId"/>'s fingerprint is among <see cref="Forgotten"/>.</summary>
    public bool IsForgotten(string redemptionId)
    {
        var print = Fingerprint(redemptionId);
        for (var i = 0; i + 4 <= Forgotten.Length; i += 4)
        {
            if (BitConverter.ToUInt32(Forgotten, i) == print)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>FNV-1a 32 of the id's UTF-8: what <see cref="Forgotten"/> keeps of a pruned redemption.</summary>
    public static uint Fingerprint(string redemptionId)
    {
        ArgumentNullException.ThrowIfNull(redemptionId);
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(redemptionId))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    /// <summary>
    /// Keeps at most <paramref name="maxKept"/> settled redemptions and at most <see cref="MaxSettledBytes"/> of their
    /// JSON (held ones are never forgotten); when over either, the oldest settled go down to 90% of both at once, so
    /// pruning is rare, and their fingerprints join <see cref="Forgotten"/>. This same stock when nothing goes.
    /// </summary>
    private RewardStock Prune(int maxKept)
    {
        var settled = Holds.Where(h => h.Value.Status != StockHoldStatus.Held).OrderBy(h => h.Value.Sequence).ToList();
        var bytes = settled.Sum(h => JsonBytes(h.Key, h.Value));
        if (settled.Count <= maxKept && bytes <= MaxSettledBytes)
        {
            return this;
        }

        var keepCount = maxKept == int.MaxValue ? int.MaxValue : maxKept - (maxKept / 10);
        var keepBytes = MaxSettledBytes - (MaxSettledBytes / 10);
        var forget = new List<string>();
        var left = settled.Count;
        foreach (var (id, hold) in settled)
        {
            if (left <= keepCount && bytes <= keepBytes)
            {
                break;
            }

            forget.Add(id);
            bytes -= JsonBytes(id, hold);
            left--;
        }

        var prints = new List<byte>(Forgotten);
        foreach (var id in forget)
        {
            prints.AddRange(BitConverter.GetBytes(Fingerprint(id)));
        }

        var over = Math.Max(0, prints.Count - (MaxForgotten * 4));
        return this with { Holds = Holds.RemoveRange(forget), Forgotten = [.. prints.Skip(over)] };
    }

    /// <summary>An upper bound of one hold's JSON: a non-ASCII or escaped character may take 6 bytes (<c>\uXXXX</c>).</summary>
    private static int JsonBytes(string id, StockHold hold) => TextBytes(id) + TextBytes(hold.MemberId) + 112;

    private static int TextBytes(string text) => text.Sum(c => c is < (char)0x80 and >= ' ' and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6);
}

/// <summary>A redemption's claim on one unit: who, held/confirmed/released, when, in what order.</summary>
public sealed record StockHold(string MemberId, StockHoldStatus Status, DateTimeOffset At, long Sequence);

public enum StockHoldStatus
{
    Held,
    Confirmed,
    Released,
}

/// <summary>What a confirm did (<see cref="RewardStock.ConfirmHold"/>).</summary>
public enum StockConfirmStatus
{
    /// <summary>The held unit is spent.</summary>
    Confirmed,

    /// <summary>Confirmed before: nothing changed.</summary>
    AlreadyConfirmed,

    /// <summary>The hold had been released; a free unit is spent in its place.</summary>
    Reclaimed,

    /// <summary>The hold had been released and no unit is free: nothing changed; the payment must be undone.</summary>
    Lost,

    /// <summary>No such redemption: nothing changed.</summary>
    Unknown,
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

    /// <summary>
    /// The redemption id was settled so long ago that only its fingerprint is kept (<see cref="RewardStock.Forgotten"/>):
    /// its first outcome is not known any more, so nothing is taken; the caller sends a new redemptionId.
    /// </summary>
    Forgotten,
}
