using Engagement.Domain.Benefits;
using Engagement.Domain.Ledger;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

/// <summary>
/// What the rules of one call (event, redemption, time passing) accumulate for its decision. An event's call rents the
/// thread's instance (<see cref="Rent"/>) and hands its lists out as copies (<see cref="Out{T}"/>): no lists made per
/// event, and none at all for what stayed empty.
/// </summary>
internal sealed class RuleChanges
{
    /// <summary>Lists that grew past this many items are not kept for the next call (a rare long tick or catch-up).</summary>
    private const int KeptCapacity = 256;

    [ThreadStatic]
    private static RuleChanges? spare;

    /// <summary>Ledger entries written, oldest first.</summary>
    public List<LedgerEntry> Entries { get; } = [];

    public List<TierChange> TierChanges { get; } = [];

    public List<GrantedBenefit> Granted { get; } = [];

    /// <summary>Event ids of held refunds a purchase released and applied.</summary>
    public List<string> AppliedHeld { get; } = [];

    /// <summary>Held refunds a purchase released but the rules refused.</summary>
    public List<RejectedHeldRefund> RejectedHeld { get; } = [];

    /// <summary>
    /// The order this call created (a purchase), which the call's own prune leaves in full even when its lot is empty: the
    /// steps after the rules (metrics, coupons) find it there. The next call's prune may summarise it.
    /// </summary>
    public string? NewOrderId { get; set; }

    /// <summary>The thread's instance, empty, or a new one while it is rented (a nested call); give it back with <see cref="Return"/>.</summary>
    public static RuleChanges Rent()
    {
        var work = spare ?? new RuleChanges();
        spare = null;
        return work;
    }

    /// <summary>Empties <paramref name="work"/> and keeps it for the thread's next <see cref="Rent"/>; nothing from it may be used after.</summary>
    public static void Return(RuleChanges work)
    {
        if (work.Entries.Capacity > KeptCapacity || work.TierChanges.Capacity > KeptCapacity || work.Granted.Capacity > KeptCapacity
            || work.AppliedHeld.Capacity > KeptCapacity || work.RejectedHeld.Capacity > KeptCapacity)
        {
            return;
        }

        work.Entries.Clear();
        work.TierChanges.Clear();
        work.Granted.Clear();
        work.AppliedHeld.Clear();
        work.RejectedHeld.Clear();
        work.NewOrderId = null;
        spare = work;
    }

    /// <summary>A copy of <paramref name="list"/> for a decision that outlives the rented instance: the shared empty array when empty.</summary>
    public static IReadOnlyList<T> Out<T>(List<T> list) => list.Count == 0 ? [] : list.ToArray();
}
