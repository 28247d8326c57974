using Azure.Data.Tables;
using Engagement.Azure.Backup;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A restore of a backup that cannot be restored says why: one that failed gives its reason (from its <c>failed</c>
/// manifest, or from its failure-reported marker when that is its only record), one still copying or broken off (blobs,
/// no manifest) is not complete, and only a name with nothing under it is "No backup". An operator told "No backup" of a
/// backup listed by <c>backups</c> looked for a typo, or for the wrong account. Azurite, through the restore API.
/// </summary>
public sealed class BackupRestoreRefusalTests
{
    private static readonly DateTimeOffset TwoAmShanghai = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_failed_or_unfinished_backup_is_refused_with_what_became_of_it()
    {
        await using var table = await BackedUpTable.CreateAsync("Rfs", "GrainState", null, new TableEntity("p", "r"));
        var container = table.Blobs.GetBlobContainerClient(table.Options.Container);
        await container.CreateIfNotExistsAsync();
        // 02:00: a copy that failed and wrote its failed manifest.
        var failed = new BackupManifest { Name = "20261129-180000", Status = BackupManifest.Failed, StartedAt = TwoAmShanghai, FinishedAt = TwoAmShanghai.AddMinutes(3), Error = "table EngagementLedger: 503 Server Busy", Tables = [] };
        await container.GetBlobClient(TableBackup.ManifestBlobName(failed.Name)).UploadAsync(BinaryData.FromObjectAsJson(failed, TableBackup.ManifestJson));
        // 10:00: never started; its failure reported (the marker is its only record).
        await container.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000")).UploadAsync(
            BinaryData.FromString("reported 0123456789abcdef 2026-11-30T02:10:00.0000000+00:00 silo-1: stalled: its claim was not touched for 00:10:00"));
        // 18:00: claimed and copying (or broken off): a claim and a table, no manifest.
        await container.GetBlobClient("20261130-100000/claim").UploadAsync(BinaryData.FromString("copying-silo (12345678)"));
        await container.GetBlobClient(TableBackup.TableBlobName("20261130-100000", table.Name)).UploadAsync(BinaryData.FromString("partial"));
        var restore = new TableRestore(table.Tables, table.Blobs, table.Options);

        var copyFailed = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.RunAsync("20261129-180000"));
        var reportedOnly = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.RunAsync("20261130-020000"));
        var unfinished = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.RunAsync("20261130-100000"));
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => restore.RunAsync("20261201-020000"));

        Assert.StartsWith("Backup '20261129-180000' failed: table EngagementLedger: 503 Server Busy; nothing to restore", copyFailed.Message, StringComparison.Ordinal);
        Assert.StartsWith("Backup '20261130-020000' failed: stalled: its claim was not touched for 00:10:00; nothing to restore", reportedOnly.Message, StringComparison.Ordinal);
        Assert.StartsWith("Backup '20261130-100000' is not complete", unfinished.Message, StringComparison.Ordinal);
        Assert.StartsWith("No backup '20261201-020000'", none.Message, StringComparison.Ordinal);

        // Nothing was written: the table still holds only its own row.
        Assert.Single(table.Tables.GetTableClient(table.Name).Query<TableEntity>());
    }
}
