namespace Engagement.Domain.Metrics;

/// <summary>
/// The counters of one region's local day (or of several merged: shards, regions, a range): sums of the applied
/// <see cref="MetricContribution"/>s. <see cref="Revenue"/> is net of refunds, CNY.
/// </summary>
public sealed record DayCounters
{
    public DateOnly Day { get; init; }

    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public decimal Revenue { get; init; }

    /// <summary>One counter, 0 when absent.</summary>
    public long this[string name] => Counters.GetValueOrDefault(name);

    /// <summary>The sum of <paramref name="parts"/>, dated <paramref name="day"/>.</summary>
    public static DayCounters Sum(DateOnly day, IEnumerable<DayCounters> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        var revenue = 0m;
        foreach (var part in parts)
        {
            revenue += part.Revenue;
            AddTo(counters, part.Counters);
        }

        return new DayCounters { Day = day, Counters = counters, Revenue = revenue };
    }

    /// <summary>Adds each of <paramref name="part"/>'s counters to <paramref name="sums"/> (a name new to it goes last, in <paramref name="part"/>'s order).</summary>
    internal static void AddTo(Dictionary<string, long> sums, IReadOnlyDictionary<string, long> part)
    {
        if (part is Dictionary<string, long> dictionary)
        {
            // Its own enumerator, a struct: no boxed enumerator per part (an aggregator sums its 64 rows on every commit).
            foreach (var (name, value) in dictionary)
            {
                sums[name] = sums.GetValueOrDefault(name) + value;
            }

            return;
        }

        foreach (var (name, value) in part)
        {
            sums[name] = sums.GetValueOrDefault(name) + value;
        }
    }
}
