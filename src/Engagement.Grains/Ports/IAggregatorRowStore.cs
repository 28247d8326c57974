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
    /// <param name="aggregatorKey">The aggregator (<c>MetricKeys</c>).</param>
    /// <param name="rows">The rows that changed.</param>
    /// <param name="total">
    /// The aggregator's sums over all its rows once these are written (null: leave the stored sums as they are). Stored in
    /// the same atomic operation, so <see cref="ReadSumsAsync"/> never sees sums that disagree with the rows.
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="Orleans.Storage.InconsistentStateException">A row was changed or created by another writer; nothing was written.</exception>
    /// <exception cref="ArgumentException">A row number outside 0–63, a row twice, or a row too large for storage.</exception>
    /// <remarks>
    /// An implementation must finish reading each <c>rows[i].State</c> (encode or copy it) before the returned task
    /// completes, and keep no reference to it or its dictionaries afterwards: no background retry, cache or
    /// fire-and-forget work that reads it later. The aggregator refills a written state's dictionaries as the next
    /// commit's (<see cref="AggregatorShard.Apply"/>'s <c>spare</c>) once a later write of its row has been stored.
    /// </remarks>
    Task<IReadOnlyDictionary<int, string>> WriteAsync(string aggregatorKey, IReadOnlyList<AggregatorRow> rows, DayCounters? total = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when every silo of the cluster reads the same store (a storage table), so a reader may take sums from it
    /// (<see cref="ReadSumsAsync"/>) instead of asking each aggregator grain; false for a store in one silo's memory.
    /// </summary>
    bool SharedByTheCluster { get; }

    /// <summary>
    /// The stored sums (as <see cref="WriteAsync"/> last stored them with its <c>total</c>) of the aggregators among
    /// <paramref name="aggregatorKeys"/> that have any, keyed by aggregator key; no entry for one that never wrote. One
    /// range read for keys that sort together (a region's days), without activating the aggregators or reading their
    /// member marks: how programme health reads hundreds of days at once.
    /// </summary>
    /// <exception cref="Exception">Storage cannot be reached.</exception>
    Task<IReadOnlyDictionary<string, DayCounters>> ReadSumsAsync(IReadOnlyCollection<string> aggregatorKeys, CancellationToken cancellationToken = default);
}

/// <summary>One stored row of an aggregator: its number (0–63), its sums and marks, and the ETag it was read or written with (null: not stored yet).</summary>
public sealed record AggregatorRow(int Row, AggregatorShard State, string? ETag);
