using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The schedule under storage trouble: an unreachable account (real connection failures to a closed port,
/// <see cref="BlobFaults"/>) at a slot or during a watch must neither end the schedule (an exception out of
/// <c>ExecuteAsync</c> stops the silo) nor let a backup end unreported. Azurite, a <see cref="WaitedClock"/> stepped only
/// while the silo waits on it at rest and has no request under way (<see cref="BlobFaults"/>' <c>StepWhileIdleAsync</c>).
/// </summary>
public sealed class BackupScheduleFaultTests
{
    /// <summary>09:59:30 in Shanghai on 30 Nov 2026: the 10:00 slot (backup 20261130-020000) is 30 s away.</summary>
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task StorageUnreachableAtASlotWhileAnotherBackupCopiesNeitherEndsTheScheduleNorStopsTheSilo()
    {
        // The 02:00 backup is copying on another silo (its claim is fresh, no manifest) when this silo starts.
        var (options, backups) = await ContainerAsync("Down");
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        var storage = new BlobFaults();

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, storage.Blobs());
        var (logs, silo) = run;
        // The watch looked at the copy (its manifest, its claim): it is running. Then the account becomes unreachable.
        await Eventually.TrueAsync(
            () => Waits(logs) == 1 && storage.Answered.Any(a => a.EndsWith("20261129-180000/claim", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20),
            "the silo watches the 02:00 copy (it looked at its claim) and waits for 10:00");
        storage.Down = BlobFaults.All;

        // The slot cannot tell whether the 02:00 copy still runs: it starts no copy, looks again every 2.5 minutes,
        // and is reported failed once its looks have failed for more than StalledAfter (BackupSlotLookTests). At rest the
        // silo waits on two timers: the schedule's (its next slot, or the held slot's next look) and the watch's.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => Waits(logs) == 2 || silo.ExecuteTask!.IsCompleted, Ten.AddMinutes(20), "the schedule past 10:00", "the schedule not past 10:00 by 10:20", 2, storage);

        Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception}");
        Assert.Equal(2, Waits(logs));
        Assert.NotEmpty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not started yet", "could not tell whether backup 20261129-180000"));
        Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED"));
    }

    [Fact]
    public async Task AWatchThatCannotLookOnceKeepsWatchingAndStillReportsAStalledBackup()
    {
        // The only silo claimed 10:00, was killed, and starts again at 10:05 while storage is unreachable.
        var (options, backups) = await ContainerAsync("Blip");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("the-only-silo"));
        var storage = new BlobFaults { Down = BlobFaults.All };

        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, storage.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => logs.Lines(LogLevel.Warning, "Backup 20261130-020000").Count > 0, TimeSpan.FromSeconds(20), "the watch's first look failed");
        storage.Down = null;

        // At rest: the schedule's wait for 18:00 and the watch's between looks.
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddHours(1), "the stalled backup reported", "the stalled backup not reported by 11:00", 2, storage);
        Assert.Single(failed());
    }

    [Fact]
    public async Task ASlotPassedWhileThisSilosOwnCopyRanIsSkippedWithAWarning()
    {
        var (options, backups) = await ContainerAsync("Over");
        await StateTableAsync(options);

        // The 10:00 copy takes until 18:30: the clock moves on while it runs (when it tells its listeners it is done).
        var clock = new WaitedClock(NineFiftyNine);
        var storage = new BlobFaults();
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, storage.CountedBlobs(), new SlowCopy(clock, TimeSpan.FromHours(8.5)));
        var (logs, _) = run;
        await Eventually.TrueAsync(() => Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await ReachAsync(clock, Ten, () => Waits(logs) == 2, "the 10:00 backup done", 1, storage);

        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-100000 skipped", "20261130-020000 of an earlier slot was still copying on this silo"));
        Assert.False(await backups.GetBlobClient("20261130-100000/claim").ExistsAsync());
    }

    /// <summary>A copy that takes <paramref name="takes"/>: the clock is moved on as the backup completes.</summary>
    private sealed class SlowCopy(FakeTimeProvider clock, TimeSpan takes) : IBackupFailureListener
    {
        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            clock.Advance(takes);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ASiloWhoseClaimFailedWatchesTheSlotAnotherSiloClaimedInsteadOfReportingIt()
    {
        // Another silo claimed 10:00 and completed it; this silo's own claim request fails (storage unreachable for it).
        var (options, backups) = await ContainerAsync("Lost");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("other-silo"));
        await backups.GetBlobClient(TableBackup.ManifestBlobName("20261130-020000")).UploadAsync(BinaryData.FromString("{}"));
        var storage = new BlobFaults { Down = r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.EndsWith("/claim", StringComparison.Ordinal) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, storage.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var watched = () => logs.Lines(LogLevel.Information, "Backup 20261130-020000, taken by another silo: done watching, it has its manifest").Count > 0;
        await ReachAsync(clock, Ten, () => (Waits(logs) == 2 && watched()) || logs.Lines(LogLevel.Error).Count > 0, "10:00 done with", 1, storage);

        Assert.True(storage.Failed > 0, "the claim request never failed");
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.True(watched(), "the slot was not watched");
    }

    [Fact]
    public async Task ASiloStartingAfterMoreThanASlotStillReportsAnEarlierBackupLeftWithoutAManifest()
    {
        // The cluster's copier was killed during the 18:00 backup of 29 Nov, two slots before this silo starts.
        var (options, backups) = await ContainerAsync("Old");
        await backups.GetBlobClient("20261129-100000/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));

        var clock = new WaitedClock(NineFiftyNine);
        var storage = new BlobFaults();
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, storage.CountedBlobs());
        var (logs, _) = run;
        // At rest: the schedule's wait (for 10:00, then for the earlier copy to end) and the watch's between looks.
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261129-100000", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddMinutes(30), "the unfinished backup reported", "the unfinished backup not reported by 10:30", 2, storage);
        Assert.Contains("long-dead-silo", (await TableBackup.ReadManifestAsync(backups, "20261129-100000", CancellationToken.None))!.Error, StringComparison.Ordinal);
    }

    /// <summary>A fresh container and options for it (StalledAfter 10 minutes, Shanghai schedule).</summary>
    internal static async Task<(BackupOptions Options, BlobContainerClient Backups)> ContainerAsync(string prefix)
    {
        var options = new BackupOptions { TablePrefix = prefix + Guid.NewGuid().ToString("N")[..10], Container = Azurite.UniqueName("backups-"), TimeZone = "Asia/Shanghai", StalledAfter = TimeSpan.FromMinutes(10) };
        var backups = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(options.Container);
        await backups.CreateIfNotExistsAsync();
        return (options, backups);
    }

    /// <summary>The table a slot copies: <c>{TablePrefix}State</c> with one row.</summary>
    internal static async Task StateTableAsync(BackupOptions options)
    {
        var tables = new TableServiceClient(Azurite.ConnectionString);
        await tables.CreateTableIfNotExistsAsync(options.TablePrefix + "State");
        await tables.GetTableClient(options.TablePrefix + "State").AddEntityAsync(new TableEntity("p", "r"));
    }

    /// <summary>Stops and disposes <paramref name="silo"/>, then removes what the test made: the state table (if any) and the container.</summary>
    internal static async Task StopAndCleanUpAsync(BackupScheduler silo, BackupOptions options, BlobContainerClient backups)
    {
        await silo.StopAsync(CancellationToken.None);
        silo.Dispose();
        await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
        await backups.DeleteIfExistsAsync();
    }

    /// <summary>One silo's scheduler on <paramref name="blobs"/>; its backups copy the test Azurite's tables.</summary>
    internal static BackupScheduler Silo(BackupOptions options, FakeTimeProvider clock, ILoggerFactory loggers, BlobServiceClient blobs, params IBackupFailureListener[] listeners) => new(
        new TableBackup(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>(), listeners),
        blobs,
        Options.Create(options),
        clock,
        loggers.CreateLogger<BackupScheduler>());

    /// <summary>"Next backup at …" lines: one when a silo starts and one after each slot it finished.</summary>
    internal static int Waits(LogCapture logs) => logs.Lines(LogLevel.Information, "Next backup at").Count;

    /// <summary>Sets the clock to <paramref name="at"/>, then moves it a second per poll until <paramref name="done"/>.</summary>
    internal static Task StepAsync(FakeTimeProvider clock, DateTimeOffset at, Func<bool> done, string what)
    {
        clock.SetUtcNow(at);
        return Eventually.TrueAsync(
            () =>
            {
                if (!done())
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                }

                return done();
            },
            TimeSpan.FromSeconds(30),
            what);
    }

    /// <summary>
    /// Moves the clock half a minute per poll until <paramref name="done"/>; fails with <paramref name="late"/> once the clock
    /// reaches <paramref name="before"/>, or after a minute of real time.
    /// </summary>
    internal static Task StepUntilAsync(FakeTimeProvider clock, Func<bool> done, DateTimeOffset before, string what, string late) =>
        Eventually.TrueAsync(
            () =>
            {
                if (done())
                {
                    return true;
                }

                Assert.True(clock.GetUtcNow() < before, late);
                clock.Advance(TimeSpan.FromSeconds(30));
                return false;
            },
            TimeSpan.FromSeconds(60),
            what);

    /// <summary>
    /// Moves <paramref name="clock"/> to <paramref name="at"/> in one step, then a second at a time until
    /// <paramref name="done"/> (a wait armed from an instant read just before the jump is still reached), each step only
    /// once the silos wait on at least <paramref name="waiters"/> of its timers and none of <paramref name="clients"/> has
    /// a request under way (<see cref="BlobFaults"/>' <c>StepWhileIdleAsync</c>); fails past five minutes after
    /// <paramref name="at"/>.
    /// </summary>
    internal static async Task ReachAsync(WaitedClock clock, DateTimeOffset at, Func<bool> done, string what, int waiters, params BlobFaults[] clients)
    {
        await BlobFaults.StepWhileIdleAsync(clock, at - clock.GetUtcNow(), () => clock.GetUtcNow() >= at, at.AddTicks(1), $"the clock at {at:HH:mm:ss}", $"the clock past {at:HH:mm:ss}", waiters, clients);
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(1), done, at.AddMinutes(5), what, $"{what}: not by {at.AddMinutes(5):HH:mm:ss}", waiters, clients);
    }
}
