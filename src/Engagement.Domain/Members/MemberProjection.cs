using System.Text.Json;
using Engagement.Domain.Lifecycle;
using Engagement.Domain.Points;
using Engagement.Domain.Program;
using Engagement.Domain.Tiers;

namespace Engagement.Domain.Members;

/// <summary>
/// The member as a read sees it at an instant (CONTRACT.md §1.1, "Reads are as of now"): lots whose expiry has come
/// gone, a tier grace that has ended applied, the lifecycle stage and win-back level of that instant, even when no
/// reminder has woken the member since.
/// </summary>
/// <remarks>
/// A read never changes the member: when something is due, the time-driven rules (<see cref="MemberEngine.ApplyTimePassed"/>,
/// <see cref="LifecyclePolicy.Advance"/>) run on a copy, made through the member's stored JSON form, and no touch is
/// decided. The member's own tick later reaches the same numbers and records them.
/// </remarks>
public static class MemberProjection
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// <paramref name="state"/> itself when nothing time-driven is due at <paramref name="now"/>; otherwise a copy with
    /// what is due applied. Never changes <paramref name="state"/>.
    /// </summary>
    /// <param name="state">The member as stored.</param>
    /// <param name="options">The programme rules.</param>
    /// <param name="now">The instant of the read (UTC or any offset).</param>
    public static MemberState AsOf(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsDue(state, options, now))
        {
            return state;
        }

        var copy = Copy(state);
        MemberEngine.ApplyTimePassed(copy, options, now);
        LifecyclePolicy.Advance(copy, options, now);
        return copy;
    }

    /// <summary>A deep copy of <paramref name="state"/>, through its stored JSON form: what a look-ahead may change freely.</summary>
    internal static MemberState Copy(MemberState state) =>
        JsonSerializer.Deserialize<MemberState>(JsonSerializer.SerializeToUtf8Bytes(state, Json), Json)!;

    /// <summary>Whether a lot has reached its expiry, a tier grace has ended or a lifecycle boundary has passed.</summary>
    private static bool IsDue(MemberState state, ProgramOptions options, DateTimeOffset now)
    {
        foreach (var lot in PointsWallet.Lots(state))
        {
            if (lot.ExpiresAt <= now)
            {
                return true;
            }
        }

        return TierPolicy.GraceUntil(state, options) <= now || LifecyclePolicy.NextDueAt(state, options) <= now;
    }
}
