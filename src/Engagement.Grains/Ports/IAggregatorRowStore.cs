using Engagement.Domain.Metrics;

namespace Engagement.Grains.Ports;

/// <summary>
/// Where a programme metric aggregator keeps its rows (<see cref="AggregatorRows"/>): up to
/// <see cref="AggregatorRows.Count"/> rows per aggregator key, each an <see cref="AggregatorShard"/> (sums and dedupe
/// marks of its members) with an ETag. A write carries only the rows that changed; it succeeds for all of them or,
/// when another writer changed one of them since it was read, for none (a conflict).
/// </summary>
public interface IAggregatorRowStore
{
    /// <summary>Every stored row of <paramref name="aggregatorKey"/> (none for an aggregator that never wrote), with its ETag.</summary>
    /// <exception cref="Exception">Storage cannot be reached (the caller's activation fails and is retried).</exception>
    Task<IReadOnlyList<AggregatorRow>> ReadAsync(string aggregatorKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="rows"/> of <paramref name="aggregatorKey"/> (at most <see cref="AggregatorRows.Count"/>, each
    /// row number once) in one atomic operation: a row with an ETag replaces the stored row only if it still has that
    /// ETag, a row without one is inserted only if none is stored. Returns each row's new ETag by row number.
    /// </summary>
    /// <exception cref="Orleans.Storage.InconsistentStateException">A row was changed or created by another writer; nothing was written.</exception>
    /// <exception cref="ArgumentException">A row number outside 0–63, a row twice, or a row too large for storage.</exception>
    Task<IReadOnlyDictionary<int, string>> WriteAsync(string aggregatorKey, IReadOnlyList<AggregatorRow> rows, CancellationToken cancellationToken = default);
}

/// <summary>One stored row of an aggregator: its number (0–63), its sums and marks, and the ETag it was read or written with (null: not stored yet).</summary>
public sealed record AggregatorRow(int Row, AggregatorShard State, string? ETag);
