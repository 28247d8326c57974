using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Engagement.Azure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Engagement.Azure.Reminders;

/// <summary>
/// Orleans reminder table on one Azure table.
/// Partition key <c>{serviceId}|{bucket}</c>, where the bucket is the top byte of the grain's uniform hash as two
/// hex digits: a silo's hash-range read becomes one contiguous partition-range scan inside its own service (two for
/// a range that wraps around), never a scan of the whole table, and the grain hash is stored as <c>GrainHash</c>
/// (Int64) to filter on. Row key <c>{grainId}|{reminderName}</c> (escaped), so one grain's reminders are one
/// row-key prefix in one partition.
/// </summary>
/// <remarks>
/// <para><b>Multi-silo safety.</b> Removal is ETag-guarded: a remove with an ETag that no longer matches the row
/// returns false and leaves the newer reminder in place. <see cref="UpsertRow(ReminderEntry)"/> is an unconditional
/// replace, as Orleans' reminder service expects (the reminder service that owns the grain's hash range is the only
/// writer); it returns the new ETag that guards the next remove.</para>
/// <para>Every write is counted in <see cref="ReminderTableStats"/> and on the
/// <c>engagement.reminders.table_writes</c> counter.</para>
/// </remarks>
public sealed partial class AzureTableReminderTable : IReminderTable
{
    private const string GrainIdProperty = "GrainId";
    private const string ReminderNameProperty = "ReminderName";
    private const string GrainHashProperty = "GrainHash";
    private const string StartAtProperty = "StartAt";
    private const string PeriodProperty = "Period";
    private const string ServiceIdProperty = "ServiceId";

    private readonly AzureTableReminderTableOptions _options;
    private readonly string _serviceId;
    private readonly string _partitionPrefix;
    private readonly ReminderTableStats _stats;
    private readonly ILogger _logger;
    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableReminderTable(
        IOptions<AzureTableReminderTableOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ReminderTableStats stats,
        ILogger<AzureTableReminderTable> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _options = options.Value;
        _serviceId = clusterOptions.Value.ServiceId
            ?? throw new ArgumentException("ClusterOptions.ServiceId is required.", nameof(clusterOptions));
        _partitionPrefix = TableKeys.Escape(_serviceId) + TableKeys.Separator;
        _stats = stats ?? ReminderTableStats.Shared;
        _logger = logger;
        _table = _options.CreateServiceClient().GetTableClient(_options.TableName);
        _createTable = new AsyncOnce(CreateTableAsync);
    }

    /// <inheritdoc />
    public Task Init() => InitializeAsync(CancellationToken.None);

    /// <summary>Creates the table if it does not exist; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => InitializeAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private async Task CreateTableAsync()
    {
        await _table.CreateIfNotExistsAsync();
        LogTableReady(_logger, _options.TableName, _serviceId);
    }

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) => ReadRows(grainId, CancellationToken.None);

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var rowPrefix = TableKeys.Escape(grainId.ToString()) + TableKeys.Separator;
        var rowEnd = rowPrefix[..^1] + TableKeys.AfterSeparator;
        var partition = PartitionKey(grainId.GetUniformHashCode());
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {rowPrefix} and RowKey lt {rowEnd}");
        return new ReminderTableData(await QueryAsync(filter, cancellationToken));
    }

    /// <summary>
    /// Rows whose grain hash is in (<paramref name="begin"/>, <paramref name="end"/>]; when
    /// <paramref name="begin"/> ≥ <paramref name="end"/> the range wraps around: hash &gt; begin or hash ≤ end
    /// (begin = end is the whole ring).
    /// </summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadRows(begin, end, CancellationToken.None);

    /// <inheritdoc cref="ReadRows(uint, uint)" />
    public async Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var entries = new List<ReminderEntry>();
        if (begin < end)
        {
            entries.AddRange(await ReadHashRangeAsync(begin + 1, end, cancellationToken));
        }
        else
        {
            if (begin < uint.MaxValue)
            {
                entries.AddRange(await ReadHashRangeAsync(begin + 1, uint.MaxValue, cancellationToken));
            }

            entries.AddRange(await ReadHashRangeAsync(0, end, cancellationToken));
        }

        return new ReminderTableData(entries);
    }

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => ReadRow(grainId, reminderName, CancellationToken.None);

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(
            PartitionKey(grainId.GetUniformHashCode()), RowKey(grainId, reminderName), cancellationToken: cancellationToken);
        // Orleans' contract: null when there is no such reminder.
        return response.HasValue && response.Value is not null ? ToEntry(response.Value) : null;
    }

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    /// <inheritdoc />
    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await InitializeAsync(cancellationToken);
        var hash = entry.GrainId.GetUniformHashCode();
        var entity = new TableEntity(PartitionKey(hash), RowKey(entry.GrainId, entry.ReminderName))
        {
            [ServiceIdProperty] = _serviceId,
            [GrainIdProperty] = entry.GrainId.ToString(),
            [ReminderNameProperty] = entry.ReminderName,
            [GrainHashProperty] = (long)hash,
            [StartAtProperty] = entry.StartAt.ToString("O", CultureInfo.InvariantCulture),
            [PeriodProperty] = entry.Period.ToString("c", CultureInfo.InvariantCulture),
        };
        _stats.RecordUpsert();
        var response = await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        var etag = response.Headers.ETag?.ToString()
            ?? throw new InvalidOperationException("The table service returned no ETag for an upsert.");
        entry.ETag = etag;
        return etag;
    }

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    /// <inheritdoc />
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(eTag);
        await InitializeAsync(cancellationToken);
        _stats.RecordRemove();
        try
        {
            var response = await _table.DeleteEntityAsync(
                PartitionKey(grainId.GetUniformHashCode()), RowKey(grainId, reminderName), new ETag(eTag), cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            LogStaleRemove(_logger, grainId, reminderName, eTag);
            return false;
        }
    }

    /// <summary>Deletes every reminder of this service (other services in the same table are untouched).</summary>
    public Task TestOnlyClearTable() => TestOnlyClearTable(CancellationToken.None);

    /// <inheritdoc cref="TestOnlyClearTable()" />
    public async Task TestOnlyClearTable(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {_partitionPrefix + Bucket(0)} and PartitionKey le {_partitionPrefix + Bucket(uint.MaxValue)}");
        var keys = new List<TableEntity>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity);
        }

        foreach (var partition in keys.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(100))
            {
                await _table.SubmitTransactionAsync(
                    batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
            }
        }
    }

    private async Task<List<ReminderEntry>> ReadHashRangeAsync(uint low, uint high, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {PartitionKey(low)} and PartitionKey le {PartitionKey(high)} and GrainHash ge {(long)low} and GrainHash le {(long)high}");
        return await QueryAsync(filter, cancellationToken);
    }

    private async Task<List<ReminderEntry>> QueryAsync(string filter, CancellationToken cancellationToken)
    {
        var entries = new List<ReminderEntry>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(ToEntry(entity));
        }

        return entries;
    }

    private string PartitionKey(uint grainHash) => _partitionPrefix + Bucket(grainHash);

    private static string Bucket(uint grainHash) => (grainHash >> 24).ToString("x2", CultureInfo.InvariantCulture);

    private static string RowKey(GrainId grainId, string reminderName) =>
        TableKeys.CheckLength(TableKeys.Join(grainId.ToString(), reminderName), "reminder row key");

    private static ReminderEntry ToEntry(TableEntity entity) => new()
    {
        GrainId = GrainId.Parse(entity.GetString(GrainIdProperty), CultureInfo.InvariantCulture),
        ReminderName = entity.GetString(ReminderNameProperty),
        StartAt = DateTime.Parse(entity.GetString(StartAtProperty), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        Period = TimeSpan.ParseExact(entity.GetString(PeriodProperty), "c", CultureInfo.InvariantCulture),
        ETag = entity.ETag.ToString(),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder table {Table} ready for service {ServiceId}")]
    private static partial void LogTableReady(ILogger logger, string table, string serviceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reminder {ReminderName} of {GrainId} was not removed: ETag {ETag} is stale or the row is gone")]
    private static partial void LogStaleRemove(ILogger logger, GrainId grainId, string reminderName, string eTag);
}
