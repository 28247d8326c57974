using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A slot that cannot tell whether an earlier backup is still copying (its look at that backup's manifest fails) never
/// starts a second copy beside it: it looks again a quarter of <c>StalledAfter</c> later, warning each time, and is
/// reported failed once the looks have failed for longer than <c>StalledAfter</c>. Azurite, <see cref="BlobFaults"/>, a
/// <see cref="WaitedClock"/> stepped only while the silos wait on it at rest and have no request under way.
/// </summary>
public sealed class BackupSlotLookTests
{
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task ASlotThatCannotTellWhetherAnEarlierCopyRunsStartsNoCopyAndIsReportedOnlyOnceTheLooksFailedForStalledAfter()
    {
        // The 02:00 backup is copying on another silo (its claim is fresh, no manifest) when this silo starts.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Look");
        await BackupScheduleFaultTests.StateTableAsync(options);
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        var storage = new BlobFaults();
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var silo = BackupScheduleFaultTests.Silo(options, clock, loggers, storage.Blobs(), failures);
        await silo.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(
                () => BackupScheduleFaultTests.Waits(logs) == 1 && storage.Answered.Any(a => a.EndsWith("20261129-180000/claim", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20),
                "the silo watches the 02:00 copy (it looked at its claim) and waits for 10:00");

            // From now on every look at the 02:00 backup's manifest fails (the rest of storage answers).
            var manifest = "/" + TableBackup.ManifestBlobName("20261129-180000");
            storage.Down = r => r.Uri.Path.EndsWith(manifest, StringComparison.Ordinal);
            var held = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not started yet", "could not tell whether backup 20261129-180000").Count;
            var claimed = () => storage.Answered.Any(a => a.Contains("20261130-020000/claim", StringComparison.Ordinal));
            // At rest the silo waits on two timers: the schedule's (its slot, or the held slot's next look) and the watch's.
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => held() > 0 || claimed(), "the 10:00 slot held or started", 2, storage);

            Assert.False(claimed(), "the 10:00 slot claimed (a second copy beside the 02:00 one) though it could not tell whether that one still copies");
            Assert.Empty(failures.Failed);

            // Looking again every 2.5 minutes, warned each time; reported once the looks have failed for more than 10 minutes.
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => !failures.Failed.IsEmpty, Ten.AddMinutes(20), "the 10:00 slot reported", "the slot not reported by 10:20", 2, storage);
            Assert.True(clock.GetUtcNow() > Ten.AddMinutes(10), $"reported at {clock.GetUtcNow():HH:mm:ss}, before the looks had failed for StalledAfter");
            var failure = Assert.Single(failures.Failed);
            Assert.Equal("20261130-020000", failure.Backup);
            Assert.Contains("could not be told", failure.Exception.Message, StringComparison.Ordinal);
            Assert.True(held() >= 4, $"{held()} warnings for the held slot");
            Assert.False(claimed(), "the 10:00 slot claimed after all");
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 2, TimeSpan.FromSeconds(20), "the schedule goes on to 18:00");
            Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception}");
        }
        finally
        {
            await BackupScheduleFaultTests.StopAndCleanUpAsync(silo, options, backups);
        }
    }

    [Fact]
    public async Task TwoSilosThatCannotTellWhetherAnEarlierCopyRunsReportTheSlotOnceBetweenThem()
    {
        // The 02:00 backup is copying on a third silo when these two start; then both lose sight of its manifest.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LookTwo");
        await BackupScheduleFaultTests.StateTableAsync(options);
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        var first = new BlobFaults();
        var second = new BlobFaults();
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var one = BackupScheduleFaultTests.Silo(options, clock, loggers, first.Blobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        var two = BackupScheduleFaultTests.Silo(options, clock, loggers, second.Blobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        await one.StartAsync(CancellationToken.None);
        await two.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(
                () => BackupScheduleFaultTests.Waits(logs) == 2
                    && first.Answered.Any(a => a.EndsWith("20261129-180000/claim", StringComparison.Ordinal))
                    && second.Answered.Any(a => a.EndsWith("20261129-180000/claim", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20),
                "both silos watch the 02:00 copy and wait for 10:00");
            var manifest = "/" + TableBackup.ManifestBlobName("20261129-180000");
            first.Down = second.Down = r => r.Uri.Path.EndsWith(manifest, StringComparison.Ordinal);

            // Both hold the 10:00 slot and, once their looks have failed for StalledAfter, both give it up: one report. At
            // rest each silo waits on two timers (the schedule's and its watch's), and the clock moves only then.
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => BackupScheduleFaultTests.Waits(logs) == 4, Ten.AddMinutes(20), "both silos on to 18:00", "the two silos not past 10:00 by 10:20", 4, first, second);

            var failure = Assert.Single(failures.Failed);
            Assert.Equal("20261130-020000", failure.Backup);
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED"));
            Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000", "reported already by another silo"));
            Assert.True(await backups.GetBlobClient(TableBackup.FailureReportedBlobName("20261130-020000")).ExistsAsync(), "no record of the report");
            Assert.False(await backups.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the 10:00 slot claimed beside the 02:00 copy");
        }
        finally
        {
            await two.StopAsync(CancellationToken.None);
            two.Dispose();
            await BackupScheduleFaultTests.StopAndCleanUpAsync(one, options, backups);
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
