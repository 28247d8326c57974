using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Hosting;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Backups kept apart from the data (docs/backups.md, "Where the backups are kept"): with <c>ConnectionStrings:BackupStorage</c> the
/// backup blobs, manifest and restore journal are written to that account and the tables read from and restored into
/// <c>ConnectionStrings:AzureStorage</c>'s, so losing the data's account does not lose its backups; a restore into a new
/// account works by pointing <c>AzureStorage</c> at it. Against real Azurite with three accounts (devstoreaccount1, the
/// data; engagementbackup; engagementspare, the new account), through the services <c>AddEngagementBackups</c> registers.
/// </summary>
public sealed class BackupStorageAccountTests : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly string _container = Azurite.UniqueName("backups-");

    private string[] Tables => ["Sa" + _suffix + "State", "Sa" + _suffix + "Ledger", "Sa" + _suffix + "Reminders"];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var account in new[] { Azurite.ConnectionString, Azurite.SpareAccountConnectionString })
        {
            foreach (var table in Tables)
            {
                await new TableServiceClient(account).GetTableClient(table).DeleteAsync();
            }
        }

        foreach (var account in new[] { Azurite.ConnectionString, Azurite.BackupAccountConnectionString })
        {
            await new BlobServiceClient(account).GetBlobContainerClient(_container).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task ABackupGoesToTheBackupAccountAndRestoresTheDataAccountsDroppedTables()
    {
        var data = new TableServiceClient(Azurite.ConnectionString);
        await FillAsync(data);
        await using var services = Services(Azurite.ConnectionString, Azurite.BackupAccountConnectionString);

        var manifest = await services.GetRequiredService<TableBackup>().RunAsync();

        Assert.Equal(Tables.Order(StringComparer.Ordinal), manifest.Tables.Select(t => t.Table).Order(StringComparer.Ordinal));
        var kept = new BlobServiceClient(Azurite.BackupAccountConnectionString).GetBlobContainerClient(_container);
        var names = await BlobNamesAsync(kept);
        Assert.Contains(TableBackup.ManifestBlobName(manifest.Name), names);
        Assert.All(Tables, t => Assert.Contains(TableBackup.TableBlobName(manifest.Name, t), names));
        Assert.False(await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_container).ExistsAsync(), "the backup container was created in the data's account too");

        foreach (var table in Tables)
        {
            await data.DeleteTableAsync(table);
        }

        // The journal of the restore in progress is the backup account's, named by the account restored into.
        var journal = kept.GetBlobClient(RestoreJournal.BlobName(manifest.Name, "devstoreaccount1"));
        var progress = new JournalWatch(journal);
        var restored = await services.GetRequiredService<TableRestore>().RunAsync(manifest.Name, progress);

        Assert.All(manifest.Tables, t => Assert.Equal(t.Rows, restored[t.Table]));
        await AssertRowsAsync(data);
        Assert.Equal(Tables.Length, progress.JournalSeen);
        Assert.False(await journal.ExistsAsync(), "the journal of a finished restore is left");
        Assert.False(await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_container).ExistsAsync(), "the restore wrote to the data's account's blobs");
    }

    [Fact]
    public async Task WithTheDataAccountLostTheBackupIsRestoredIntoANewAccount()
    {
        await FillAsync(new TableServiceClient(Azurite.ConnectionString));
        BackupManifest manifest;
        await using (var before = Services(Azurite.ConnectionString, Azurite.BackupAccountConnectionString))
        {
            manifest = await before.GetRequiredService<TableBackup>().RunAsync();
        }

        // The data's account is gone: the silos point AzureStorage at a new account, BackupStorage still at the backups'.
        await using (var forgot = Services(Azurite.SpareAccountConnectionString, backupStorage: null))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => forgot.GetRequiredService<TableRestore>().RunAsync(manifest.Name));
            Assert.Contains("of account engagementspare", refused.Message, StringComparison.Ordinal);
            Assert.Contains("ConnectionStrings:BackupStorage", refused.Message, StringComparison.Ordinal);
        }

        await using var after = Services(Azurite.SpareAccountConnectionString, Azurite.BackupAccountConnectionString);
        var kept = new BlobServiceClient(Azurite.BackupAccountConnectionString).GetBlobContainerClient(_container);
        var progress = new JournalWatch(kept.GetBlobClient(RestoreJournal.BlobName(manifest.Name, "engagementspare")));
        var restored = await after.GetRequiredService<TableRestore>().RunAsync(manifest.Name, progress);

        Assert.All(manifest.Tables, t => Assert.Equal(t.Rows, restored[t.Table]));
        await AssertRowsAsync(new TableServiceClient(Azurite.SpareAccountConnectionString));
        Assert.Equal(Tables.Length, progress.JournalSeen);
        Assert.DoesNotContain(await BlobNamesAsync(kept), n => n.Contains("/restore/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResumeWithAJournalOfAnEarlierAccountOfTheSameNameIsRefused()
    {
        // A restore into an account named engagementspare broke off after the state table; that account was then lost
        // and created again under its name (empty): the journal, named by the account's name only, is still there.
        var manifest = await BackUpAndLeaveJournalAsync(m => new RestoreJournal { Backup = m.Name, FinishedTables = [Tables[0]] });
        await using var services = Services(Azurite.SpareAccountConnectionString, Azurite.BackupAccountConnectionString);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<TableRestore>().RunAsync(manifest.Name, resume: true));

        Assert.Contains($"says {Tables[0]} was restored up to line 1, but {Tables[0]} does not hold that line's row", refused.Message, StringComparison.Ordinal);
        Assert.Contains("without --resume", refused.Message, StringComparison.Ordinal);
        var created = new List<string>();
        await foreach (var table in new TableServiceClient(Azurite.SpareAccountConnectionString).QueryAsync(t => t.Name == Tables[1] || t.Name == Tables[2]))
        {
            created.Add(table.Name);
        }

        Assert.Empty(created);
    }

    [Fact]
    public async Task AResumeWithAJournalThatBrokeOffInTheFirstTableOfAnEarlierAccountIsRefused()
    {
        // A restore into an account named engagementspare broke off after line 1 of the state table, none finished;
        // that account was lost and created again (its state table is there, with a row a silo wrote, but not line 1's).
        var manifest = await BackUpAndLeaveJournalAsync(m => new RestoreJournal { Backup = m.Name, Table = Tables[0], LinesDone = 1, LastPartitionKey = "member" });
        await using var services = Services(Azurite.SpareAccountConnectionString, Azurite.BackupAccountConnectionString);
        var spare = new TableServiceClient(Azurite.SpareAccountConnectionString);
        await spare.CreateTableIfNotExistsAsync(Tables[0]);
        await spare.GetTableClient(Tables[0]).AddEntityAsync(new TableEntity("member", "M002") { ["Value"] = "a silo's" });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<TableRestore>().RunAsync(manifest.Name, resume: true));

        Assert.Contains($"says {Tables[0]} was restored up to line 1, but {Tables[0]} does not hold that line's row", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Restore without --resume into empty tables", refused.Message, StringComparison.Ordinal);
        var rows = new List<string>();
        await foreach (var row in spare.GetTableClient(Tables[0]).QueryAsync<TableEntity>())
        {
            rows.Add(row.RowKey);
        }

        Assert.Equal(["M002"], rows);
    }

    [Fact]
    public async Task AResumeWithAJournalPastTheEndOfItsTableIsRefused()
    {
        // A journal that says the state table got more lines than the backup holds is not of this backup: resuming
        // from it would skip every line and call the table finished with nothing written.
        var manifest = await BackUpAndLeaveJournalAsync(m => new RestoreJournal { Backup = m.Name, Table = Tables[0], LinesDone = m.Tables.Single(t => t.Table == Tables[0]).Rows + 5, LastPartitionKey = "member" });
        await using var services = Services(Azurite.SpareAccountConnectionString, Azurite.BackupAccountConnectionString);
        var lines = manifest.Tables.Single(t => t.Table == Tables[0]).Rows;

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => services.GetRequiredService<TableRestore>().RunAsync(manifest.Name, resume: true));

        Assert.Contains($"got {lines + 5:N0} lines, but backup '{manifest.Name}' holds {lines:N0}", refused.Message, StringComparison.Ordinal);
        var spare = new TableServiceClient(Azurite.SpareAccountConnectionString);
        var tables = new List<string>();
        await foreach (var table in spare.QueryAsync())
        {
            tables.Add(table.Name);
        }

        Assert.DoesNotContain(Tables[0], tables);
    }

    /// <summary>
    /// Fills the data account, backs it up to the backup account, and leaves there the journal <paramref name="journal"/>
    /// gives for the backup, as a restore into an account named engagementspare would have left it.
    /// </summary>
    private async Task<BackupManifest> BackUpAndLeaveJournalAsync(Func<BackupManifest, RestoreJournal> journal)
    {
        await FillAsync(new TableServiceClient(Azurite.ConnectionString));
        BackupManifest manifest;
        await using (var before = Services(Azurite.ConnectionString, Azurite.BackupAccountConnectionString))
        {
            manifest = await before.GetRequiredService<TableBackup>().RunAsync();
        }

        var kept = new BlobServiceClient(Azurite.BackupAccountConnectionString).GetBlobContainerClient(_container);
        await journal(manifest).SaveAsync(kept.GetBlobClient(RestoreJournal.BlobName(manifest.Name, "engagementspare")), manifest.FinishedAt, CancellationToken.None);
        return manifest;
    }

    [Fact]
    public async Task TheScheduleClaimsAndTakesItsBackupInTheBackupAccount()
    {
        await FillAsync(new TableServiceClient(Azurite.ConnectionString));

        // The schedule runs on the wall clock: one slot a day, half a day from now, so its last slot is half a day ago,
        // far from a boundary the test could cross. A silo stopped mid-copy released that slot in the backup account:
        // the schedule, at its start, claims it there and takes it late.
        var now = TimeProvider.System.GetUtcNow();
        var halfADayOn = now.UtcDateTime.AddHours(12);
        var at = new TimeOnly(halfADayOn.Hour, halfADayOn.Minute);
        var last = TableBackup.NameFor(BackupScheduler.PreviousSlot(now, [at], TimeZoneInfo.Utc));
        var kept = new BlobServiceClient(Azurite.BackupAccountConnectionString).GetBlobContainerClient(_container);
        await kept.CreateIfNotExistsAsync();
        await kept.GetBlobClient(BackupScheduler.ReleasedBlobName(last)).UploadAsync(BinaryData.FromString("a stopped silo"));
        await using var services = Services(
            Azurite.ConnectionString,
            Azurite.BackupAccountConnectionString,
            enabled: true,
            extra: new() { ["Engagement:Backup:Times:0"] = at.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), ["Engagement:Backup:TimeZone"] = "UTC" });
        var scheduler = services.GetServices<IHostedService>().OfType<BackupScheduler>().Single();

        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(async () => (await kept.GetBlobClient(TableBackup.ManifestBlobName(last)).ExistsAsync()).Value, TimeSpan.FromSeconds(60), $"backup {last} taken late in the backup account");
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }

        var manifest = await TableBackup.ReadManifestAsync(kept, last, CancellationToken.None);
        Assert.Equal(BackupManifest.Complete, manifest!.Status);
        Assert.Equal(Tables.Order(StringComparer.Ordinal), manifest.Tables.Select(t => t.Table).Order(StringComparer.Ordinal));
        Assert.True((await kept.GetBlobClient($"{last}/claim").ExistsAsync()).Value, "the claim is not in the backup account");
        Assert.False(await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_container).ExistsAsync(), "the schedule wrote to the data's account's blobs");
    }

    [Fact]
    public async Task TheScheduleWarnsOnceAtStartOnlyWhileBackupsShareTheDataAccount()
    {
        Assert.Equal(
            ["Backup storage: Backups are kept in devstoreaccount1, the storage account that holds the data (ConnectionStrings:BackupStorage is not set): losing that account (deleted, wiped with a leaked key, a region outage) loses the backups with it. Set ConnectionStrings:BackupStorage to another account (geo-redundant, its own keys)."],
            await StartWarningsAsync(backupStorage: null));
        var same = Assert.Single(await StartWarningsAsync(Azurite.ConnectionString));
        Assert.StartsWith("Backup storage: ConnectionStrings:BackupStorage names devstoreaccount1, the storage account that holds the data", same, StringComparison.Ordinal);
        Assert.Empty(await StartWarningsAsync(Azurite.BackupAccountConnectionString));
    }

    [Theory]
    [InlineData("https://engagement.blob.core.windows.net/", "https://engagement.blob.core.chinacloudapi.cn/", false)] // same name, other cloud
    [InlineData("https://data.example.com/", "https://backups.example.com/", false)] // custom domains: no account names
    [InlineData("https://data.example.com/", "https://DATA.example.com", true)]
    [InlineData("https://engagement.blob.core.windows.net/", "http://engagement.blob.core.windows.net/", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "http://127.0.0.1:10000/engagementbackup", false)]
    public void TheBackupsShareTheDataAccountWhenTheirBlobEndpointsAreTheSame(string data, string backups, bool shares)
    {
        static string Sas(string endpoint) => $"BlobEndpoint={endpoint};SharedAccessSignature=sv=2024-11-04&sig=c2VjcmV0";

        var storage = new BackupStorage(Sas(data), Sas(backups));

        Assert.Equal(shares, storage.SharesDataAccount);
        Assert.Equal(shares, storage.SharingWarning is not null);
    }

    [Theory]
    [InlineData("https://engagementbackup.blob.core.windows.net/?sv=2024-11-04&sig=c2VjcmV0")]
    [InlineData("AccountKey c2VjcmV0")]
    public async Task ABackupStorageThatIsNoConnectionStringIsRefusedAtStartWithoutShowingIt(string backupStorage)
    {
        await using var services = Services(Azurite.ConnectionString, backupStorage);
        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BackupOptions>>().Value);
        Assert.Contains("ConnectionStrings:BackupStorage is not a storage account connection string", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", refused.Message, StringComparison.Ordinal);
    }

    private async Task<List<string>> StartWarningsAsync(string? backupStorage)
    {
        var logs = new LogCapture();
        await using var services = Services(Azurite.ConnectionString, backupStorage, enabled: true, logs);
        foreach (var hosted in services.GetServices<IHostedService>().OfType<BackupStorageWarning>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return logs.Lines(LogLevel.Warning).Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToList();
    }

    private ServiceProvider Services(string dataAccount, string? backupStorage, bool enabled = false, LogCapture? logs = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AzureStorage"] = dataAccount,
            ["ConnectionStrings:BackupStorage"] = backupStorage,
            ["Engagement:Backup:Enabled"] = enabled ? "true" : "false",
            ["Engagement:Backup:TablePrefix"] = "Sa" + _suffix,
            ["Engagement:Backup:Container"] = _container,
            ["Engagement:Storage:GrainStateTableName"] = Tables[0],
            ["Engagement:Storage:LedgerTableName"] = Tables[1],
            ["Engagement:Storage:ReminderTableName"] = Tables[2],
            ["Engagement:Storage:MetricsTableName"] = "Sa" + _suffix + "Metrics",
            ["Engagement:Campaigns:MemberIndexTableName"] = "Sa" + _suffix + "Index",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.AddProvider(logs ?? new LogCapture()));
        services.AddOptions<EngagementStorageOptions>()
            .Bind(configuration.GetSection(EngagementStorageOptions.SectionName))
            .Configure(o => o.ConnectionString = dataAccount);
        services.AddEngagementBackups(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>A member's state, two ledger rows and a reminder, in three partitions.</summary>
    private async Task FillAsync(TableServiceClient account)
    {
        foreach (var table in Tables)
        {
            await account.CreateTableIfNotExistsAsync(table);
        }

        await account.GetTableClient(Tables[0]).AddEntityAsync(new TableEntity("member", "M001") { ["Value"] = "state" });
        await account.GetTableClient(Tables[1]).AddEntityAsync(new TableEntity("x", "1") { ["Value"] = "ledger 1" });
        await account.GetTableClient(Tables[1]).AddEntityAsync(new TableEntity("y", "2") { ["Value"] = "ledger 2" });
        await account.GetTableClient(Tables[2]).AddEntityAsync(new TableEntity("r", "lifecycle") { ["Value"] = "reminder" });
    }

    private async Task AssertRowsAsync(TableServiceClient account)
    {
        Assert.Equal("state", (await account.GetTableClient(Tables[0]).GetEntityAsync<TableEntity>("member", "M001")).Value.GetString("Value"));
        Assert.Equal("ledger 1", (await account.GetTableClient(Tables[1]).GetEntityAsync<TableEntity>("x", "1")).Value.GetString("Value"));
        Assert.Equal("ledger 2", (await account.GetTableClient(Tables[1]).GetEntityAsync<TableEntity>("y", "2")).Value.GetString("Value"));
        Assert.Equal("reminder", (await account.GetTableClient(Tables[2]).GetEntityAsync<TableEntity>("r", "lifecycle")).Value.GetString("Value"));
    }

    private static async Task<List<string>> BlobNamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>
    /// Counts the tables after whose "restored" line the journal blob exists (the restore saves it after each table,
    /// before that line, and deletes it only at the end).
    /// </summary>
    private sealed class JournalWatch(BlobClient journal) : IProgress<string>
    {
        public int JournalSeen { get; private set; }

        public void Report(string value)
        {
            if (value.StartsWith("restored ", StringComparison.Ordinal) && journal.Exists().Value)
            {
                JournalSeen++;
            }
        }
    }
}
