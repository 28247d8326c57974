using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using static Engagement.Azure.Tests.Backup.BackupForeignClaimTests;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A failure report (<see cref="TableBackup.ReportOnceAsync"/>) judges the failure-reported marker it meets by the cluster
/// the marker records: another deployment's marker in a shared container (docs/backups.md "Where the backups are kept": not supported) is
/// not this cluster's report, so this cluster's failure is still reported (with an error saying the container is shared)
/// and that marker left as it is; a marker recording no cluster (written before markers recorded it) is this cluster's
/// own, as a manifest without a source is. Azurite, a fixed instant.
/// </summary>
public sealed class BackupForeignReportTests
{
    [Fact]
    public async Task AFailureReportThatMeetsAnotherClustersMarkerReportsThisClustersFailureAndLeavesThatMarker()
    {
        // The drill reported its own failure of slot 10:00 in the shared container; production's slot failed too.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ForeignMark");
        var marker = backups.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000"));
        const string DrillReport = "reported drillwriter 2026-11-30T02:00:00.0000000+00:00 drill-silo: the drill's own failure";
        await marker.UploadAsync(BinaryData.FromString(DrillReport), new BlobUploadOptions { Metadata = Drill.ToMetadata() });
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var clock = new WaitedClock(Ten);
        try
        {
            var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options, clock, loggers.CreateLogger<TableBackup>(), null, Production);

            Assert.True(await backup.ReportOnceAsync(new BackupFailure("20261130-020000", options.Container, Ten, Ten, [], new TimeoutException("production's slot not started"))));

            // Reported (the default listener's error), with the error that says the container is shared; the drill's marker untouched.
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED"));
            var shared = Assert.Single(logs.Lines(LogLevel.Error, "failure-reported marker records another deployment"));
            Assert.Contains(Drill.ToString(), shared, StringComparison.Ordinal);
            Assert.Contains(Production.ToString(), shared, StringComparison.Ordinal);
            var there = (await marker.DownloadContentAsync()).Value;
            Assert.Equal(DrillReport, there.Content.ToString());
            Assert.Equal(Drill, BackupSource.FromMetadata(there.Details.Metadata));
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AFailureReportThatMeetsAMarkerRecordingNoClusterTakesItAsThisClustersOwn()
    {
        // A marker written before markers recorded their cluster: this cluster's report, not sent again.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("OldMark");
        await backups.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000")).UploadAsync(
            BinaryData.FromString("reported oldwriter 2026-11-30T02:00:00.0000000+00:00 old-silo: not started"));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options, new WaitedClock(Ten), loggers.CreateLogger<TableBackup>(), null, Production);

            Assert.False(await backup.ReportOnceAsync(new BackupFailure("20261130-020000", options.Container, Ten, Ten, [], new TimeoutException("not started"))));
            Assert.Empty(logs.Lines(LogLevel.Error));
            Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000: its failure was reported already"));
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }
}
