using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A silo stopped (its stopping token cancelled: a rolling deploy) while it claims a slot — its claim request or the
/// read of whose claim it met still in flight — releases whatever claim it may have written, as a silo stopped mid-copy
/// does: the claim is gone (or was never written), the slot is marked released, and the next silo takes it late instead
/// of finding a claim nobody touches and reporting the backup stalled. Azurite, <see cref="BlobFaults"/>, one
/// <see cref="WaitedClock"/> stepped only while the silos wait on it at rest and have no request under way.
/// </summary>
public sealed class BackupClaimShutdownTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Where the stop meets the claim.</summary>
    public enum StoppedDuring
    {
        /// <summary>The claim's create reached storage, which wrote it; its answer had not come back.</summary>
        ClaimWrittenAnswerPending,

        /// <summary>The create's answer was lost and the SDK's retry met the claim (409); the read of whose it is was in flight.</summary>
        ReadOfWhoseClaim,

        /// <summary>The create never reached storage.</summary>
        ClaimNotYetSent,

        /// <summary>
        /// The create was written and its answer lost (a timeout), the look at whose claim it is timed out too, and the slot
        /// waits to claim again a quarter of StalledAfter later.
        /// </summary>
        WaitAfterLostAnswerAndFailedLook,
    }

    [Theory]
    [InlineData(StoppedDuring.ClaimWrittenAnswerPending)]
    [InlineData(StoppedDuring.ReadOfWhoseClaim)]
    [InlineData(StoppedDuring.ClaimNotYetSent)]
    [InlineData(StoppedDuring.WaitAfterLostAnswerAndFailedLook)]
    public async Task ASiloStoppedWhileClaimingLeavesNoClaimBehindAndTheNextSiloTakesTheSlotLateWithoutAStalledReport(StoppedDuring during)
    {
        var faults = new BlobFaults();
        Func<bool> held;
        switch (during)
        {
            case StoppedDuring.ClaimWrittenAnswerPending:
                faults.HangsAfterDoing = BlobFaults.Once(BlobFaults.ClaimCreate(Backup));
                held = () => faults.HungAfterDoing == 1;
                break;
            case StoppedDuring.ReadOfWhoseClaim:
                faults.TryLosesAnswer = BlobFaults.Once(BlobFaults.ClaimCreate(Backup));
                faults.Hangs = BlobFaults.Once(BlobFaults.ClaimRead(Backup));
                held = () => faults.Hung == 1;
                break;
            case StoppedDuring.WaitAfterLostAnswerAndFailedLook:
                faults.LosesAnswer = BlobFaults.Once(BlobFaults.ClaimCreate(Backup));
                faults.TimesOut = BlobFaults.Once(BlobFaults.ClaimRead(Backup));
                held = () => faults.TimedOut == 2;
                break;
            default:
                faults.Hangs = BlobFaults.Once(BlobFaults.ClaimCreate(Backup));
                held = () => faults.Hung == 1;
                break;
        }

        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ClaimStop");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var nextStorage = new BlobFaults();
        var stopping = BackupScheduleFaultTests.Silo(options, clock, loggers, faults.Blobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        var next = BackupScheduleFaultTests.Silo(options, clock, loggers, nextStorage.CountedBlobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        try
        {
            await stopping.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
            // At rest: the schedule's wait for 10:00 (then held inside its claim, or waiting to claim again).
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, held, "the silo held while claiming 10:00", 1, faults);

            await stopping.StopAsync(CancellationToken.None);

            Assert.False(await backups.GetBlobClient($"{Backup}/claim").ExistsAsync(), "the silo stopped while claiming left a claim behind");
            Assert.True(await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).ExistsAsync(), "the slot was not marked released");
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "stopping while it claimed it"));

            // The next silo (a restart, or the deploy's new one) watches the last slot: released, so taken late; never
            // a claim that goes quiet and is reported stalled.
            await next.StartAsync(CancellationToken.None);
            // At rest: the next silo's wait for 18:00 and its watch's between looks.
            // Stepped only until the watch starts its late copy: from then on the copy's heartbeat is a timer at rest too,
            // and its table reads are not counted as under way, so the clock is left alone until it completes.
            var done = () => logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0 || logs.Lines(LogLevel.Error).Count > 0;
            var takingLate = () => logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late").Count > 0;
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => takingLate() || done(), Ten.AddMinutes(40), "the 10:00 slot taken late", "the slot neither taken late nor reported by 10:40", 2, nextStorage);
            await Eventually.TrueAsync(done, TimeSpan.FromSeconds(60), "a manifest for the 10:00 slot");
            Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late"));
            Assert.Empty(failures.Failed);
            Assert.Empty(logs.Lines(LogLevel.Error));
        }
        finally
        {
            stopping.Dispose();
            await BackupScheduleFaultTests.StopAndCleanUpAsync(next, options, backups);
        }
    }

    [Fact]
    public async Task ASiloStoppedWhileReadingAnotherSilosClaimLeavesItAloneAndDoesNotSayItReleasedIt()
    {
        // Another silo claimed 10:00 and is copying it; this silo's claim meets that claim, and its read of whose it is
        // is in flight when the silo stops.
        var faults = new BlobFaults { Hangs = BlobFaults.Once(BlobFaults.ClaimRead(Backup)) };
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ClaimStopOther");
        await backups.GetBlobClient($"{Backup}/claim").UploadAsync(BinaryData.FromString("other-silo"));
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var stopping = BackupScheduleFaultTests.Silo(options, clock, loggers, faults.Blobs());
        try
        {
            await stopping.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => faults.Hung == 1, "the silo reading the other silo's claim", 1, faults);

            await stopping.StopAsync(CancellationToken.None);

            Assert.Equal("other-silo", (await backups.GetBlobClient($"{Backup}/claim").DownloadContentAsync()).Value.Content.ToString());
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "the claim is another silo's", "left alone"));
            Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup} abandoned", "its claim is released"));
        }
        finally
        {
            stopping.Dispose();
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task ASiloStoppedWhileReadingAnotherClustersClaimWritesNoReleasedMarkerOverThatClusters()
    {
        // Production claimed 10:00 and released it when its silo stopped (its marker records production); a restore
        // drill's silo sharing the container meets the claim and is stopped while reading whose it is.
        var faults = new BlobFaults { Hangs = BlobFaults.Once(BlobFaults.ClaimRead(Backup)) };
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ClaimStopForeign");
        await backups.GetBlobClient($"{Backup}/claim").UploadAsync(
            BinaryData.FromString("production-silo"),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = BackupForeignClaimTests.Production.ToMetadata() });
        await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).UploadAsync(
            BinaryData.FromString("production-silo, stopped"),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = BackupForeignClaimTests.Production.ToMetadata() });
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var drill = BackupForeignClaimTests.Silo(options, clock, loggers, faults.Blobs(), BackupForeignClaimTests.Drill);
        try
        {
            await drill.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the drill waits for 10:00");
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => faults.Hung == 1, "the drill reading production's claim", 1, faults);

            await drill.StopAsync(CancellationToken.None);

            var marker = (await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).DownloadContentAsync()).Value;
            Assert.Equal("production-silo, stopped", marker.Content.ToString());
            Assert.Equal(BackupForeignClaimTests.Production, BackupSource.FromMetadata(marker.Details.Metadata));
            Assert.Equal("production-silo", (await backups.GetBlobClient($"{Backup}/claim").DownloadContentAsync()).Value.Content.ToString());
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "another deployment's", "no released marker written"));
            Assert.Single(logs.Lines(LogLevel.Error, $"Backup {Backup} skipped", "another deployment"));
        }
        finally
        {
            drill.Dispose();
            await backups.DeleteIfExistsAsync();
        }
    }

    private sealed class Failures : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
