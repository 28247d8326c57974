using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Engagement.Azure.Tests.Infrastructure;

/// <summary>SDK clients on the test Azurite, and a table/queue that each test owns and deletes afterwards.</summary>
public static class StorageClients
{
    public static TableServiceClient Tables() => new(Azurite.ConnectionString);

    public static QueueServiceClient Queues() => new(Azurite.ConnectionString);

    /// <summary>A fresh table name (letters and digits only, as Azure requires).</summary>
    public static string TableName(string prefix) => Azurite.UniqueName(prefix);

    public static async Task DeleteTableQuietlyAsync(string tableName)
    {
        try
        {
            await Tables().DeleteTableAsync(tableName);
        }
        catch (global::Azure.RequestFailedException)
        {
            // Cleanup only; a leftover table in a throwaway Azurite is harmless.
        }
    }
}
