using System.Collections.Concurrent;
using System.Globalization;

namespace Engagement.Domain.Metrics;

/// <summary>
/// The window counters (<see cref="MetricNames.Wau"/>, <see cref="MetricNames.Mau"/>, <see cref="MetricNames.Purchasers30"/>,
/// <see cref="MetricNames.Repurchasers30"/>) are stored as <b>window entries</b> on the day of the activity that opens
/// them, and summed on read (CONTRACT.md §5). An entry named <c>{counter}@{from}-{to}</c> in the counters of day D with
/// value n means "n members newly count in <c>counter</c> on every day from D+from to D+to" (offsets in days,
/// 0 ≤ from ≤ to &lt; the window's width). A member's first activity thus writes one entry to one aggregator (its
/// activity day), instead of one +1 to each of the 7 or 30 day-aggregators its windows cover; the counts stay exact
/// because the member still derives the days it newly covers from its own <see cref="DayBits"/>.
/// </summary>
public static class MetricWindows
{
    /// <summary>The widest window (days): a read of days [from, to] needs the entries of [from − (MaxWidth − 1), to].</summary>
    public const int MaxWidth = MemberMetrics.MonthDays;

    private const char Separator = '@';

    private static readonly ConcurrentDictionary<string, string?[]> EntryNames = new(StringComparer.Ordinal);

    /// <summary>The entry name for <paramref name="counter"/> covering offsets <paramref name="from"/>…<paramref name="to"/> (days after the entry's day).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Offsets negative, reversed or not below <see cref="MaxWidth"/>.</exception>
    public static string Entry(string counter, int from, int to)
    {
        ArgumentException.ThrowIfNullOrEmpty(counter);
        if (from < 0 || to < from || to >= MaxWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(to), $"window offsets are 0 ≤ from ≤ to < {MaxWidth}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{counter}{Separator}{from}-{to}");
    }

    /// <summary>Reads an entry name; false for a plain counter name.</summary>
    public static bool TryParse(string name, out string counter, out int from, out int to)
    {
        ArgumentNullException.ThrowIfNull(name);
        counter = string.Empty;
        from = to = 0;
        var at = name.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            return false;
        }

        var span = name.AsSpan(at + 1);
        var dash = span.IndexOf('-');
        if (dash <= 0
            || !int.TryParse(span[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out from)
            || !int.TryParse(span[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out to)
            || to < from || to >= MaxWidth)
        {
            return false;
        }

        counter = name[..at];
        return true;
    }

    /// <summary>
    /// The days from <paramref name="from"/> on, with the window entries of all <paramref name="days"/> (which should
    /// start <see cref="MaxWidth"/> − 1 days before <paramref name="from"/>) summed into their counters and the entries
    /// themselves removed. Plain window counters stored before entries existed still count as they are.
    /// </summary>
    public static IReadOnlyList<DayCounters> Resolve(IReadOnlyList<DayCounters> days, DateOnly from)
    {
        ArgumentNullException.ThrowIfNull(days);
        var result = new SortedDictionary<DateOnly, (Dictionary<string, long> Counters, decimal Revenue)>();
        foreach (var day in days.Where(d => d.Day >= from))
        {
            result[day.Day] = (day.Counters.Where(kv => !TryParse(kv.Key, out _, out _, out _)).ToDictionary(StringComparer.Ordinal), day.Revenue);
        }

        foreach (var day in days)
        {
            foreach (var (name, value) in day.Counters)
            {
                if (value == 0 || !TryParse(name, out var counter, out var start, out var end))
                {
                    continue;
                }

                for (var d = day.Day.AddDays(start); d <= day.Day.AddDays(end); d = d.AddDays(1))
                {
                    if (result.TryGetValue(d, out var target))
                    {
                        target.Counters[counter] = target.Counters.GetValueOrDefault(counter) + value;
                    }
                }
            }
        }

        return [.. result.Select(kv => new DayCounters { Day = kv.Key, Counters = kv.Value.Counters, Revenue = kv.Value.Revenue })];
    }

    /// <summary>
    /// <see cref="Entry"/>, each name made once per process: the window counters are a fixed few
    /// (<see cref="DistinctCounts"/>'s and their repeats), their offsets below <see cref="MaxWidth"/>.
    /// </summary>
    internal static string CachedEntry(string counter, int from, int to)
    {
        if (from < 0 || to < from || to >= MaxWidth)
        {
            return Entry(counter, from, to); // throws
        }

        var names = EntryNames.GetOrAdd(counter, static _ => new string?[MaxWidth * MaxWidth]);
        return names[(from * MaxWidth) + to] ??= Entry(counter, from, to);
    }
}
