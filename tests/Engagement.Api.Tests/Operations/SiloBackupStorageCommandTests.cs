using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Silo;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// The silo's <c>backup</c>, <c>backups</c> and <c>restore</c> commands (docs/backups.md, "The commands: backup, backups, restore") with
/// <c>ConnectionStrings:BackupStorage</c>: the backup is written to that account, not the data's, and a restore reads
/// it from there into the data's dropped tables. Run in-process with the settings on the command line, against real
/// Azurite with two accounts (devstoreaccount1 holds the data, engagementbackup the backups; scripts/test starts both).
/// </summary>
public sealed class SiloBackupStorageCommandTests : IAsyncLifetime
{
    private readonly string _prefix = "Cli" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _container = "cli-backups-" + Guid.NewGuid().ToString("N")[..12];

    private static string DataAccount => Variable("AZURE_STORAGE_CONNECTION_STRING");

    private static string BackupAccount => Variable("AZURE_STORAGE_BACKUP_CONNECTION_STRING");

    private string[] Tables => [_prefix + "State", _prefix + "Ledger"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in Tables)
        {
            await new TableServiceClient(DataAccount).GetTableClient(table).DeleteAsync();
        }

        foreach (var account in new[] { DataAccount, BackupAccount })
        {
            await new BlobServiceClient(account).GetBlobContainerClient(_container).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task BackupBackupsAndRestoreKeepTheBackupInTheBackupAccount()
    {
        var data = new TableServiceClient(DataAccount);
        foreach (var table in Tables)
        {
            await data.CreateTableIfNotExistsAsync(table);
            await data.GetTableClient(table).AddEntityAsync(new TableEntity("p", "r") { ["Value"] = table });
        }

        Assert.Equal(0, await BackupCommands.TryRunAsync(["backup", .. Settings(withBackupStorage: true)]));
        Assert.Equal(0, await BackupCommands.TryRunAsync(["backups", .. Settings(withBackupStorage: true)]));

        var kept = new BlobServiceClient(BackupAccount).GetBlobContainerClient(_container);
        var manifests = new List<string>();
        await foreach (var blob in kept.GetBlobsAsync())
        {
            if (blob.Name.EndsWith("/manifest.json", StringComparison.Ordinal))
            {
                manifests.Add(blob.Name);
            }
        }

        var name = Assert.Single(manifests)[..^"/manifest.json".Length];
        Assert.All(Tables, t => Assert.True(kept.GetBlobClient(TableBackup.TableBlobName(name, t)).Exists().Value, $"{t} is not in the backup account"));
        Assert.False(await new BlobServiceClient(DataAccount).GetBlobContainerClient(_container).ExistsAsync(), "the backup was written to the data's account");

        foreach (var table in Tables)
        {
            await data.DeleteTableAsync(table);
        }

        // Without BackupStorage the restore looks in the data's account, finds no backup and says so (exit 1, no trace).
        Assert.Equal(1, await BackupCommands.TryRunAsync(["restore", "--backup", name, .. Settings(withBackupStorage: false)]));
        Assert.Equal(0, await BackupCommands.TryRunAsync(["restore", "--backup", name, .. Settings(withBackupStorage: true)]));

        foreach (var table in Tables)
        {
            Assert.Equal(table, (await data.GetTableClient(table).GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Value"));
        }
    }

    [Fact]
    public async Task ABackupStorageThatIsNoConnectionStringIsAnErrorNotACrash() =>
        Assert.Equal(1, await BackupCommands.TryRunAsync(["backups", $"ConnectionStrings:AzureStorage={DataAccount}", "ConnectionStrings:BackupStorage=https://engagementbackup.blob.core.windows.net/?sig=x", $"Engagement:Backup:Container={_container}"]));

    /// <summary>Command-line settings: this test's tables only (the shared Azurite holds other tests' engine tables).</summary>
    private string[] Settings(bool withBackupStorage) =>
    [
        $"ConnectionStrings:AzureStorage={DataAccount}",
        $"ConnectionStrings:BackupStorage={(withBackupStorage ? BackupAccount : "")}",
        $"Engagement:Backup:Container={_container}",
        $"Engagement:Backup:TablePrefix={_prefix}",
        $"Engagement:Storage:GrainStateTableName={Tables[0]}",
        $"Engagement:Storage:LedgerTableName={Tables[1]}",
        $"Engagement:Storage:ReminderTableName={_prefix}Reminders",
        $"Engagement:Storage:MetricsTableName={_prefix}Metrics",
        $"Engagement:Storage:MembershipTableName={_prefix}Silos",
        $"Engagement:Campaigns:MemberIndexTableName={_prefix}Index",
    ];

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test (it starts Azurite with the accounts the tests use).");
}
