using Engagement.Domain.Members;

namespace Engagement.Domain.Points;

/// <summary>
/// Who made a manual adjustment (CONTRACT.md §4, <c>POST /members/{memberId}/adjustments</c>): the API key's name and role.
/// </summary>
/// <param name="Name">The key's name, e.g. <c>Li Na</c> (the role itself for a key without one).</param>
/// <param name="Role">The key's role: <c>support</c> or <c>admin</c>.</param>
public sealed record AdjustmentActor(string Name, string Role);

/// <summary>An applied adjustment's <see cref="AdjustmentActor"/>, kept in the member with its id and when (UTC) it was applied.</summary>
/// <param name="AdjustmentId">
/// The adjustment id as staff sent it (not the <see cref="AdjustmentPolicy.EventIdOf"/> form), as kept
/// (<see cref="KeptIds.Key"/>: one whose stored JSON passes a GUID's 36 bytes by its key of at most 35); one stored before
/// ids were kept holds it as sent. Matched through <see cref="KeptIds.Same"/>.
/// </param>
/// <param name="By">Who made it.</param>
/// <param name="At">When it was applied (UTC instant).</param>
public sealed record AdjustmentActorRecord(string AdjustmentId, AdjustmentActor By, DateTimeOffset At);

/// <summary>
/// Who made each recent adjustment, kept in the member (<see cref="MemberState.AdjustmentActors"/>), so a replay reports
/// the original maker and the audit row a replay writes (after the first write failed) names them, not whoever sent the
/// repeat. Bounded: the newest <see cref="MaxKept"/> within <see cref="KeptFor"/> (the replay window of
/// <see cref="AdjustmentPolicy"/>); older or unknown (state stored before makers were kept): null.
/// </summary>
public static class AdjustmentActors
{
    /// <summary>Most makers kept per member.</summary>
    public const int MaxKept = 32;

    /// <summary>How long a maker is kept after its adjustment: 30 days.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    /// <summary>Who made adjustment <paramref name="adjustmentId"/> (as sent, or as kept); null when not kept.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> or <paramref name="adjustmentId"/> is null.</exception>
    public static AdjustmentActor? Of(MemberState state, string adjustmentId)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(adjustmentId);
        var key = KeptIds.Key(adjustmentId); // hashed once, not once a record
        return state.AdjustmentActors?.FindLast(r => KeptIds.Matches(r.AdjustmentId, adjustmentId, key))?.By;
    }

    /// <summary>
    /// Keeps <paramref name="by"/> as the maker of <paramref name="adjustmentId"/> (its id as kept, <see cref="KeptIds.Key"/>),
    /// applied at <paramref name="now"/>; forgets those past the bounds.
    /// </summary>
    public static void Remember(MemberState state, string adjustmentId, AdjustmentActor by, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var kept = state.AdjustmentActors ??= [];
        kept.RemoveAll(r => r.At < now - KeptFor);
        kept.Add(new AdjustmentActorRecord(KeptIds.Key(adjustmentId), by, now)); // bounded whatever characters the id holds
        if (kept.Count > MaxKept)
        {
            kept.RemoveRange(0, kept.Count - MaxKept);
        }
    }
}
