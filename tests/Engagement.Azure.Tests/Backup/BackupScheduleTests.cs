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
/// Issue 14 §4: the schedule itself. Two silos run the same schedule on one account; when a slot comes exactly one
/// of them takes the backup (a complete manifest named by the slot) and the other skips it; the next slot is taken
/// again. The clock is a <see cref="WaitedClock"/> the test moves only while the silos wait on it at rest and have no
/// request under way (their requests counted by one <see cref="BlobFaults"/>); storage is Azurite.
/// </summary>
public sealed class BackupScheduleTests
{
    /// <summary>09:59:30 in Shanghai on 30 Nov 2026: the 10:00 slot is 30 s away.</summary>
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    [Fact]
    public async Task AtEachSlotExactlyOneOfTwoSilosTakesTheBackupAndTheOtherSkipsIt()
    {
        var prefix = "Sch" + Guid.NewGuid().ToString("N")[..10];
        var container = Azurite.UniqueName("backups-");
        var options = new BackupOptions { TablePrefix = prefix, Container = container, FirstTables = [prefix + "GrainState"], RetentionDays = 14, TimeZone = "Asia/Shanghai" };
        var tables = new TableServiceClient(Azurite.ConnectionString);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        await tables.CreateTableIfNotExistsAsync(prefix + "GrainState");
        await tables.GetTableClient(prefix + "GrainState").AddEntityAsync(new TableEntity("p", "r"));

        var clock = new WaitedClock(NineFiftyNine);
        await using var silos = await Silos.StartAsync(2, options, clock, async () =>
        {
            await StorageClients.DeleteTableQuietlyAsync(prefix + "GrainState");
            await blobs.GetBlobContainerClient(container).DeleteIfExistsAsync();
        });
        var (logs, loggers, storage, _, _) = silos;
        await PastTenAsync(clock, logs, "both silos done with 10:00", storage);

        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete"));
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));
        var backups = await new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>()).ListAsync();
        var only = Assert.Single(backups);
        Assert.Equal("20261130-020000", only.Name);
        Assert.Equal(BackupManifest.Complete, only.Manifest?.Status);
        Assert.Equal(1, Assert.Single(only.Manifest!.Tables).Rows);

        // At rest: each silo's wait for 18:00 (the 10:00 watch may have ended already).
        await BackupScheduleFaultTests.ReachAsync(clock, new DateTimeOffset(2026, 11, 30, 18, 0, 0, TimeSpan.FromHours(8)), () => Waits(logs) == 6, "both silos done with 18:00", 2, storage);
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-100000 complete"));
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-100000 is taken by another silo"));
        Assert.Equal(["20261130-100000", "20261130-020000"], (await new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>()).ListAsync()).Select(b => b.Name));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task ABackupWhoseSiloDiedMidCopyIsRecordedFailedAndReportedOnceByTheSilosThatSkippedIt()
    {
        var prefix = "Dead" + Guid.NewGuid().ToString("N")[..10];
        var container = Azurite.UniqueName("backups-");
        var options = new BackupOptions { TablePrefix = prefix, Container = container, FirstTables = [prefix + "GrainState"], TimeZone = "Asia/Shanghai", StalledAfter = TimeSpan.FromMinutes(10) };
        var tables = new TableServiceClient(Azurite.ConnectionString);
        var blobs = new BlobServiceClient(Azurite.ConnectionString);

        // A silo claimed the 10:00 backup and was killed before it wrote anything: a claim, no manifest, never touched.
        var backups = await ClaimedByADeadSiloAsync(blobs, container, "killed-silo");

        var clock = new WaitedClock(NineFiftyNine);
        await using var silos = await Silos.StartAsync(2, options, clock, () => backups.DeleteIfExistsAsync());
        var (logs, loggers, storage, _, _) = silos;
        await PastTenAsync(clock, logs, "both silos skipped 10:00", storage);
        Assert.Equal(2, logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo").Count);
        Assert.Empty(logs.Lines(LogLevel.Error));

        // Half a minute at a time: nothing is reported before the claim has been quiet for StalledAfter, then one silo
        // reports. At rest each silo waits on two timers: its schedule's (18:00) and its watch's.
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        await StepUntilAsync(clock, () => failed().Count > 0, new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.FromHours(8)), "the stalled backup reported", 4, storage);
        Assert.True(clock.GetUtcNow() >= new DateTimeOffset(2026, 11, 30, 10, 10, 0, TimeSpan.FromHours(8)), $"reported at {clock.GetUtcNow():HH:mm}, before the claim was quiet for 10 minutes");

        var manifest = Assert.Single(await new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>()).ListAsync()).Manifest;
        Assert.Equal(BackupManifest.Failed, manifest?.Status);
        Assert.Contains("killed-silo", manifest!.Error, StringComparison.Ordinal);

        // The other silo finds the manifest (or the failure already recorded) and stops watching: still one report.
        // A minute at a time, while each silo waits at least for 18:00.
        await BlobFaults.StepWhileIdleAsync(
            clock,
            TimeSpan.FromMinutes(1),
            () => logs.Lines(LogLevel.Information, "Backup 20261130-020000, taken by another silo: done watching").Count == 2,
            new DateTimeOffset(2026, 11, 30, 11, 30, 0, TimeSpan.FromHours(8)),
            "both silos done watching",
            "both silos not done watching by 11:30",
            2,
            storage);
        Assert.Single(failed());
    }

    [Fact]
    public async Task ASlotThatComesWhileAnotherSilosBackupStillCopiesIsSkippedAndThatBackupIsWatchedUntilItEnds()
    {
        var (options, blobs, backups) = await ClaimedAsync("Slow", "slow-silo");
        var claim = backups.GetBlobClient("20261130-020000/claim");

        var clock = new WaitedClock(NineFiftyNine);
        await using var silos = await Silos.StartAsync(2, options, clock, () => backups.DeleteIfExistsAsync());
        var (logs, _, storage, _, _) = silos;
        await PastTenAsync(clock, logs, "both silos skipped 10:00", storage);

        // The silo that took 10:00 is still copying at 18:00 (a full copy can take hours): its claim is touched every
        // 2 minutes until 18:30. The clock moves only while both silos are at rest: each waits on its schedule's timer
        // (the next slot, or at 18:00 the wait for the copy to end) and its watch's.
        var stops = new DateTimeOffset(2026, 11, 30, 18, 30, 0, TimeSpan.FromHours(8));
        await Eventually.TrueAsync(
            async () =>
            {
                if (clock.GetUtcNow() >= stops)
                {
                    return true;
                }

                if (clock.Waiting >= 4 && storage.InFlight == 0)
                {
                    await claim.UploadAsync(BinaryData.FromString("slow-silo"), overwrite: true);
                    clock.Advance(TimeSpan.FromMinutes(2));
                }

                return false;
            },
            TimeSpan.FromSeconds(90),
            "the slow backup copied until 18:30");

        Assert.Equal(2, logs.Lines(LogLevel.Warning, "Backup 20261130-100000 skipped", "20261130-020000 of an earlier slot is still copying").Count);
        Assert.False(await backups.GetBlobClient("20261130-100000/claim").ExistsAsync());
        Assert.Empty(logs.Lines(LogLevel.Error));

        // Then it stops without a manifest, hours after its own slot's next one: still reported, once.
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        await StepUntilAsync(clock, () => failed().Count > 0, stops.AddHours(1), "the stalled backup reported", 4, storage);
        Assert.Single(failed());
        Assert.True(clock.GetUtcNow() >= stops.AddMinutes(10), $"reported at {clock.GetUtcNow():HH:mm}, before its claim was quiet for 10 minutes");
    }

    [Fact]
    public async Task ASlotWhoseEarlierCopyWasKilledJustBeforeItIsTakenLateOnceThatCopyIsFoundStalled()
    {
        // The 02:00 backup's silo was killed a moment before 10:00: its claim looks fresh at the slot.
        var (options, blobs, backups) = await ClaimedAsync("Late", "nobody");
        await backups.GetBlobClient("20261130-020000/claim").DeleteIfExistsAsync();
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("killed-copier"));

        var clock = new WaitedClock(NineFiftyNine);
        await using var silos = await Silos.StartAsync(2, options, clock, () => backups.DeleteIfExistsAsync());
        var (logs, _, storage, _, _) = silos;
        await Eventually.TrueAsync(() => Waits(logs) == 2, TimeSpan.FromSeconds(20), "both silos wait for the 10:00 slot");
        var slot = backups.GetBlobClient("20261130-020000/claim");
        // The watcher marks the copy stalled before it records and reports it: the slot may be taken a moment
        // before the report is logged, so both are waited for. At rest each silo waits on its schedule's timer (10:00,
        // then the wait for the 02:00 copy to end) and its watch's.
        var reported = () => logs.Lines(LogLevel.Error, "Backup 20261129-180000", "FAILED");
        await StepUntilAsync(
            clock, async () => await slot.ExistsAsync() && reported().Count > 0, new DateTimeOffset(2026, 11, 30, 10, 30, 0, TimeSpan.FromHours(8)),
            "the 10:00 slot taken once the killed copy was found stalled, and that copy reported", 4, storage);

        Assert.Single(reported());
        Assert.Empty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 skipped"));

        // The slot is claimed about 10:10, past slot + StalledAfter/2: its claim is new (no silo can have watched one
        // of this silo's longer), so it is copied, not released for being "found late" (the limit counts from when
        // this silo began claiming the slot, not from the slot). At rest: the copier's heartbeat (or its wait for 18:00),
        // the other silo's wait for 18:00 and its watch.
        await StepUntilAsync(
            clock, () => logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete").Count > 0, new DateTimeOffset(2026, 11, 30, 10, 45, 0, TimeSpan.FromHours(8)),
            "the late-taken slot copied to its complete manifest", 3, storage);
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "found only after"));
        Assert.Empty(logs.Lines(LogLevel.Error, "Backup 20261130-020000"));
    }

    [Fact]
    public async Task ASiloRestartedAfterItWasKilledMidBackupReportsTheBackupItHadClaimed()
    {
        var (options, blobs, backups) = await ClaimedAsync("Restart", "the-only-silo");

        // The only silo of the cluster claimed 10:00, was killed, and starts again at 10:05.
        var clock = new WaitedClock(new DateTimeOffset(2026, 11, 30, 10, 5, 0, TimeSpan.FromHours(8)));
        await using var silos = await Silos.StartAsync(1, options, clock, () => backups.DeleteIfExistsAsync());
        var (logs, loggers, storage, _, _) = silos;
        await StepUntilAsync(
            clock, () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED").Count > 0, new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.FromHours(8)),
            "the backup the silo had claimed before it was killed reported failed", 2, storage);
        Assert.Contains("the-only-silo", (await new TableBackup(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>()).ListAsync()).Single().Manifest!.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Schedulers started on Azurite with one clock, as the silos of a cluster run them, their
    /// logs captured and their blob requests counted by one <see cref="BlobFaults"/> (<see cref="BlobFaults.CountedBlobs"/>).
    /// Disposing it stops each silo, then runs the test's clean-up, as the tests' <c>finally</c> did.
    /// </summary>
    /// <param name="Logs">What the silos logged.</param>
    /// <param name="Loggers">The factory writing to <paramref name="Logs"/>.</param>
    /// <param name="Storage">What counts the silos' blob requests.</param>
    /// <param name="Started">The started schedulers.</param>
    /// <param name="CleanUp">Removes what the test made, once the silos stopped.</param>
    private sealed record Silos(LogCapture Logs, ILoggerFactory Loggers, BlobFaults Storage, IReadOnlyList<BackupScheduler> Started, Func<Task> CleanUp) : IAsyncDisposable
    {
        /// <summary>Starts the silos; <paramref name="cleanUp"/> removes what the test made, once they stopped.</summary>
        public static async Task<Silos> StartAsync(int count, BackupOptions options, WaitedClock clock, Func<Task> cleanUp)
        {
            var logs = new LogCapture();
            var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
            var storage = new BlobFaults();
            var tables = new TableServiceClient(Azurite.ConnectionString);
            var blobs = storage.CountedBlobs();
            var silos = Enumerable.Range(0, count).Select(_ => new BackupScheduler(
                new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>()),
                blobs,
                Options.Create(options),
                clock,
                loggers.CreateLogger<BackupScheduler>())).ToList();
            var started = new Silos(logs, loggers, storage, silos, cleanUp);
            foreach (var silo in silos)
            {
                await silo.StartAsync(CancellationToken.None);
            }

            return started;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                foreach (var silo in Started)
                {
                    await silo.StopAsync(CancellationToken.None);
                    silo.Dispose();
                }

                await CleanUp();
            }
            finally
            {
                Loggers.Dispose();
                Logs.Dispose();
            }
        }
    }

    /// <summary>"Next backup at …" lines: each silo writes one when it starts and one after each slot it finished.</summary>
    /// <summary>Container <paramref name="container"/> holding the claim of the 10:00 (Shanghai) backup of 30 Nov 2026 by silo <paramref name="holder"/>, and nothing else: a silo killed before it wrote anything.</summary>
    private static async Task<BlobContainerClient> ClaimedByADeadSiloAsync(BlobServiceClient blobs, string container, string holder)
    {
        var backups = blobs.GetBlobContainerClient(container);
        await backups.CreateIfNotExistsAsync();
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString(holder));
        return backups;
    }

    /// <summary>Options (StalledAfter 10 minutes) for a fresh container whose 10:00 backup silo <paramref name="holder"/> claimed (<see cref="ClaimedByADeadSiloAsync"/>).</summary>
    private static async Task<(BackupOptions Options, BlobServiceClient Blobs, BlobContainerClient Backups)> ClaimedAsync(string prefix, string holder)
    {
        var container = Azurite.UniqueName("backups-");
        var options = new BackupOptions { TablePrefix = prefix + Guid.NewGuid().ToString("N")[..10], Container = container, TimeZone = "Asia/Shanghai", StalledAfter = TimeSpan.FromMinutes(10) };
        var blobs = new BlobServiceClient(Azurite.ConnectionString);
        return (options, blobs, await ClaimedByADeadSiloAsync(blobs, container, holder));
    }

    private static int Waits(LogCapture logs) => logs.Lines(LogLevel.Information, "Next backup at").Count;

    /// <summary>
    /// Moves the clock half a minute per poll, only while the silos wait on at least <paramref name="waiters"/> of its timers
    /// and none of their requests is under way (<paramref name="storage"/>), until <paramref name="done"/>; fails once the
    /// clock passes <paramref name="before"/>, or after a minute of real time.
    /// </summary>
    private static Task StepUntilAsync(WaitedClock clock, Func<Task<bool>> done, DateTimeOffset before, string what, int waiters, BlobFaults storage) =>
        Eventually.TrueAsync(
            async () =>
            {
                if (await done())
                {
                    return true;
                }

                if (clock.Waiting >= waiters && storage.InFlight == 0)
                {
                    Assert.True(clock.GetUtcNow() < before, $"{what}: not by {before:HH:mm}");
                    clock.Advance(TimeSpan.FromSeconds(30));
                }

                return false;
            },
            TimeSpan.FromSeconds(60),
            what);

    private static Task StepUntilAsync(WaitedClock clock, Func<bool> done, DateTimeOffset before, string what, int waiters, BlobFaults storage) =>
        StepUntilAsync(clock, () => Task.FromResult(done()), before, what, waiters, storage);

    /// <summary>
    /// Both silos started at <see cref="NineFiftyNine"/> wait for the 10:00 slot (each on one timer: no earlier claim to
    /// watch), then the clock reaches it and both are done with it.
    /// </summary>
    private static async Task PastTenAsync(WaitedClock clock, LogCapture logs, string what, BlobFaults storage)
    {
        await Eventually.TrueAsync(() => Waits(logs) == 2, TimeSpan.FromSeconds(20), "both silos wait for the 10:00 slot");
        await BackupScheduleFaultTests.ReachAsync(clock, new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8)), () => Waits(logs) == 4, what, 2, storage);
    }
}
