using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A slot whose failure was reported with no manifest to carry it (not started: storage could not say whether it was
/// claimed, or whether an earlier copy still ran) has one record, its <c>failure-reported</c> marker. It lists as
/// <c>failed</c> with the reported reason, not as incomplete, and a silo that starts does not watch it again. A slot
/// with that marker and a claim (a silo that could tell took it after all) is still unfinished. Azurite, fixed instants.
/// </summary>
public sealed class BackupReportedOnlyTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_slot_whose_only_record_is_its_failure_report_lists_as_failed_with_its_reason_and_is_not_watched_again()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RepOnly");
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
            var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options, new FakeTimeProvider(Ten), NullLogger<TableBackup>.Instance);
            Assert.True(await backup.ReportOnceAsync(new BackupFailure("20261129-180000", options.Container, Ten.AddHours(-8), Ten, [], new TimeoutException("whether it is claimed could not be told for 11 minutes"))));
            // The 10:00 slot: reported too, but a silo that could tell claimed it and is copying it.
            Assert.True(await backup.ReportOnceAsync(new BackupFailure("20261130-020000", options.Container, Ten, Ten, [], new TimeoutException("not told"))));
            await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("a-silo (12345678)"));

            var listed = await backup.ListAsync();

            Assert.Equal(["20261130-020000", "20261129-180000"], listed.Select(b => b.Name));
            Assert.Null(listed[0].Manifest);
            var failed = listed[1].Manifest!;
            Assert.Equal(BackupManifest.Failed, failed.Status);
            Assert.Equal("whether it is claimed could not be told for 11 minutes", failed.Error);
            Assert.Empty(failed.Tables);
            Assert.Equal(Ten.AddHours(-8), failed.StartedAt);
            Assert.Equal(Ten, failed.FinishedAt);
            var line = BackupListing.Line(listed[1].Name, failed, zone);
            Assert.StartsWith("20261129-180000  2026-11-30 02:00:00 +08:00  failed ", line, StringComparison.Ordinal);
            Assert.EndsWith("whether it is claimed could not be told for 11 minutes", line, StringComparison.Ordinal);

            // A silo starting at 18:00 watches the earlier unfinished backups: the claimed 10:00 one, not the reported 02:00 one.
            Assert.Equal(["20261130-020000"], await backup.UnfinishedBeforeAsync("20261130-100000"));
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_failed_look_at_one_backups_blobs_neither_ends_the_scan_nor_hides_the_backups_after_it()
    {
        // Two backups whose copier died; the look at the first one's blobs (has it only a failure report?) goes to a
        // dead port. Both are still counted unfinished, so both are watched; before, the scan threw and watched none.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RepOnlyLook");
        try
        {
            await backups.GetBlobClient("20261129-020000/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));
            await backups.GetBlobClient("20261129-100000/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));
            var faults = new BlobFaults { Down = r => BlobFaults.Listing(r) && r.Uri.Query.Contains("prefix=20261129-020000", StringComparison.Ordinal) };
            var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), faults.Blobs(), options, new FakeTimeProvider(Ten), NullLogger<TableBackup>.Instance);

            var unfinished = await backup.UnfinishedBeforeAsync("20261130-100000");

            Assert.True(faults.Failed > 0, "the look at 20261129-020000's blobs did not fail");
            Assert.Equal(["20261129-020000", "20261129-100000"], unfinished);
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }
}
