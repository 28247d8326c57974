using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Two deployments (production and a restore drill: another Orleans ServiceId/ClusterId) writing backups to one container
/// — not supported (docs/backups.md "Where the backups are kept": one container per deployment), but it must be loud and must not make one
/// judge the other's backups. A claim records its cluster (blob metadata, <see cref="BackupSource.ToMetadata"/>); a silo
/// that finds its slot claimed by another cluster skips it with one error per slot naming both, and never watches, judges
/// (stalled / failed) or releases that claim. A claim recording no cluster (written before claims recorded it) is still
/// this cluster's own. Azurite, a <see cref="WaitedClock"/> stepped only while the silos wait on it at rest and have no
/// request under way (<see cref="BlobFaults"/>' <c>StepWhileIdleAsync</c>).
/// </summary>
public sealed class BackupForeignClaimTests
{
    /// <summary>09:59:30 in Shanghai on 30 Nov 2026: the 10:00 slot (backup 20261130-020000) is 30 s away.</summary>
    internal static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    internal static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Production's cluster.</summary>
    internal static readonly BackupSource Production = new("engagement", "production", "devstoreaccount1");

    /// <summary>A restore drill's cluster, writing to production's container.</summary>
    internal static readonly BackupSource Drill = new("engagement-drill", "drill", "devstoreaccount1");

    [Fact]
    public async Task TwoClustersSharingAContainerNeverTakeOrJudgeEachOthersSlotAndSayItOnceASlot()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Shared");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var storage = new BlobFaults();
        var silos = new[] { Silo(options, clock, loggers, storage.CountedBlobs(), Production), Silo(options, clock, loggers, storage.CountedBlobs(), Drill) };
        try
        {
            foreach (var silo in silos)
            {
                await silo.StartAsync(CancellationToken.None);
            }

            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 2, TimeSpan.FromSeconds(20), "both silos wait for the 10:00 slot");
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 4, "both silos done with 10:00", 2, storage);

            // One took it; the other skipped it loudly, naming both clusters, and does not watch it (no "taken by another silo").
            Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete"));
            var shared = Assert.Single(logs.Lines(LogLevel.Error));
            Assert.Contains("Backup 20261130-020000 skipped", shared, StringComparison.Ordinal);
            Assert.Contains(Production.ToString(), shared, StringComparison.Ordinal);
            Assert.Contains(Drill.ToString(), shared, StringComparison.Ordinal);
            Assert.Contains("shared by two deployments", shared, StringComparison.Ordinal);
            Assert.Empty(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));

            // Past StalledAfter and on to the 18:00 slot: nothing judged, and one more error, for that slot only.
            await BackupScheduleFaultTests.ReachAsync(clock, Ten.AddHours(8), () => BackupScheduleFaultTests.Waits(logs) == 6, "both silos done with 18:00", 2, storage);
            Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-100000 complete"));
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000"));
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-100000 skipped"));
            Assert.Equal(2, logs.Lines(LogLevel.Error).Count);
            var listed = await new TableBackup(new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options, clock, loggers.CreateLogger<TableBackup>()).ListAsync();
            Assert.All(listed, b => Assert.Equal(BackupManifest.Complete, b.Manifest?.Status));
            Assert.Equal(2, listed.Count);
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.StopAsync(CancellationToken.None);
                silo.Dispose();
            }

            await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AnotherClustersClaimThatLooksStalledIsNeverJudgedOrReportedByThisCluster()
    {
        // Production claimed 10:00 and, by the drill's clock, never touches its claim again: no manifest, ever.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Foreign");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(
            BinaryData.FromString("production-silo"),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = Production.ToMetadata() });
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var storage = new BlobFaults();
        var drill = Silo(options, clock, loggers, storage.CountedBlobs(), Drill);
        try
        {
            await drill.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the drill waits for the 10:00 slot");
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2, "the drill done with 10:00", 1, storage);

            // At rest the drill waits only for 18:00 (no watch): three StalledAfters pass with nothing judged.
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(30), Ten.AddMinutes(31), "the clock at 10:30", "the clock not at 10:30", 1, storage);

            var error = Assert.Single(logs.Lines(LogLevel.Error));
            Assert.Contains("Backup 20261130-020000 skipped", error, StringComparison.Ordinal);
            Assert.Contains(Production.ToString(), error, StringComparison.Ordinal);
            Assert.Contains(Drill.ToString(), error, StringComparison.Ordinal);
            Assert.False(await backups.GetBlobClient(TableBackup.ManifestBlobName("20261130-020000")).ExistsAsync(), "the drill recorded production's backup failed");
            Assert.False(await backups.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000")).ExistsAsync(), "the drill reported production's backup");
            Assert.True(await backups.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the drill released production's claim");
        }
        finally
        {
            await BackupScheduleFaultTests.StopAndCleanUpAsync(drill, options, backups);
        }
    }

    [Fact]
    public async Task AClaimRecordingNoClusterIsStillThisClustersOwnAndReportedWhenItStalls()
    {
        // A claim written before claims recorded their cluster, by a silo killed before it wrote anything.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Old");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("old-silo"));
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var storage = new BlobFaults();
        var silo = Silo(options, clock, loggers, storage.CountedBlobs(), Production);
        try
        {
            await silo.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for the 10:00 slot");
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2, "the silo done with 10:00", 1, storage);
            Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));

            // Watched as this cluster's: at rest the schedule's wait for 18:00 and the watch's between looks.
            var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddHours(1), "the stalled backup reported", "the stalled backup not reported by 11:00", 2, storage);
            Assert.Single(failed());
            Assert.Empty(logs.Lines(LogLevel.Error, "another deployment"));
        }
        finally
        {
            await BackupScheduleFaultTests.StopAndCleanUpAsync(silo, options, backups);
        }
    }

    [Fact]
    public async Task AFailureReportedMarkerRecordsTheClusterThatReportedIt()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Marker");
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var clock = new WaitedClock(Ten);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        try
        {
            var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>(), null, Drill);
            Assert.True(await backup.ReportOnceAsync(new BackupFailure("20261130-020000", options.Container, Ten, Ten, [], new TimeoutException("not started"))));

            var marker = await backups.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000")).GetPropertiesAsync();
            Assert.Equal(Drill, BackupSource.FromMetadata(marker.Value.Metadata));
            var listed = Assert.Single(await backup.ListAsync());
            Assert.Equal(Drill, listed.Manifest?.Source);
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    /// <summary>A silo of cluster <paramref name="source"/> on the test Azurite, its requests through <paramref name="blobs"/> (a <see cref="BlobFaults"/> client).</summary>
    internal static BackupScheduler Silo(BackupOptions options, WaitedClock clock, ILoggerFactory loggers, BlobServiceClient blobs, BackupSource source)
    {
        return new BackupScheduler(
            new TableBackup(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>(), null, source),
            blobs,
            Options.Create(options),
            clock,
            loggers.CreateLogger<BackupScheduler>(),
            source);
    }
}
