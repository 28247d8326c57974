using System.Collections.Concurrent;
using System.Globalization;
using Engagement.Domain.Metrics;
using Orleans.Storage;

namespace Engagement.Grains.Ports;

/// <summary>
/// Aggregator rows in process memory (tests, the benchmark's in-memory scenarios, demos without storage), kept in their
/// stored form (<see cref="AggregatorRowCodec"/>) so a write costs what encoding it costs; ETags and the all-or-nothing
/// conflict rule as in <see cref="IAggregatorRowStore"/>. One per silo: a cluster of several in-memory silos does not
/// share it.
/// </summary>
public sealed class InMemoryAggregatorRowStore : IAggregatorRowStore
{
    private readonly ConcurrentDictionary<string, Dictionary<int, (EncodedAggregatorRow Row, string ETag)>> _aggregators = new(StringComparer.Ordinal);
    private long _etag;

    public Task<IReadOnlyList<AggregatorRow>> ReadAsync(string aggregatorKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(aggregatorKey);
        if (!_aggregators.TryGetValue(aggregatorKey, out var rows))
        {
            return Task.FromResult<IReadOnlyList<AggregatorRow>>([]);
        }

        lock (rows)
        {
            return Task.FromResult<IReadOnlyList<AggregatorRow>>([.. rows.Select(kv => new AggregatorRow(kv.Key, AggregatorRowCodec.Decode(kv.Value.Row), kv.Value.ETag))]);
        }
    }

    /// <inheritdoc />
    public bool SharedByTheCluster => false;

    /// <inheritdoc />
    /// <remarks>Summed from the rows themselves (this store keeps no separate sums).</remarks>
    public Task<IReadOnlyDictionary<string, DayCounters>> ReadSumsAsync(IReadOnlyCollection<string> aggregatorKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregatorKeys);
        var sums = new Dictionary<string, DayCounters>(StringComparer.Ordinal);
        foreach (var key in aggregatorKeys)
        {
            if (_aggregators.TryGetValue(key, out var rows))
            {
                lock (rows)
                {
                    sums[key] = AggregatorRows.Sum(rows.Values.Select(r => AggregatorRowCodec.Decode(r.Row)));
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, DayCounters>>(sums);
    }

    public Task<IReadOnlyDictionary<int, string>> WriteAsync(string aggregatorKey, IReadOnlyList<AggregatorRow> rows, DayCounters? total = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(aggregatorKey);
        ArgumentNullException.ThrowIfNull(rows);
        AggregatorRowChecks.Validate(rows);
        var stored = _aggregators.GetOrAdd(aggregatorKey, static _ => []);
        var encoded = rows.Select(r => AggregatorRowCodec.Encode(r.State)).ToList();
        lock (stored)
        {
            foreach (var row in rows)
            {
                var has = stored.TryGetValue(row.Row, out var current);
                if (has != (row.ETag is not null) || (has && current.ETag != row.ETag))
                {
                    throw new InconsistentStateException($"aggregator {aggregatorKey} row {row.Row} was changed by another writer", has ? current.ETag : null, row.ETag);
                }
            }

            var etags = new Dictionary<int, string>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var etag = Interlocked.Increment(ref _etag).ToString(CultureInfo.InvariantCulture);
                stored[rows[i].Row] = (encoded[i], etag);
                etags[rows[i].Row] = etag;
            }

            return Task.FromResult<IReadOnlyDictionary<int, string>>(etags);
        }
    }
}

/// <summary>The argument rules of <see cref="IAggregatorRowStore.WriteAsync"/>, shared by its implementations.</summary>
public static class AggregatorRowChecks
{
    /// <summary>Throws <see cref="ArgumentException"/> for a row number outside 0–63 or a row twice.</summary>
    public static void Validate(IReadOnlyList<AggregatorRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var seen = new HashSet<int>();
        foreach (var row in rows)
        {
            if (row.Row is < 0 or >= AggregatorRows.Count || !seen.Add(row.Row))
            {
                throw new ArgumentException($"row {row.Row} is outside 0–{AggregatorRows.Count - 1} or given twice", nameof(rows));
            }
        }
    }
}
