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
