using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The schedule's start when listing the backups container times out in the storage SDK (a TaskCanceledException no
/// token of the silo's cancelled): a failure the schedule logs and goes on from, not the silo stopping. Azurite, a
/// <see cref="WaitedClock"/> stepped only while the silo waits on it at rest and has no request under way.
/// </summary>
public sealed class BackupScanTimeoutTests
{
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_scan_for_unfinished_backups_that_times_out_neither_ends_the_schedule_nor_stops_the_silo()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Scan");
        var timeouts = new BlobFaults { TimesOut = BlobFaults.Listing };
        var blobs = timeouts.Blobs();

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, blobs);
        var (logs, silo) = run;
        // The scan's listing timed out; the schedule still waits for its next slot.
        await Eventually.TrueAsync(
            () => BackupScheduleFaultTests.Waits(logs) == 1 || silo.ExecuteTask!.IsCompleted,
            TimeSpan.FromSeconds(20),
            "the schedule waits for 10:00 (or ended)");

        Assert.True(timeouts.TimedOut > 0);
        Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception?.ToString() ?? silo.ExecuteTask.Status.ToString()}");
        Assert.Equal(1, BackupScheduleFaultTests.Waits(logs));
        Assert.Single(logs.Lines(LogLevel.Warning, "could not list earlier unfinished backups"));
    }

    [Fact]
    public async Task The_silo_stopping_while_the_scan_lists_ends_the_scan_without_a_could_not_list_warning()
    {
        // Our own cancellation (the host stopping) while the listing waits on storage is no storage failure.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ScanStop");
        var listing = new BlobFaults { Hangs = BlobFaults.Listing };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, listing.Blobs());
        var (logs, silo) = run;
        await Eventually.TrueAsync(() => listing.Hung > 0, TimeSpan.FromSeconds(20), "the scan's listing waits on storage");

        await silo.StopAsync(CancellationToken.None);

        Assert.True(silo.ExecuteTask!.IsCompleted, "the schedule did not end");
        Assert.Empty(logs.Lines(LogLevel.Warning, "could not list earlier unfinished backups"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Equal(0, BackupScheduleFaultTests.Waits(logs));
    }

    [Fact]
    public async Task A_look_at_one_earlier_backups_manifest_that_times_out_neither_hides_it_nor_the_backups_after_it()
    {
        // The cluster's copier was killed during the 10:00 and the 18:00 backups of 29 Nov; at this silo's start the
        // scan's look at the first one's manifest times out.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ScanLook");
        await backups.GetBlobClient("20261129-020000/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));
        await backups.GetBlobClient("20261129-100000/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));
        var faults = new BlobFaults { TimesOut = BlobFaults.Once(r => r.Method == global::Azure.Core.RequestMethod.Head && r.Uri.Path.EndsWith("/20261129-020000/manifest.json", StringComparison.Ordinal)) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        Assert.Equal(1, faults.TimedOut);
        Assert.Empty(logs.Lines(LogLevel.Warning, "could not list earlier unfinished backups"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261129-020000: could not look for its manifest"));

        // Both are watched, and both are reported once their claims have been quiet for StalledAfter. At rest the silo
        // waits on the schedule's timer (its slot, then the wait for the earlier copies to end) and one per watch still on.
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261129-", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count >= 2, NineFiftyNine.AddMinutes(30), "both unfinished backups reported", "the unfinished backups not reported by 10:30", () => 1 + 2 - failed().Count, faults);
        Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261129-020000", "FAILED"));
        Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261129-100000", "FAILED"));
    }

    [Fact]
    public async Task After_one_failed_manifest_look_the_scan_counts_the_rest_unfinished_without_looking()
    {
        // Three earlier backups whose copier died; at this silo's start storage times out every look at a manifest. The
        // scan pays for one failed look, not one per backup (each a full client-retried timeout in production).
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ScanBlind");
        string[] names = ["20261128-180000", "20261129-020000", "20261129-100000"];
        foreach (var name in names)
        {
            await backups.GetBlobClient($"{name}/claim").UploadAsync(BinaryData.FromString("long-dead-silo"));
        }

        var faults = new BlobFaults { TimesOut = r => r.Method == global::Azure.Core.RequestMethod.Head && names.Any(n => r.Uri.Path.EndsWith($"/{n}/manifest.json", StringComparison.Ordinal)) };
        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        faults.TimesOut = null;

        // One look failed and was warned of; the backups after it were not looked at by the scan.
        Assert.Single(logs.Lines(LogLevel.Warning, "could not look for its manifest"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261128-180000: could not look for its manifest"));

        // All three are watched nonetheless, and reported once their claims have been quiet for StalledAfter (at rest: the
        // schedule's timer and one per watch still on).
        var failed = () => logs.Lines(LogLevel.Error, "Backup 2026112", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count >= 3, NineFiftyNine.AddMinutes(30), "the three unfinished backups reported", "the unfinished backups not reported by 10:30", () => 1 + 3 - failed().Count, faults);
        foreach (var name in names)
        {
            Assert.Single(logs.Lines(LogLevel.Error, $"Backup {name}", "FAILED"));
        }
    }
}
