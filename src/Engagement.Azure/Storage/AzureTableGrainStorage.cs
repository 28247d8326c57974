using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace Engagement.Azure.Storage;

/// <summary>
/// Orleans grain storage on one Azure table. One row per (service, grain, state name):
/// partition key <c>{serviceId}|{grainId}</c>, row key the state name (both escaped, see <see cref="TableKeys"/>),
/// so deployments with different <c>ClusterOptions.ServiceId</c> can share a table without seeing each other.
/// The state is System.Text.Json text (camelCase by default), split over string properties <c>Data0</c>,
/// <c>Data1</c>, … of at most 32K characters each (64 KiB, Azure's limit per property); up to 15 of them fit one
/// 1 MiB entity.
/// </summary>
/// <remarks>
/// <para><b>Multi-silo safety.</b> Every write is ETag-guarded: a first write is an insert that fails if the row
/// exists, later writes and clears replace only the row version the caller read. A writer holding a stale ETag gets
/// <see cref="InconsistentStateException"/> instead of overwriting another silo's state, so two activations of one
/// grain on two silos can never both win.</para>
/// <para>Clear follows Orleans' contract: the state is reset to its default, <see cref="IGrainState{T}.RecordExists"/>
/// becomes false, and a later write succeeds. By default the row is replaced by an empty "cleared" marker (the ETag
/// moves on); with <see cref="AzureTableGrainStorageOptions.DeleteStateOnClear"/> the row is deleted and the ETag
/// becomes null.</para>
/// </remarks>
public sealed partial class AzureTableGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Azure Tables stores strings as UTF-16 and allows 64 KiB per property.</summary>
    internal const int MaxChunkChars = 32 * 1024;

    /// <summary>15 × 64 KiB = 960 KiB leaves room for keys and system properties within the 1 MiB entity limit.</summary>
    internal const int MaxChunks = 15;

    internal const string DataPropertyPrefix = "Data";
    internal const string ChunkCountProperty = "DataChunks";
    internal const string ClearedProperty = "Cleared";
    private const string GrainIdProperty = "GrainId";
    private const string ServiceIdProperty = "ServiceId";

    private readonly string _name;
    private readonly AzureTableGrainStorageOptions _options;
    private readonly string _serviceId;
    private readonly ILogger _logger;
    private readonly TableClient _table;
    private readonly AsyncOnce _createTable;

    public AzureTableGrainStorage(
        string name,
        AzureTableGrainStorageOptions options,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<AzureTableGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _name = name;
        _options = options;
        _serviceId = clusterOptions.Value.ServiceId
            ?? throw new ArgumentException("ClusterOptions.ServiceId is required.", nameof(clusterOptions));
        _logger = logger;
        _table = options.CreateServiceClient().GetTableClient(options.TableName);
        _createTable = new AsyncOnce(CreateTableAsync);
    }

    /// <summary>The provider name this instance was registered under.</summary>
    public string Name => _name;

    /// <summary>Creates the table if it does not exist. Runs at silo start; every operation also ensures it once.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _createTable.RunAsync(cancellationToken);

    private async Task CreateTableAsync()
    {
        await _table.CreateIfNotExistsAsync();
        LogTableReady(_logger, _name, _options.TableName, _serviceId);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(AzureTableGrainStorage)}-{_name}", _options.InitStage, InitializeAsync);

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is null)
        {
            grainState.State = CreateDefault<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var entity = response.Value;
        var json = ReadChunks(entity);
        grainState.ETag = entity.ETag.ToString();
        if (json is null)
        {
            // A cleared marker: no state, but the row version still guards the next write.
            grainState.State = CreateDefault<T>();
            grainState.RecordExists = false;
            return;
        }

        grainState.State = JsonSerializer.Deserialize<T>(json, _options.JsonSerializerOptions) ?? CreateDefault<T>();
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        var json = JsonSerializer.Serialize(grainState.State, _options.JsonSerializerOptions);
        var entity = NewEntity(partitionKey, rowKey, grainId);
        var chunks = Split(json);
        if (chunks.Count > MaxChunks)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"State '{stateName}' of {grainId} is {json.Length} characters of JSON; one table row holds at most {MaxChunks * MaxChunkChars}."));
        }

        entity[ChunkCountProperty] = chunks.Count;
        for (var i = 0; i < chunks.Count; i++)
        {
            entity[DataPropertyPrefix + i.ToString(CultureInfo.InvariantCulture)] = chunks[i];
        }

        grainState.ETag = await PutAsync(entity, grainState.ETag, "write", stateName, grainId, cancellationToken);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await InitializeAsync(cancellationToken);
        var (partitionKey, rowKey) = Keys(stateName, grainId);
        if (_options.DeleteStateOnClear)
        {
            await DeleteAsync(partitionKey, rowKey, grainState.ETag, stateName, grainId, cancellationToken);
            grainState.ETag = null;
        }
        else
        {
            var marker = NewEntity(partitionKey, rowKey, grainId);
            marker[ClearedProperty] = true;
            grainState.ETag = await PutAsync(marker, grainState.ETag, "clear", stateName, grainId, cancellationToken);
        }

        grainState.State = CreateDefault<T>();
        grainState.RecordExists = false;
    }

    private async Task<string?> PutAsync(TableEntity entity, string? etag, string operation, string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        try
        {
            var response = etag is null
                ? await _table.AddEntityAsync(entity, cancellationToken)
                : await _table.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            // 409: inserted as new but a row exists; 412: the row changed since it was read; 404: it was deleted.
            throw Conflict(operation, stateName, grainId, etag, ex);
        }
    }

    private async Task DeleteAsync(string partitionKey, string rowKey, string? etag, string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        if (etag is null)
        {
            // The caller believes there is no row; if one exists, someone else wrote it and the caller is stale.
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select: [ChunkCountProperty], cancellationToken: cancellationToken);
            if (existing.HasValue)
            {
                throw Conflict("clear", stateName, grainId, etag, null);
            }

            return;
        }

        try
        {
            var response = await _table.DeleteEntityAsync(partitionKey, rowKey, new ETag(etag), cancellationToken);
            if (response.Status == 404)
            {
                throw Conflict("clear", stateName, grainId, etag, null);
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            throw Conflict("clear", stateName, grainId, etag, ex);
        }
    }

    private InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, string? etag, Exception? inner)
    {
        LogConflict(_logger, operation, stateName, grainId, etag, _options.TableName);
        var message = $"Grain storage '{_name}': {operation} of state '{stateName}' for {grainId} in table '{_options.TableName}' " +
                      $"lost an optimistic concurrency check (ETag {etag ?? "none"}); another writer changed the row.";
        return inner is null
            ? new InconsistentStateException(message, "Unknown", etag ?? string.Empty)
            : new InconsistentStateException(message, "Unknown", etag ?? string.Empty, inner);
    }

    private (string PartitionKey, string RowKey) Keys(string stateName, GrainId grainId) =>
        (TableKeys.CheckLength(TableKeys.Join(_serviceId, grainId.ToString()), "partition key"),
         TableKeys.CheckLength(TableKeys.Escape(stateName), "row key"));

    private TableEntity NewEntity(string partitionKey, string rowKey, GrainId grainId) =>
        new(partitionKey, rowKey)
        {
            [ServiceIdProperty] = _serviceId,
            [GrainIdProperty] = grainId.ToString(),
        };

    internal static List<string> Split(string json)
    {
        var chunks = new List<string>(json.Length / MaxChunkChars + 1);
        var start = 0;
        while (start < json.Length)
        {
            var length = Math.Min(MaxChunkChars, json.Length - start);
            // Never cut a surrogate pair in two: each half alone is not valid text on the wire.
            if (length < json.Length - start && char.IsHighSurrogate(json[start + length - 1]))
            {
                length--;
            }

            chunks.Add(json.Substring(start, length));
            start += length;
        }

        return chunks;
    }

    private static string? ReadChunks(TableEntity entity)
    {
        if (entity.GetInt32(ChunkCountProperty) is not { } count || entity.GetBoolean(ClearedProperty) == true)
        {
            return null;
        }

        if (count == 1)
        {
            return entity.GetString(DataPropertyPrefix + "0") ?? string.Empty;
        }

        var builder = new StringBuilder(count * MaxChunkChars);
        for (var i = 0; i < count; i++)
        {
            var chunk = entity.GetString(DataPropertyPrefix + i.ToString(CultureInfo.InvariantCulture))
                ?? throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Row {entity.PartitionKey}/{entity.RowKey} declares {count} data chunks but chunk {i} is missing."));
            builder.Append(chunk);
        }

        return builder.ToString();
    }

    private static T CreateDefault<T>()
    {
        if (typeof(T).IsValueType || typeof(T) == typeof(string))
        {
            return default!;
        }

        try
        {
            return Activator.CreateInstance<T>();
        }
        catch (MissingMethodException)
        {
            return default!;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage {Provider} uses table {Table} for service {ServiceId}")]
    private static partial void LogTableReady(ILogger logger, string provider, string table, string serviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Operation} of {StateName} for {GrainId} with ETag {ETag} in {Table} hit a concurrent change")]
    private static partial void LogConflict(ILogger logger, string operation, string stateName, GrainId grainId, string? etag, string table);
}
