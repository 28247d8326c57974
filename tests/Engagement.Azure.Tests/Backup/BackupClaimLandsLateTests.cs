using Azure.Storage.Blobs.Models;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A silo stopped while its claim request is in flight releases the slot (marker written, no claim found by its read);
/// the request then lands in storage, after that read: a claim of the stopped silo's that nobody will ever touch. The
/// silo watching the slot must take it for what it is, a leftover of a released slot, and take the slot late, not report
/// the backup stalled. The order is gated: the request is held until the stop, and what it carries is written after
/// the release. Azurite, <see cref="BlobFaults"/>, one <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class BackupClaimLandsLateTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_claim_that_lands_after_a_stopping_silos_release_is_taken_for_a_released_slot_and_the_slot_taken_late_not_reported_stalled()
    {
        // The stopping silo's claim request is held on its way; what it would write is kept, to land it later.
        BinaryData? inFlight = null;
        var held = BlobFaults.Once(BlobFaults.ClaimCreate(Backup));
        var faults = new BlobFaults
        {
            Hangs = r =>
            {
                if (!held(r))
                {
                    return false;
                }

                using var body = new MemoryStream();
                r.Content!.WriteTo(body, CancellationToken.None);
                inFlight = BinaryData.FromBytes(body.ToArray());
                return true;
            },
        };
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LandsLate");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var stopping = BackupScheduleFaultTests.Silo(options, clock, loggers, faults.Blobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        var watching = new BlobFaults();
        var next = BackupScheduleFaultTests.Silo(options, clock, loggers, watching.CountedBlobs(), failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>()));
        try
        {
            await stopping.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");

            // The clock stays at 10:00 until the next silo watches: from the slot to its claim request the silo waits on
            // storage only, and the stop's release attempts are cut off after 8 s by this clock.
            clock.SetUtcNow(Ten);
            await Eventually.TrueAsync(() => faults.Hung == 1, TimeSpan.FromSeconds(60), "the silo's claim request on its way");

            // Stopped: it releases the slot, and its read finds no claim. Then its request lands.
            await stopping.StopAsync(CancellationToken.None);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "stopping while it claimed it"));
            Assert.False(await backups.GetBlobClient($"{Backup}/claim").ExistsAsync(), "a claim before the request landed");
            Assert.NotNull(inFlight);
            await backups.GetBlobClient($"{Backup}/claim").UploadAsync(inFlight, new BlobUploadOptions { Conditions = new() { IfNoneMatch = global::Azure.ETag.All } });

            // The next silo watches the slot: a claim nobody touches. It is not reported stalled; the slot is taken late.
            // The clock moves only while that silo is at rest (its schedule and its watch waiting on the clock, no request
            // under way: a step inside a look counted the next look from a later instant), and not at all once the late
            // take has begun (its copy waits on storage only).
            await next.StartAsync(CancellationToken.None);
            var done = () => logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0 || !failures.Failed.IsEmpty;
            var takingLate = () => logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late").Count > 0;
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => takingLate() || done(), Ten.AddMinutes(40), "the slot taken late or reported", "the slot neither taken late nor reported by 10:40", 2, watching);
            await Eventually.TrueAsync(done, TimeSpan.FromSeconds(60), "the slot done with");

            Assert.Empty(failures.Failed);
            Assert.Empty(logs.Lines(LogLevel.Error));
            Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "holds the silo that released it"));
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late"));
        }
        finally
        {
            stopping.Dispose();
            await BackupScheduleFaultTests.StopAndCleanUpAsync(next, options, backups);
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
