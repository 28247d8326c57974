using System.Text;

namespace Engagement.Domain.Metrics;

/// <summary>
/// What one aggregator (region × local day × shard, or region × shard of gauges) holds: counter sums and the ids it
/// applied recently, as 64-bit hashes grouped by the (UTC) day they arrived, kept <see cref="MetricsOptions.DedupeDays"/>
/// days: the redelivery horizon of the member outbox, which re-emits within minutes. Bounded by the contributions of a
/// few days of one shard.
/// </summary>
public sealed record AggregatorShard
{
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Net revenue, CNY.</summary>
    public decimal Revenue { get; init; }

    /// <summary>Arrival day (<see cref="DateOnly.DayNumber"/>, UTC) → hashes of the contribution ids applied that day.</summary>
    public IReadOnlyDictionary<int, HashSet<ulong>> Applied { get; init; } = new Dictionary<int, HashSet<ulong>>();

    /// <summary>Contributions applied since the grain was created.</summary>
    public long AppliedCount { get; init; }

    /// <summary>Repeats ignored since the grain was created.</summary>
    public long DuplicateCount { get; init; }

    /// <summary>
    /// Applies each contribution whose id is not among the remembered ones; forgets ids that arrived more than
    /// <paramref name="dedupeDays"/> days before <paramref name="now"/>. Returns the new state and how many applied.
    /// </summary>
    public static (AggregatorShard State, int Applied) Apply(AggregatorShard state, IEnumerable<MetricContribution> contributions, DateTimeOffset now, int dedupeDays)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(contributions);
        var today = DateOnly.FromDateTime(now.UtcDateTime).DayNumber;
        var applied = state.Applied.Where(kv => kv.Key > today - dedupeDays).ToDictionary(kv => kv.Key, kv => new HashSet<ulong>(kv.Value));
        if (!applied.TryGetValue(today, out var todays))
        {
            applied[today] = todays = [];
        }

        var counters = new Dictionary<string, long>(state.Counters, StringComparer.Ordinal);
        var revenue = state.Revenue;
        var count = 0;
        var duplicates = 0;
        foreach (var c in contributions)
        {
            var hash = Hash(c.Id);
            if (applied.Values.Any(set => set.Contains(hash)))
            {
                duplicates++;
                continue;
            }

            todays.Add(hash);
            foreach (var (name, delta) in c.Counters)
            {
                counters[name] = counters.GetValueOrDefault(name) + delta;
            }

            revenue += c.Revenue;
            count++;
        }

        var next = new AggregatorShard
        {
            Counters = counters,
            Revenue = revenue,
            Applied = applied,
            AppliedCount = state.AppliedCount + count,
            DuplicateCount = state.DuplicateCount + duplicates,
        };
        return (next, count);
    }

    /// <summary>FNV-1a 64-bit of the id's UTF-8 bytes (collisions among a shard's few thousand ids: ~10⁻¹²).</summary>
    public static ulong Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }

        return hash;
    }
}
