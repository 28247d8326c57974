namespace Engagement.Domain.Metrics;

/// <summary>
/// What programme health reads (CONTRACT.md §5): the merged counters of local days and the live members gauge. The
/// silo's implementation (<c>Engagement.Grains.Programme.ProgrammeDaysReader</c>) reads the merged aggregators and is the
/// one place their day records become <see cref="DayCounters"/>, for the HTTP API's and the console's views and for the
/// alert rules alike.
/// </summary>
public interface IProgrammeDaysReader
{
    /// <summary>
    /// The counters of each local day from <paramref name="from"/> to <paramref name="to"/> (inclusive, oldest first) of
    /// <paramref name="regionId"/>, or of the whole programme when null (its distinct counts count a member once).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> before <paramref name="from"/>, or a span longer than the reader takes (at least <see cref="HealthMetrics.MaxReadDays"/>).</exception>
    Task<IReadOnlyList<DayCounters>> DaysAsync(string? regionId, DateOnly from, DateOnly to);

    /// <summary>The live members gauge of <paramref name="regionId"/>, or summed over every region when null, members.</summary>
    Task<long> MembersAsync(string? regionId);
}

/// <summary>
/// The days of a health range with what works their members back from the live count (CONTRACT.md §5 <c>members</c>):
/// the one read of the health ranges (<c>GET /programme/health</c>, the console) and of the alert rules.
/// </summary>
public sealed record HealthRange
{
    /// <summary>The region, or null for the whole programme.</summary>
    public string? RegionId { get; init; }

    /// <summary>The range's counters, oldest first, one per local day.</summary>
    public IReadOnlyList<DayCounters> Days { get; init; } = [];

    /// <summary>The live members gauge when read, members.</summary>
    public long MembersNow { get; init; }

    /// <summary>Members gained after the range's last day (<see cref="HealthMetrics.MembersAddedAfterAsync"/>).</summary>
    public long AddedAfter { get; init; }

    /// <summary>
    /// Reads the local days <paramref name="from"/>–<paramref name="to"/> of <paramref name="regionId"/>, the live members
    /// gauge and the members gained after <paramref name="to"/> up to the look-ahead of
    /// <see cref="HealthMetrics.MembersAddedAfterAsync"/> (<see cref="HealthMetrics.LookAheadThrough"/>). When the range
    /// and its look-ahead together span at most <see cref="HealthMetrics.MaxReadDays"/> (a range ending near today: the
    /// alert rules' every evaluation) that is one read of the days: the reader widens each read by the window days before
    /// its first (wau, mau: 29 more days), so a separate look-ahead read of a day or two cost those 29 days again. A day's
    /// counters do not depend on the days after it, so the range's days read alike either way. A longer span (a range far
    /// from today) reads the range, then the days after it in reads of at most <see cref="HealthMetrics.MaxReadDays"/>.
    /// </summary>
    /// <param name="reader">The merged counters.</param>
    /// <param name="options">The zones.</param>
    /// <param name="regionId">The region, or null for the whole programme.</param>
    /// <param name="from">First local day.</param>
    /// <param name="to">Last local day (inclusive).</param>
    /// <param name="now">The instant the live gauge stands at (UTC or any offset).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> before <paramref name="from"/>, or more days than the reader takes.</exception>
    public static async Task<HealthRange> ReadAsync(IProgrammeDaysReader reader, MetricsOptions options, string? regionId, DateOnly from, DateOnly to, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        if (to < from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, $"The range's last day {to:yyyy-MM-dd} is before its first {from:yyyy-MM-dd}.");
        }

        var through = HealthMetrics.LookAheadThrough(options, now);
        IReadOnlyList<DayCounters> days;
        long added;
        if (to < through && through.DayNumber - from.DayNumber < HealthMetrics.MaxReadDays)
        {
            var all = await reader.DaysAsync(regionId, from, through).ConfigureAwait(false);
            days = all.Where(d => d.Day <= to).ToList();
            added = all.Where(d => d.Day > to).Sum(d => HealthMetrics.MembersAdded(d, regionId));
        }
        else
        {
            days = await reader.DaysAsync(regionId, from, to).ConfigureAwait(false);
            added = await HealthMetrics.MembersAddedAfterAsync(options, to, now, regionId, (start, end) => reader.DaysAsync(regionId, start, end)).ConfigureAwait(false);
        }

        var members = await reader.MembersAsync(regionId).ConfigureAwait(false);
        return new HealthRange { RegionId = regionId, Days = days, MembersNow = members, AddedAfter = added };
    }

    /// <summary>
    /// The range's <see cref="HealthMetrics.Series"/>: each day's members worked back from <see cref="MembersNow"/>; cohort
    /// figures wait for the complete local days before <paramref name="today"/>.
    /// </summary>
    /// <param name="today">The first local day not complete (<see cref="MetricsOptions.CurrentDay"/>).</param>
    public IReadOnlyList<HealthDay> Series(DateOnly today) => HealthMetrics.Series(Days, MembersNow, AddedAfter, today, RegionId);
}
