using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A watch judging a quiet claim while its silo releases it (the released marker written, the claim's delete still to
/// come: a silo whose claim reads failed until the watchers' judgement, or a slow release) must not report a backup
/// stalled that is being handed over; a released marker older than the claim (a late taker's claim since) still is.
/// One silo watching, Azurite, a <see cref="WaitedClock"/> the test steps only while the silo waits on it at rest (its
/// schedule's wait for 18:00 and its watch's between looks) and has no request under way.
/// </summary>
public sealed class BackupReleaseJudgementTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_claim_whose_silo_is_releasing_it_when_the_watch_judges_it_is_taken_late_not_reported_stalled()
    {
        // Another silo claimed 10:00 and has not touched its claim since; this silo starts at 10:05 and watches it.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RelJudge");
        await BackupScheduleFaultTests.StateTableAsync(options);
        // The clock moves only while the silo is at rest (its schedule and its watch waiting on the clock, no request under
        // way): a step inside a look counted the next look from a later instant, and the judgement drifted past 10:17. Not
        // at all once the late take has begun.
        var claim = backups.GetBlobClient($"{Backup}/claim");
        await claim.UploadAsync(BinaryData.FromString("releasing-silo"));
        var clock = new WaitedClock(Ten.AddMinutes(5));
        var silo = new BlobFaults();
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, silo.CountedBlobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo watches 10:00 and waits for 18:00");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(14), Ten.AddMinutes(14), "the clock at 10:14", "the clock past 10:14", 2, silo);

        // At 10:14 that silo begins releasing the claim: its released marker is written, the claim's delete not yet.
        await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).UploadAsync(BinaryData.FromString("releasing-silo"));
        var putOff = () => logs.Lines(LogLevel.Information, $"Backup {Backup}", "its silo is releasing it");
        var failed = () => logs.Lines(LogLevel.Error, $"Backup {Backup}", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => putOff().Count > 0 || failed().Count > 0, Ten.AddMinutes(17), "the watch's judgement", "the watch did not judge the quiet claim by 10:17", 2, silo);
        Assert.Empty(failed());
        Assert.Single(putOff());

        // The release completes (the claim deleted): the next look finds the slot released and takes it late.
        await claim.DeleteAsync();
        var takingLate = () => logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late").Count > 0;
        var done = () => logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0 || failed().Count > 0;
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => takingLate() || done(), Ten.AddMinutes(30), "the released slot taken late", "the released slot not taken late by 10:30", 2, silo);
        await Eventually.TrueAsync(done, TimeSpan.FromSeconds(60), "the late copy done with");
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late"));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task A_quiet_claim_written_after_an_old_released_marker_is_still_reported_stalled_at_its_judgement()
    {
        // 10:00 was released once and taken late by another silo, which then died mid-copy: its claim is newer than the
        // released marker. This silo starts at 10:05 and watches it.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RelOld");
        var released = backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup));
        await released.UploadAsync(BinaryData.FromString("stopped-silo"));
        var markerWritten = (await released.GetPropertiesAsync()).Value.LastModified;
        var claim = backups.GetBlobClient($"{Backup}/claim");
        await Eventually.TrueAsync(
            async () =>
            {
                await claim.UploadAsync(BinaryData.FromString("late-taker"), overwrite: true);
                return (await claim.GetPropertiesAsync()).Value.LastModified > markerWritten;
            },
            TimeSpan.FromSeconds(10),
            "the late taker's claim written after the released marker (storage's time, to the second)");
        var clock = new WaitedClock(Ten.AddMinutes(5));
        var silo = new BlobFaults();
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, silo.CountedBlobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo watches 10:00 and waits for 18:00");

        // Reported at the judgement (the first look with the claim quiet for StalledAfter), not put off.
        var failed = () => logs.Lines(LogLevel.Error, $"Backup {Backup}", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddMinutes(17), "the stalled backup reported", "the stalled late taker not reported by 10:17", 2, silo);
        Assert.Single(failed());
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup}", "its silo is releasing it"));
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task A_newer_released_marker_whose_claim_is_never_deleted_puts_the_judgement_off_once_then_reports_it_at_the_next_look()
    {
        // Another silo claimed 10:00 and has not touched its claim since; this silo starts at 10:05 and watches it
        // (looks at 10:05, 10:07:30, … 10:15: the judgement).
        // The clock moves only while the silo is at rest (its schedule and its watch waiting on the clock, no request under
        // way): a step inside a look (a CPU-starved host) counted the next look from a later instant, and the looks drifted
        // until the report came past 10:20.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RelStuck");
        await backups.GetBlobClient($"{Backup}/claim").UploadAsync(BinaryData.FromString("releasing-silo"));
        var clock = new WaitedClock(Ten.AddMinutes(5));
        var silo = new BlobFaults();
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, silo.CountedBlobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo watches 10:00 and waits for 18:00");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(14), Ten.AddMinutes(14), "the clock at 10:14", "the clock past 10:14", 2, silo);

        // At 10:14 that silo writes its released marker, and its delete of the claim never lands.
        await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).UploadAsync(BinaryData.FromString("releasing-silo"));
        var putOff = () => logs.Lines(LogLevel.Information, $"Backup {Backup}", "its silo is releasing it");
        var failed = () => logs.Lines(LogLevel.Error, $"Backup {Backup}", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddMinutes(20), "the stalled backup reported", "the claim left behind by the release not reported by 10:20", 2, silo);

        // Put off once (at 10:15), then reported at the next look (10:17:30), by storage's record of the report.
        Assert.Single(putOff());
        Assert.Single(failed());
        var manifest = await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None);
        Assert.Equal(BackupManifest.Failed, manifest?.Status);
        Assert.True(manifest!.FinishedAt >= Ten.AddMinutes(17.5), $"reported at {manifest.FinishedAt:HH:mm:ss}, before the look after the put-off one");
    }

    [Fact]
    public async Task A_quiet_claim_whose_released_marker_cannot_be_looked_at_is_still_reported_stalled_one_look_after_its_judgement()
    {
        // Another silo claimed 10:00 and died; this silo starts at 10:05 and watches it, and every look at the slot's
        // released marker times out (its judgement, at 10:15, cannot tell whether the claim is being released).
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RelBlind");
        await backups.GetBlobClient($"{Backup}/claim").UploadAsync(BinaryData.FromString("dead-silo"));
        var faults = new BlobFaults
        {
            TimesOut = r => r.Method == global::Azure.Core.RequestMethod.Head && r.Uri.Path.EndsWith("/" + BackupScheduler.ReleasedBlobName(Backup), StringComparison.Ordinal),
        };
        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo watches 10:00 and waits for 18:00");

        // The failed look uses up the one deferral: reported at the next look, not put off for as long as the marker is unreadable.
        var failed = () => logs.Lines(LogLevel.Error, $"Backup {Backup}", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddMinutes(30), "the stalled backup reported", "the dead copy not reported by 10:30 (its released marker could not be looked at)", 2, faults);
        Assert.True(faults.TimedOut >= 1, "the released marker was never looked at");
        Assert.Single(failed());
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup}", "its silo is releasing it"));
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task A_released_slot_whose_failed_manifest_is_written_while_this_silo_claims_it_is_not_copied_over_that_report()
    {
        // 10:00 was released (its marker there, no claim, no manifest); this silo starts at 10:05 and takes it late.
        // While its claim request is on its way, another watcher that judged the old claim stalled writes the slot's
        // failed manifest: this silo's earlier look found none.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("RelRace");
        await BackupScheduleFaultTests.StateTableAsync(options);
        await backups.GetBlobClient(BackupScheduler.ReleasedBlobName(Backup)).UploadAsync(BinaryData.FromString("stopped-silo"));
        var manifest = backups.GetBlobClient(TableBackup.ManifestBlobName(Backup));
        var report = new BackupManifest { Name = Backup, Status = BackupManifest.Failed, StartedAt = Ten, FinishedAt = Ten.AddMinutes(5), Error = "stalled (another watcher's report)", Tables = [] };
        var written = 0;
        bool ReportWrittenMeanwhile(global::Azure.Core.Request r)
        {
            if (BlobFaults.ClaimCreate(Backup)(r) && Interlocked.Exchange(ref written, 1) == 0)
            {
                manifest.Upload(BinaryData.FromObjectAsJson(report, TableBackup.ManifestJson), overwrite: false);
            }

            return false;
        }

        var faults = new BlobFaults { TimesOut = ReportWrittenMeanwhile };
        // Never stepped: the slot is claimed and done with at the watch's first look.
        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        var done = () => logs.Lines(LogLevel.Information, $"Backup {Backup}", "done watching").Count > 0 || logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0;
        await Eventually.TrueAsync(() => Volatile.Read(ref written) == 1 && done(), TimeSpan.FromSeconds(20), "the released slot claimed and done with");

        // The other watcher's report stands: the slot is not copied, and its manifest still says failed.
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup} complete"));
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup} to container", "started"));
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        Assert.Single(logs.Lines(LogLevel.Information, $"Backup {Backup}", "done watching", "it has its manifest"));
    }
}
