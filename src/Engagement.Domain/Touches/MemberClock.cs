using Engagement.Domain.Members;

namespace Engagement.Domain.Touches;

/// <summary>Member-local time: zones, local days and quiet hours.</summary>
public static class MemberClock
{
    private static readonly TimeZoneInfo ShanghaiFixed =
        TimeZoneInfo.CreateCustomTimeZone("Asia/Shanghai", TimeSpan.FromHours(8), "Asia/Shanghai", "China Standard Time");

    /// <summary>The zone for an IANA (or Windows) id; null when unknown.</summary>
    /// <remarks>
    /// Hosts without tz data (slim containers) still know <c>Asia/Shanghai</c>: China has used +08:00 without
    /// daylight saving since 1991, so a fixed zone is exact for every date the engine sees.
    /// </remarks>
    public static TimeZoneInfo? TryFindZone(string? id) =>
        MemberTimeZones.TryFind(id)
        ?? (string.Equals(id, "Asia/Shanghai", StringComparison.OrdinalIgnoreCase) ? ShanghaiFixed : null);

    /// <summary>The member's zone if known, else the default zone, else UTC.</summary>
    public static TimeZoneInfo ZoneOrDefault(string? memberZone, string defaultZone) =>
        TryFindZone(memberZone) ?? TryFindZone(defaultZone) ?? TimeZoneInfo.Utc;

    public static DateTimeOffset ToLocal(DateTimeOffset instant, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(instant, zone);

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(ToLocal(instant, zone).DateTime);

    /// <summary>The instant a local wall-clock time happens; a time skipped by a DST jump moves to just after the jump.</summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        for (var i = 0; i < 4 && zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>Local midnight that starts the member's next calendar day.</summary>
    public static DateTimeOffset StartOfNextLocalDay(DateTimeOffset instant, TimeZoneInfo zone) =>
        AtLocal(LocalDate(instant, zone).AddDays(1), TimeOnly.MinValue, zone);

    /// <summary>Whether the instant falls in [start, end) local time; the range may wrap midnight; start == end: never.</summary>
    public static bool InQuietHours(DateTimeOffset instant, TimeZoneInfo zone, TimeOnly start, TimeOnly end)
    {
        if (start == end)
        {
            return false;
        }

        var time = TimeOnly.FromDateTime(ToLocal(instant, zone).DateTime);
        return start < end ? time >= start && time < end : time >= start || time < end;
    }

    /// <summary>The first instant at or after <paramref name="instant"/> outside quiet hours.</summary>
    public static DateTimeOffset EndOfQuietHours(DateTimeOffset instant, TimeZoneInfo zone, TimeOnly start, TimeOnly end)
    {
        if (!InQuietHours(instant, zone, start, end))
        {
            return instant;
        }

        var local = ToLocal(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);

        // In a wrapping range (21:00–09:00) the evening part ends tomorrow morning.
        var endDate = start > end && time >= start ? date.AddDays(1) : date;
        return AtLocal(endDate, end, zone);
    }

    /// <summary>"21:00–09:00 Asia/Shanghai", for reasons.</summary>
    public static string DescribeQuietHours(TimeOnly start, TimeOnly end, TimeZoneInfo zone) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{start:HH\\:mm}–{end:HH\\:mm} {zone.Id}");
}
