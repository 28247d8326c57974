using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Azure.Storage.Blobs.Specialized;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
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
        await using var table = await BackedUpTable.CreateAsync("Ret", "GrainState", null, new TableEntity("p", "r"));
        var (tables, blobs, options) = (table.Tables, table.Blobs, table.Options);
        options.RetentionDays = 2;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero));
        TableBackup Backup(TableServiceClient account) => new(account, blobs, options, clock, NullLogger<TableBackup>.Instance);
        // The schedule's slots (10:00, 02:00, 18:00 Asia/Shanghai), named as the schedule names them: an on-demand backup
        // never takes a slot's name.
        string Slot() => TableBackup.NameFor(clock.GetUtcNow());
        await Backup(tables).RunAsync(Slot()); // 20261101-020000
        clock.Advance(TimeSpan.FromHours(16));
        await Backup(tables).RunAsync(Slot()); // 20261101-180000
        clock.Advance(TimeSpan.FromHours(16));
        await Backup(tables).RunAsync(Slot()); // 20261102-100000
        Assert.Equal(3, (await Backup(tables).ListAsync()).Count);

        // A failed backup at 20261103-170000 deletes nothing, though the first backup is past the retention by then.
        clock.Advance(TimeSpan.FromHours(31));
        await Assert.ThrowsAnyAsync<Exception>(() => Backup(BackedUpTable.UnreachableTables()).RunAsync());
        Assert.Equal(
            ["20261103-170000", "20261102-100000", "20261101-180000", "20261101-020000"],
            (await Backup(tables).ListAsync()).Select(b => b.Name));

        // A complete one at 20261103-180000: the cut-off is 20261101-180000, so only the first backup is past it.
        clock.Advance(TimeSpan.FromHours(1));
        await Backup(tables).RunAsync(Slot());

        var kept = await Backup(tables).ListAsync();
        Assert.Equal(["20261103-180000", "20261103-170000", "20261102-100000", "20261101-180000"], kept.Select(b => b.Name));
        Assert.Equal(BackupManifest.Failed, kept[1].Manifest?.Status);
        await foreach (var blob in blobs.GetBlobContainerClient(options.Container).GetBlobsAsync())
        {
            Assert.False(blob.Name.StartsWith("20261101-020000/", StringComparison.Ordinal), $"{blob.Name} outlived its retention");
        }
    }

    [Fact]
    public async Task ABackupWhoseRetentionCleanupFailsStaysCompleteRestorableAndUnreported()
    {
        await using var table = await BackedUpTable.CreateAsync("RetF", "GrainState", null, new TableEntity("p", "r") { ["Value"] = 7 });
        var (tables, blobs, options, prefix) = (table.Tables, table.Blobs, table.Options, table.Prefix);
        options.RetentionDays = 2;
        var state = tables.GetTableClient(table.Name);

        // An expired backup whose blob holds a lease (as a legal hold or an operator's copy would): deleting it fails.
        var container = blobs.GetBlobContainerClient(options.Container);
        await container.CreateIfNotExistsAsync();
        var expired = container.GetBlobClient("20261020-020000/tables/" + prefix + "GrainState.jsonl.gz");
        await expired.UploadAsync(BinaryData.FromString("{}"));
        var lease = expired.GetBlobLeaseClient();
        await lease.AcquireAsync(TimeSpan.FromSeconds(-1));

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 2, 0, 0, TimeSpan.Zero));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var listener = new RecordingListener();
        try
        {
            var manifest = await new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>(), [listener]).RunAsync();

            Assert.Equal(BackupManifest.Complete, manifest.Status);
            var listed = await new TableBackup(tables, blobs, options, clock, NullLogger<TableBackup>.Instance).ListAsync();
            Assert.Equal(BackupManifest.Complete, listed.Single(b => b.Name == manifest.Name).Manifest?.Status);
            Assert.Empty(listener.Failed);
            Assert.Equal([manifest.Name], listener.Completed);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {manifest.Name} is complete, but deleting backups older than 2 days failed"));

            await tables.DeleteTableAsync(prefix + "GrainState");
            var restored = await new TableRestore(tables, blobs, options).RunAsync(manifest.Name);
            Assert.Equal(1, restored[prefix + "GrainState"]);
            Assert.Equal(7, (await state.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("Value"));
        }
        finally
        {
            // Before the table's disposal deletes the container: a leased blob would keep it.
            await lease.BreakAsync(TimeSpan.Zero);
        }
    }

    private sealed class RecordingListener : IBackupFailureListener
    {
        public List<string> Failed { get; } = [];

        public List<string> Completed { get; } = [];

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Add(failure.Backup);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            Completed.Add(backup);
            return Task.CompletedTask;
        }
    }
}
