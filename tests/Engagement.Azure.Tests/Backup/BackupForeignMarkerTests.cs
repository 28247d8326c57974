using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using static Engagement.Azure.Tests.Backup.BackupForeignClaimTests;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Two deployments sharing one backup container (not supported, docs/backups.md "Where the backups are kept", but loud and harmless):
/// an on-demand backup's claim and the <c>released</c> marker a stopping silo leaves record
/// their cluster (blob metadata, <see cref="BackupSource.ToMetadata"/>), as the schedule's claims do, so another cluster's
/// silo never watches, judges or takes late what it finds there. Azurite, a <see cref="WaitedClock"/>.
/// </summary>
public sealed class BackupForeignMarkerTests
{
    /// <summary>An instant of no slot of the default schedule (02:00, 10:00, 18:00 Asia/Shanghai): <c>20261130-020700</c>.</summary>
    private static readonly DateTimeOffset SevenPastTen = Ten.AddMinutes(7);

    [Fact]
    public async Task AnOnDemandBackupsClaimRecordsItsClusterWhenCreatedAndAtEachTouch()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("OnDemand");
        await BackupScheduleFaultTests.StateTableAsync(options);
        // The copy is held writing its table, so its claim stays and is touched a quarter of StalledAfter on.
        var faults = TableWritesHang(options);
        var clock = new WaitedClock(SevenPastTen);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var backup = new TableBackup(new TableServiceClient(Azurite.ConnectionString), faults.Blobs(), options, clock, loggers.CreateLogger<TableBackup>(), null, Drill);
        using var stop = new CancellationTokenSource();
        var run = backup.RunAsync(cancellationToken: stop.Token);
        try
        {
            await Eventually.TrueAsync(() => faults.Hung > 0, TimeSpan.FromSeconds(20), "the on-demand copy writes its table");
            var claim = backups.GetBlobClient("20261130-020700/claim");
            var created = (await claim.GetPropertiesAsync()).Value;
            Assert.Equal(Drill, BackupSource.FromMetadata(created.Metadata));

            // The touch (an upload, which replaces the metadata) keeps it: stepped while the touch loop waits on the clock.
            await Eventually.TrueAsync(() => clock.Waiting >= 1, TimeSpan.FromSeconds(20), "the claim's touches wait on the clock");
            clock.Advance(options.StalledAfter / 4);
            await Eventually.TrueAsync(async () => (await claim.GetPropertiesAsync()).Value.ETag != created.ETag, TimeSpan.FromSeconds(20), "the claim touched");
            Assert.Equal(Drill, BackupSource.FromMetadata((await claim.GetPropertiesAsync()).Value.Metadata));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => run);
            await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task TheReleasedMarkerOfASiloStoppedMidCopyRecordsItsCluster()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Released");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var faults = TableWritesHang(options);
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var silo = Silo(options, clock, loggers, faults.Blobs(), Production);
        try
        {
            await silo.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for the 10:00 slot");
            // At rest before 10:00: the schedule's wait for its slot.
            await BlobFaults.StepWhileIdleAsync(clock, Ten - clock.GetUtcNow(), () => clock.GetUtcNow() >= Ten, Ten.AddTicks(1), "the clock at 10:00", "the clock past 10:00", 1, faults);
            await Eventually.TrueAsync(() => faults.Hung > 0, TimeSpan.FromSeconds(20), "the 10:00 copy writes its table");

            await silo.StopAsync(CancellationToken.None);

            Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "its claim is released"));
            var released = await backups.GetBlobClient(BackupScheduler.ReleasedBlobName("20261130-020000")).GetPropertiesAsync();
            Assert.Equal(Production, BackupSource.FromMetadata(released.Value.Metadata));
        }
        finally
        {
            silo.Dispose();
            await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task ASlotAnotherClusterReleasedIsNeverTakenLateByThisCluster()
    {
        // The drill's silo copying 10:00 stopped and released the slot (its claim gone, its marker recording the drill).
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ForeignRel");
        await BackupScheduleFaultTests.StateTableAsync(options);
        await backups.GetBlobClient(BackupScheduler.ReleasedBlobName("20261130-020000")).UploadAsync(
            BinaryData.FromString("drill-silo (0badcafe), stopped"),
            new BlobUploadOptions { Metadata = Drill.ToMetadata() });
        var clock = new WaitedClock(Ten.AddSeconds(30));
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var faults = new BlobFaults();
        var silo = Silo(options, clock, loggers, faults.CountedBlobs(), Production);
        try
        {
            // Production's silo starts just after 10:00 and watches that slot: its first look finds it released.
            await silo.StartAsync(CancellationToken.None);
            var skipped = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000 skipped", "another deployment");
            await Eventually.TrueAsync(
                () => skipped().Count > 0 || logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "takes it late").Count > 0,
                TimeSpan.FromSeconds(20),
                "the watch looked at the released slot");
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1 && faults.InFlight == 0, TimeSpan.FromSeconds(20), "the silo waits for 18:00");

            var error = Assert.Single(skipped());
            Assert.Contains(Drill.ToString(), error, StringComparison.Ordinal);
            Assert.Contains(Production.ToString(), error, StringComparison.Ordinal);
            Assert.Contains("its slot's released marker was written by another deployment", error, StringComparison.Ordinal);
            Assert.Empty(logs.Lines(LogLevel.Warning, "takes it late"));
            Assert.False(await backups.GetBlobClient("20261130-020000/claim").ExistsAsync(), "production claimed the drill's released slot");
            Assert.False(await backups.GetBlobClient(TableBackup.ManifestBlobName("20261130-020000")).ExistsAsync(), "production took the drill's slot late");
        }
        finally
        {
            await BackupScheduleFaultTests.StopAndCleanUpAsync(silo, options, backups);
        }
    }

    /// <summary>Every write of the test's state table into a backup hangs until its caller's token is cancelled: a copy in progress.</summary>
    private static BlobFaults TableWritesHang(BackupOptions options) =>
        new() { Hangs = r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.Contains(options.TablePrefix + "State", StringComparison.Ordinal) };
}
