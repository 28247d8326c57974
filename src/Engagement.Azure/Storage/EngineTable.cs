using Azure.Data.Tables;

namespace Engagement.Azure.Storage;

/// <summary>
/// One of the engine's own tables (audit, member search, member index, ledger archive): its client, and its
/// creation run once and shared by every operation (<see cref="AsyncOnce"/>).
/// </summary>
internal sealed class EngineTable
{
    /// <summary>Opens <paramref name="tableName"/> on <paramref name="serviceClient"/>; nothing is sent yet.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="serviceClient"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a valid Azure table name.</exception>
    public EngineTable(TableServiceClient serviceClient, string tableName)
    {
        ArgumentNullException.ThrowIfNull(serviceClient);
        if (!StorageNaming.IsValidTableName(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid Azure table name.", nameof(tableName));
        }

        Client = serviceClient.GetTableClient(tableName);
        Creation = new AsyncOnce(() => Client.CreateIfNotExistsAsync());
    }

    /// <summary>The table's client.</summary>
    public TableClient Client { get; }

    /// <summary>Creates the table if missing, once.</summary>
    public AsyncOnce Creation { get; }
}
