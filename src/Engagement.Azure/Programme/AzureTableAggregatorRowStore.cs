using System.Globalization;
using System.Net;
using Azure;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Engagement.Domain.Metrics;
using Engagement.Grains.Ports;
using Orleans.Storage;

namespace Engagement.Azure.Programme;

/// <summary>
/// Aggregator rows (<see cref="IAggregatorRowStore"/>) in an Azure table (default <c>EngagementMetrics</c>): one
/// partition per aggregator, <c>{serviceId}|{aggregator key}</c> escaped as the official grain-state provider does (so
/// deployments and test runs sharing an account stay apart), row key the row number <c>00</c>–<c>63</c>. Properties:
/// <c>Counters</c> (JSON object, readable in a storage browser; past 32 Ki characters it continues in <c>Counters1</c>…),
/// <c>Revenue</c> (CNY, invariant decimal),
/// <c>AppliedCount</c>, <c>DuplicateCount</c>, and the dedupe marks as binary chunks <c>Marks0</c>… and <c>Applied0</c>…
/// (<see cref="AggregatorRowCodec"/>; 64 KiB per property, as Azure allows). Row <c>sum</c> holds the aggregator's sums
/// over all its rows (<c>Counters</c>, <c>Revenue</c>), written in the same transaction as the rows.
/// </summary>
/// <remarks>
/// A write is one entity group transaction when it fits Azure's 4 MiB (all rows of an aggregator share its partition
/// and a write carries at most 64), several when rows of many marks do not (<see cref="TransactionPayload"/>):
/// replace-if-ETag for stored rows, insert for new ones, so two activations of one aggregator (a silo failover)
/// cannot both succeed on a row. A row holds at most <see cref="MaxMarkChunks"/> × 3,276 member marks (~36,000; an
/// aggregator 64 times that, ~2.3 million members): past it the write is refused, not cut, and the aggregator's members
/// keep their contributions (marks are never dropped to make room: a forgotten member would count twice).
/// </remarks>
public sealed class AzureTableAggregatorRowStore : IAggregatorRowStore
{
    /// <summary>Default table name.</summary>
    public const string DefaultTableName = "EngagementMetrics";

    /// <summary>Azure's limit for one binary property, bytes.</summary>
    internal const int ChunkBytes = 64 * 1024;

    /// <summary>Mark chunks a row may have (with the rest, well within Azure's 1 MiB per entity).</summary>
    internal const int MaxMarkChunks = 11;

    /// <summary>Chunks for ids applied without a sequence.</summary>
    internal const int MaxAppliedChunks = 2;

    /// <summary>
    /// Characters of counters JSON one string property holds (Azure: 64 KiB of UTF-16); longer counters continue in
    /// <c>Counters1</c>, <c>Counters2</c>, ... (a day of many coupon offers counts two names per offer).
    /// </summary>
    internal const int CounterChunkChars = ChunkBytes / 2;

    /// <summary>Counter chunks a row (or the sums) may have: 128 Ki characters of counters JSON.</summary>
    internal const int MaxCounterChunks = 4;

    /// <summary>Azure's limit for one entity, bytes as it counts them (<see cref="EntityBytes"/>).</summary>
    internal const int MaxEntityBytes = 1024 * 1024;

    private const string CountersProperty = "Counters";
    private const string RevenueProperty = "Revenue";
    private const string AppliedCountProperty = "AppliedCount";
    private const string DuplicateCountProperty = "DuplicateCount";
    private const string MarksPrefix = "Marks";
    private const string AppliedPrefix = "Applied";

    /// <summary>The row key of the aggregator's sums over all its rows (row keys of rows are <c>00</c>–<c>63</c>).</summary>
    internal const string SumsRowKey = "sum";

    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;
    private readonly string _serviceId;

    /// <summary>Opens <paramref name="tableName"/>; <paramref name="serviceId"/> is the cluster's service id (Orleans <c>ClusterOptions.ServiceId</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a valid table name, or <paramref name="serviceId"/> is empty.</exception>
    public AzureTableAggregatorRowStore(TableServiceClient serviceClient, string serviceId, string tableName = DefaultTableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var table = new EngineTable(serviceClient, tableName);
        _table = table.Client;
        _createTable = table.Creation;
        _serviceId = serviceId;
    }

    /// <summary>Creates the table if it does not exist; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AggregatorRow>> ReadAsync(string aggregatorKey, CancellationToken cancellationToken = default)
    {
        var partition = PartitionKey(aggregatorKey);
        await InitializeAsync(cancellationToken);
        var rows = new List<AggregatorRow>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {SumsRowKey}"), cancellationToken: cancellationToken))
        {
            rows.Add(new AggregatorRow(int.Parse(entity.RowKey, CultureInfo.InvariantCulture), AggregatorRowCodec.Decode(FromEntity(entity)), entity.ETag.ToString()));
        }

        return rows;
    }

    /// <inheritdoc />
    public bool SharedByTheCluster => true;

    /// <inheritdoc />
    /// <remarks>
    /// One query per call over the partitions from the smallest to the largest key asked for, row <c>sum</c> only, its
    /// counters and revenue only; entities of keys not asked for (another region sorting in between) are skipped.
    /// Aggregators written before sums were stored beside their rows have none until their next write.
    /// </remarks>
    public async Task<IReadOnlyDictionary<string, DayCounters>> ReadSumsAsync(IReadOnlyCollection<string> aggregatorKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregatorKeys);
        var sums = new Dictionary<string, DayCounters>(StringComparer.Ordinal);
        if (aggregatorKeys.Count == 0)
        {
            return sums;
        }

        var byPartition = aggregatorKeys.Distinct(StringComparer.Ordinal).ToDictionary(PartitionKey, k => k, StringComparer.Ordinal);
        var first = byPartition.Keys.Min(StringComparer.Ordinal)!;
        var last = byPartition.Keys.Max(StringComparer.Ordinal)!;
        await InitializeAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {first} and PartitionKey le {last} and RowKey eq {SumsRowKey}");
        string[] select = ["PartitionKey", RevenueProperty, .. Enumerable.Range(0, MaxCounterChunks).Select(i => i == 0 ? CountersProperty : CountersProperty + i.ToString(CultureInfo.InvariantCulture))];
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken))
        {
            if (byPartition.TryGetValue(entity.PartitionKey, out var key))
            {
                sums[key] = AggregatorSumCodec.Decode(Counters(entity), entity.GetString(RevenueProperty) ?? "0");
            }
        }

        return sums;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<int, string>> WriteAsync(string aggregatorKey, IReadOnlyList<AggregatorRow> rows, DayCounters? total = null, CancellationToken cancellationToken = default)
    {
        AggregatorRowChecks.Validate(rows);
        if (rows.Count == 0)
        {
            return new Dictionary<int, string>();
        }

        var partition = PartitionKey(aggregatorKey);
        var actions = rows.Select(r =>
        {
            var entity = ToEntity(partition, r.Row, AggregatorRowCodec.Encode(r.State));
            return r.ETag is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(r.ETag));
        }).ToList();
        TableTransactionAction? sumsAction = null;
        if (total is not null)
        {
            // After the rows, so a failed action's index still names a row; replaced unconditionally: the rows' ETags guard the write.
            var (counters, revenue) = AggregatorSumCodec.Encode(total);
            var sums = new TableEntity(partition, SumsRowKey) { [RevenueProperty] = revenue };
            AddCounters(sums, counters, "sums");
            sumsAction = new TableTransactionAction(TableTransactionActionType.UpsertReplace, sums);
        }

        await InitializeAsync(cancellationToken);
        var etags = new Dictionary<int, string>(rows.Count);
        var done = 0;
        // Rows of many marks exceed one transaction's 4 MiB: they go in several, the sums always with the last rows. Each
        // member's marks live in one row, so a failure after the first leaves every row exact on its own (the caller
        // reloads and its members re-send; each row drops what it applied). The stored sums wait for the next write,
        // which the re-sent contributions of the last transaction's rows (not applied, so not repeats) make.
        foreach (var transaction in TransactionPayload.Split(actions, sumsAction))
        {
            try
            {
                var response = await _table.SubmitTransactionAsync(transaction, cancellationToken);
                for (var i = 0; i < transaction.Count && done + i < rows.Count; i++)
                {
                    var row = rows[done + i];
                    etags[row.Row] = response.Value[i].Headers.ETag?.ToString()
                        ?? throw new InvalidOperationException($"aggregator {aggregatorKey} row {row.Row}: storage returned no ETag");
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                var row = ex.FailedTransactionActionIndex is { } i && done + i < rows.Count ? rows[done + i] : rows[Math.Min(done, rows.Count - 1)];
                throw new InconsistentStateException($"aggregator {aggregatorKey} row {row.Row} was changed by another writer ({ex.ErrorCode})", null, row.ETag, ex);
            }

            done += transaction.Count;
        }

        return etags;
    }

    internal string PartitionKey(string aggregatorKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(aggregatorKey);
        return TableKeys.CheckLength(TableKeys.Join(_serviceId, aggregatorKey), "aggregator partition key");
    }

    internal static TableEntity ToEntity(string partition, int row, EncodedAggregatorRow encoded)
    {
        var entity = new TableEntity(partition, row.ToString("D2", CultureInfo.InvariantCulture))
        {
            [RevenueProperty] = encoded.Revenue,
            [AppliedCountProperty] = encoded.AppliedCount,
            [DuplicateCountProperty] = encoded.DuplicateCount,
        };
        AddCounters(entity, encoded.Counters, $"row {row}");
        AddChunks(entity, MarksPrefix, encoded.Marks, MaxMarkChunks, row);
        AddChunks(entity, AppliedPrefix, encoded.Applied, MaxAppliedChunks, row);

        // Each part has its own bound; together they must still fit Azure's 1 MiB entity (Azurite does not check it).
        if (EntityBytes(entity) is var size && size > MaxEntityBytes)
        {
            throw new ArgumentException($"row {row}: {size:N0} bytes as Azure counts them; an entity holds {MaxEntityBytes:N0}", nameof(encoded));
        }

        return entity;
    }

    private static void AddChunks(TableEntity entity, string prefix, byte[] bytes, int maxChunks, int row)
    {
        var chunks = (bytes.Length + ChunkBytes - 1) / ChunkBytes;
        if (chunks > maxChunks)
        {
            throw new ArgumentException($"row {row}: {prefix} are {bytes.Length:N0} bytes; a row holds {maxChunks * ChunkBytes:N0}", nameof(bytes));
        }

        for (var i = 0; i < chunks; i++)
        {
            var start = i * ChunkBytes;
            entity[prefix + i.ToString(CultureInfo.InvariantCulture)] = bytes[start..Math.Min(bytes.Length, start + ChunkBytes)];
        }
    }

    private static byte[] Chunks(TableEntity entity, string prefix)
    {
        var parts = new List<byte[]>();
        for (var i = 0; entity.GetBinary(prefix + i.ToString(CultureInfo.InvariantCulture)) is { } part; i++)
        {
            parts.Add(part);
        }

        return parts.Count == 1 ? parts[0] : [.. parts.SelectMany(p => p)];
    }

    /// <summary>
    /// The size Azure Table storage counts for <paramref name="entity"/>: 4 bytes, the keys at 2 bytes a character, and
    /// per property 8 bytes, its name at 2 a character and its value (a string at 2 a character plus 4, binary its
    /// length plus 4, any other 8).
    /// </summary>
    internal static long EntityBytes(TableEntity entity)
    {
        long bytes = 4 + ((entity.PartitionKey.Length + entity.RowKey.Length) * 2L);
        foreach (var (name, value) in entity)
        {
            if (name is "PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")
            {
                continue;
            }

            bytes += 8 + (name.Length * 2L) + value switch
            {
                string text => (text.Length * 2L) + 4,
                byte[] binary => binary.Length + 4L,
                _ => 8,
            };
        }

        return bytes;
    }

    /// <summary>Puts <paramref name="counters"/> in <c>Counters</c> and, past <see cref="CounterChunkChars"/>, <c>Counters1</c>...</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxCounterChunks"/> chunks; nothing is sent.</exception>
    private static void AddCounters(TableEntity entity, string counters, string what)
    {
        var chunks = Math.Max(1, (counters.Length + CounterChunkChars - 1) / CounterChunkChars);
        if (chunks > MaxCounterChunks)
        {
            throw new ArgumentException($"{what}: counters are {counters.Length:N0} characters; a row holds {MaxCounterChunks * CounterChunkChars:N0}", nameof(counters));
        }

        for (var i = 0; i < chunks; i++)
        {
            var start = i * CounterChunkChars;
            entity[i == 0 ? CountersProperty : CountersProperty + i.ToString(CultureInfo.InvariantCulture)] = counters[start..Math.Min(counters.Length, start + CounterChunkChars)];
        }
    }

    /// <summary>The counters JSON of <paramref name="entity"/>: <c>Counters</c>, then <c>Counters1</c>... joined.</summary>
    private static string Counters(TableEntity entity)
    {
        var first = entity.GetString(CountersProperty) ?? throw Corrupt(entity, CountersProperty);
        if (entity.GetString(CountersProperty + "1") is null)
        {
            return first;
        }

        var joined = new System.Text.StringBuilder(first);
        for (var i = 1; entity.GetString(CountersProperty + i.ToString(CultureInfo.InvariantCulture)) is { } part; i++)
        {
            joined.Append(part);
        }

        return joined.ToString();
    }

    private static EncodedAggregatorRow FromEntity(TableEntity entity) => new(
        Counters(entity),
        entity.GetString(RevenueProperty) ?? "0",
        Chunks(entity, MarksPrefix),
        Chunks(entity, AppliedPrefix),
        entity.GetInt64(AppliedCountProperty) ?? 0,
        entity.GetInt64(DuplicateCountProperty) ?? 0);

    private static FormatException Corrupt(TableEntity entity, string property) =>
        new($"Aggregator row {entity.PartitionKey}/{entity.RowKey} has no {property}.");
}
