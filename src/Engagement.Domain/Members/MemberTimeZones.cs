using System.Collections.Concurrent;

namespace Engagement.Domain.Members;

/// <summary>
/// Resolves a member's IANA time zone id. State keeps only the id (a TimeZoneInfo does not round-trip
/// through JSON); lookups are cached because every growth and cap decision needs one.
/// </summary>
public static class MemberTimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Cache = new(StringComparer.Ordinal);

    /// <summary>The zone, or null when the id is unknown on this machine.</summary>
    public static TimeZoneInfo? TryFind(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        return Cache.GetOrAdd(id, static key =>
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(key);
            }
            catch (TimeZoneNotFoundException)
            {
                return null;
            }
            catch (InvalidTimeZoneException)
            {
                return null;
            }
        });
    }

    /// <summary>The member's zone, else the programme default, else UTC.</summary>
    public static TimeZoneInfo Resolve(string? memberZone, string defaultZone) =>
        TryFind(memberZone) ?? TryFind(defaultZone) ?? TimeZoneInfo.Utc;

    /// <summary>Time zone changes a member keeps at most (<see cref="MemberState.TimeZoneChanges"/>).</summary>
    public const int ChangesKept = 8;

    /// <summary>
    /// The zone the member had at <paramref name="at"/> (an event's occurredAt): <see cref="MemberState.TimeZone"/>, or the
    /// zone before the earliest kept change made after <paramref name="at"/>; the programme default
    /// (<paramref name="defaultZone"/>) where the member had none. A late share, review or login counts its daily cap on
    /// its local day in this zone, as it would have in order (CONTRACT.md §1.1).
    /// </summary>
    public static TimeZoneInfo ZoneAt(MemberState state, string defaultZone, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        var id = state.TimeZone;
        if (state.TimeZoneChanges is { } changes)
        {
            for (var i = changes.Count - 1; i >= 0 && at < changes[i].At; i--)
            {
                id = changes[i].From;
            }
        }

        return Resolve(id, defaultZone);
    }

    /// <summary>
    /// Records that a <c>profile_update</c> of <paramref name="at"/> (its occurredAt) changes the member's zone to
    /// <paramref name="to"/> (an IANA id), keeping the zone it had before; nothing when the zone stays. Keeps the newest
    /// <see cref="ChangesKept"/> changes and none more than the behaviour cap days (<see cref="Growth.GrowthPolicy.CapDaysKept"/>,
    /// plus two days of slack) older than this one: a behaviour before those earns no growth anyway.
    /// </summary>
    public static void RecordChange(MemberState state, string to, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (string.Equals(state.TimeZone, to, StringComparison.Ordinal))
        {
            return;
        }

        var changes = state.TimeZoneChanges ?? [];
        changes.Add(new TimeZoneChange { At = at, From = state.TimeZone });
        var oldest = at.AddDays(-(Growth.GrowthPolicy.CapDaysKept + 2));
        changes.RemoveAll(c => c.At < oldest);
        if (changes.Count > ChangesKept)
        {
            changes.RemoveRange(0, changes.Count - ChangesKept);
        }

        state.TimeZoneChanges = changes.Count == 0 ? null : changes;
    }

    /// <summary>The calendar date of <paramref name="at"/> on the member's wall clock.</summary>
    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The instant the member's local <paramref name="date"/> begins.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        // A DST gap can swallow midnight; the day then begins at the first valid minute after it.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
