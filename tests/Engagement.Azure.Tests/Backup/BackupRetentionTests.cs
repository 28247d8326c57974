using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Issue 14 §4: retention. After a complete backup, backups older than <see cref="BackupOptions.RetentionDays"/> are
/// deleted whole (table blobs and manifest); younger ones stay; a failed backup deletes nothing. Azurite, a moved clock.
/// </summary>
public sealed class BackupRetentionTests
{
    [Fact]
    public async Task ACompleteBackupDeletesBackupsPastTheRetentionAndKeepsTheRest()
    {
        var prefix = "Ret" + Guid.NewGuid().ToString("N")[..10];
        var options = new BackupOptions { TablePrefix = prefix, Container = Azurite.UniqueName("backups-"), FirstTables = [prefix + "GrainState"], RetentionDays = 2 };
        var tables = new TableServiceClient(Azurite.ConnectionString);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        await tables.CreateTableIfNotExistsAsync(prefix + "GrainState");
        await tables.GetTableClient(prefix + "GrainState").AddEntityAsync(new TableEntity("p", "r"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero));
        TableBackup Backup(TableServiceClient account) => new(account, blobs, options, clock, NullLogger<TableBackup>.Instance);
        try
        {
            await Backup(tables).RunAsync(); // 20261101-020000
            clock.Advance(TimeSpan.FromHours(16));
            await Backup(tables).RunAsync(); // 20261101-180000
            clock.Advance(TimeSpan.FromHours(16));
            await Backup(tables).RunAsync(); // 20261102-100000
            Assert.Equal(3, (await Backup(tables).ListAsync()).Count);

            // A failed backup at 20261103-170000 deletes nothing, though the first backup is past the retention by then.
            clock.Advance(TimeSpan.FromHours(31));
            var failing = new TableServiceClient(
                new Uri("http://127.0.0.1:9/devstoreaccount1"),
                new TableSharedKeyCredential("devstoreaccount1", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="),
                new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } });
            await Assert.ThrowsAnyAsync<Exception>(() => Backup(failing).RunAsync());
            Assert.Equal(
                ["20261103-170000", "20261102-100000", "20261101-180000", "20261101-020000"],
                (await Backup(tables).ListAsync()).Select(b => b.Name));

            // A complete one at 20261103-180000: the cut-off is 20261101-180000, so only the first backup is past it.
            clock.Advance(TimeSpan.FromHours(1));
            await Backup(tables).RunAsync();

            var kept = await Backup(tables).ListAsync();
            Assert.Equal(["20261103-180000", "20261103-170000", "20261102-100000", "20261101-180000"], kept.Select(b => b.Name));
            Assert.Equal(BackupManifest.Failed, kept[1].Manifest?.Status);
            await foreach (var blob in blobs.GetBlobContainerClient(options.Container).GetBlobsAsync())
            {
                Assert.False(blob.Name.StartsWith("20261101-020000/", StringComparison.Ordinal), $"{blob.Name} outlived its retention");
            }
        }
        finally
        {
            await StorageClients.DeleteTableQuietlyAsync(prefix + "GrainState");
            await blobs.GetBlobContainerClient(options.Container).DeleteIfExistsAsync();
        }
    }
}
