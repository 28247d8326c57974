using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// One table to back up, on the test Azurite: <c>{kind}{fresh suffix}{suffix}</c> holding the rows a test gives, the
/// options that copy it first into a fresh container, and the clients. Disposing it removes the table and the container.
/// </summary>
internal sealed class BackedUpTable : IAsyncDisposable
{
    private BackedUpTable(string prefix, string name, BackupOptions options)
    {
        Prefix = prefix;
        Name = name;
        Options = options;
    }

    /// <summary>The options' <see cref="BackupOptions.TablePrefix"/> (the kind and a fresh suffix).</summary>
    public string Prefix { get; }

    /// <summary>The table's name (the prefix and the test's suffix).</summary>
    public string Name { get; }

    /// <summary>Options copying the table first, into a fresh container.</summary>
    public BackupOptions Options { get; }

    /// <summary>The test Azurite's tables.</summary>
    public TableServiceClient Tables { get; } = new(Azurite.ConnectionString);

    /// <summary>The test Azurite's blobs.</summary>
    public BlobServiceClient Blobs { get; } = new(Azurite.ConnectionString);

    /// <summary>
    /// A table account nobody listens on (port 9, discard), with Azurite's well-known development key and no retries: a
    /// backup read from it fails at once, a failure as real as a storage outage.
    /// </summary>
    public static TableServiceClient UnreachableTables() => new(
        new Uri("http://127.0.0.1:9/devstoreaccount1"),
        new TableSharedKeyCredential("devstoreaccount1", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
        new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } });

    /// <summary>
    /// Creates table <paramref name="kind"/> + a fresh suffix + <paramref name="suffix"/> holding <paramref name="rows"/>;
    /// the options name <paramref name="timeZone"/> when given (else <see cref="BackupOptions"/>' default).
    /// </summary>
    public static async Task<BackedUpTable> CreateAsync(string kind, string suffix, string? timeZone, params TableEntity[] rows)
    {
        var prefix = kind + Guid.NewGuid().ToString("N")[..10];
        var options = new BackupOptions { TablePrefix = prefix, Container = Azurite.UniqueName("backups-"), FirstTables = [prefix + suffix] };
        if (timeZone is not null)
        {
            options.TimeZone = timeZone;
        }

        var table = new BackedUpTable(prefix, prefix + suffix, options);
        await table.Tables.CreateTableIfNotExistsAsync(table.Name);
        foreach (var row in rows)
        {
            await table.Tables.GetTableClient(table.Name).AddEntityAsync(row);
        }

        return table;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StorageClients.DeleteTableQuietlyAsync(Name);
        await Blobs.GetBlobContainerClient(Options.Container).DeleteIfExistsAsync();
    }
}
