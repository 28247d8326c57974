using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The schedule's claims, watches and slot looks when one request times out in the storage SDK (a TaskCanceledException no token of
/// the silo's cancelled, <see cref="BlobFaults"/>): a failed look or touch, logged and tried
/// again, never a watch or heartbeat that ends. Azurite, a <see cref="WaitedClock"/> stepped only while the silo waits on
/// it at rest (the count of its timers then named at each step) and has no request under way.
/// </summary>
public sealed class BackupClaimTimeoutTests
{
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_watch_whose_look_at_the_claim_times_out_keeps_watching_and_still_reports_a_stalled_backup()
    {
        // The only silo claimed 10:00, was killed, and starts again at 10:05; its first look at the claim times out.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("WatchTo");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("the-only-silo"));
        var timeouts = new BlobFaults { TimesOut = BlobFaults.Once(BlobFaults.ClaimLook("20261130-020000")) };

        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, timeouts.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => timeouts.TimedOut == 1 && BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the watch's first look timed out; the silo waits for 18:00");

        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        // At rest: the schedule's wait for 18:00 and the watch's between looks.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddHours(1), "the stalled backup reported", "the stalled backup not reported by 11:00", 2, timeouts);
        Assert.Single(failed());
        Assert.NotEmpty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "could not look at the silo that takes it"));
    }

    [Fact]
    public async Task A_heartbeat_that_times_out_keeps_touching_the_claim_and_the_good_backup_is_not_reported_failed()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("BeatTo");
        await BackupScheduleFaultTests.StateTableAsync(options);

        // The 10:00 copy's first touch of its claim times out; the copy then runs on until its claim is touched again.
        var timeouts = new BlobFaults { TimesOut = BlobFaults.Once(BlobFaults.IsHeartbeat) };
        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, timeouts.Blobs(), new CopyUntilTouchedAgain(clock, timeouts));
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2 || logs.Lines(LogLevel.Error).Count > 0, "the 10:00 backup done", 1, timeouts);

        Assert.Equal(1, timeouts.TimedOut);
        Assert.Contains(timeouts.Answered, a => a.EndsWith("/20261130-020000/claim heartbeat", StringComparison.Ordinal));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "could not touch its claim"));
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Equal(2, BackupScheduleFaultTests.Waits(logs));
        Assert.NotNull(await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_heartbeat_waits_a_quarter_of_StalledAfter_before_touching_again_instead_of_hammering_storage()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("BeatWait");
        await BackupScheduleFaultTests.StateTableAsync(options);

        // Every touch of the 10:00 copy's claim times out; the copy runs on (its completion held) while the clock stands still.
        var timeouts = new BlobFaults { TimesOut = BlobFaults.IsHeartbeat };
        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, timeouts.Blobs(), new CopyWhileTouchesFail(timeouts));
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2 || logs.Lines(LogLevel.Error).Count > 0, "the 10:00 backup done", 1, timeouts);

        // The clock stood at 10:00 for the whole copy: one touch, not one after another.
        Assert.Equal(1, timeouts.TimedOut);
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "could not touch its claim"));
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete"));
    }

    [Fact]
    public async Task A_still_copying_look_that_times_out_holds_the_slot_until_a_look_answers_and_leaves_the_healthy_copy_unreported()
    {
        // The 02:00 backup is copying on another silo (fresh claim, no manifest); at 10:00 this silo's look at whether it
        // is still copying (its manifest) times out.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("StillTo");
        await backups.GetBlobClient("20261129-180000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        await BackupScheduleFaultTests.StateTableAsync(options);
        var faults = new BlobFaults();

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, silo) = run;
        await Eventually.TrueAsync(
            () => BackupScheduleFaultTests.Waits(logs) == 1 && faults.Answered.Any(a => a.StartsWith("HEAD", StringComparison.Ordinal) && a.EndsWith("/20261129-180000/claim", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20),
            "the silo watches the 02:00 copy (it looked at its claim) and waits for 10:00");

        // The watch looks next at 10:02; the first look at the 02:00 manifest from here is the slot's.
        faults.TimesOut = BlobFaults.Once(r => r.Method == global::Azure.Core.RequestMethod.Head && r.Uri.Path.EndsWith("/" + TableBackup.ManifestBlobName("20261129-180000"), StringComparison.Ordinal));
        var held = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not started yet", "could not tell whether backup 20261129-180000").Count > 0;
        // At rest the silo waits on the schedule's timer (10:00, then the held slot's next look) and the watch's.
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => held() || BackupScheduleFaultTests.Waits(logs) == 2, "the 10:00 slot held", 2, faults);

        // Storage could not say: no second copy was started beside the 02:00 one.
        Assert.Equal(1, faults.TimedOut);
        Assert.True(held(), "the slot was not held");
        Assert.False(await backups.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the 10:00 slot started beside a copy it could not see");

        // The 02:00 copy completes; the slot's next look (2.5 minutes on) answers, and the slot is taken.
        await backups.GetBlobClient(TableBackup.ManifestBlobName("20261129-180000")).UploadAsync(BinaryData.FromString("{}"));
        // The watch ends at its next look (the manifest is there), before the slot's: from then on one timer at rest. The
        // clock steps only until the slot's look has claimed it; its copy then runs with the clock at rest (a copy's table
        // reads are not requests the steps wait for, so stepping on through a CPU-starved copy ran the clock past the
        // bound while the slot was already taken in time).
        var claimed = () => faults.Answered.Any(a => a.StartsWith("PUT", StringComparison.Ordinal) && a.EndsWith("/20261130-020000/claim", StringComparison.Ordinal));
        await StepToNextTickAsync(clock, options, () => claimed() || BackupScheduleFaultTests.Waits(logs) == 2, "the 10:00 slot claimed", 1, faults);
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 2, TimeSpan.FromSeconds(60), "the 10:00 slot done with");

        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None))?.Status);
        Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception}");
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task A_claim_look_that_times_out_after_a_failed_claim_is_not_checked_rather_than_failed_and_the_next_tick_finds_the_other_silos_claim()
    {
        // Another silo claimed 10:00 and is copying it. This silo's claim request times out, and so does its look at
        // whether the slot is claimed.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LookTo");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("other-silo"));
        await BackupScheduleFaultTests.StateTableAsync(options);
        var claimPut = BlobFaults.Once(r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal));
        var claimLook = BlobFaults.Once(BlobFaults.ClaimRead("20261130-020000"));
        var faults = new BlobFaults { TimesOut = r => claimPut(r) || claimLook(r) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, silo) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var notChecked = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not checked", "looking whether it is claimed");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => notChecked().Count > 0 || logs.Lines(LogLevel.Error).Count > 0 || silo.ExecuteTask!.IsCompleted, "the 10:00 claim tried", 1, faults);

        // Storage could not say whether the slot is taken: said once, with why; not reported failed (a false alarm:
        // the other silo is copying it).
        Assert.Equal(2, faults.TimedOut);
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Single(notChecked());

        // The next tick (a quarter of StalledAfter on) claims again, meets the other silo's claim and watches it.
        await StepToNextTickAsync(clock, options, () => BackupScheduleFaultTests.Waits(logs) == 2, "the schedule past 10:00", 1, faults);
        Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception}");
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Single(notChecked());

        // No second copy beside the other silo's: this silo started none and the claim is still the other silo's.
        Assert.Empty(logs.Lines(LogLevel.Information, "Backup 20261130-020000 to container", "started"));
        Assert.Equal("other-silo", (await backups.GetBlobClient("20261130-020000/claim").DownloadContentAsync()).Value.Content.ToString());
        Assert.False(await backups.GetBlobClient(TableBackup.TableBlobName("20261130-020000", options.TablePrefix + "State")).ExistsAsync());
    }

    [Fact]
    public async Task A_claim_look_failing_for_longer_than_StalledAfter_is_reported_failed_once_after_one_not_checked_warning()
    {
        // From 10:00 on, this silo's claim requests and its looks at the claim all time out.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LookLong");
        var faults = new BlobFaults { TimesOut = r => r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        // At rest the silo waits on one timer: for 10:00, then for the claim's next tick.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, Ten.AddMinutes(20), "the slot reported", "the slot not reported by 10:20", 1, faults);

        Assert.True(clock.GetUtcNow() > Ten.AddMinutes(10), $"reported at {clock.GetUtcNow():HH:mm:ss}, before storage had failed to say for StalledAfter");
        Assert.Single(failed());
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not checked"));
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 2, TimeSpan.FromSeconds(20), "the schedule goes on to 18:00");
    }

    [Fact]
    public async Task A_claim_look_that_first_fails_past_the_retry_limit_says_the_claim_is_only_read_not_claimed_again()
    {
        // From 10:00 on, this silo's claim requests time out; its first two looks at the claim answer (none there), the
        // later ones time out. The first failed look comes past 10:05 (the slot + half of StalledAfter), where the slot
        // is only read, never claimed again.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LookPast");
        var reads = 0;
        var faults = new BlobFaults { TimesOut = r => BlobFaults.ClaimCreate("20261130-020000")(r) || (BlobFaults.ClaimRead("20261130-020000")(r) && Interlocked.Increment(ref reads) > 2) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var notChecked = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not checked");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => Volatile.Read(ref reads) >= 1, "the 10:00 claim tried", 1, faults);

        // Seven seconds a step (off the ticks' 2.5-minute grid, so no tick lands on 10:05:00 itself) until the warning,
        // each while the silo waits for the claim's next tick.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(7), () => notChecked().Count > 0, Ten.AddMinutes(9), "the not-checked warning", "no 'not checked' warning by 10:09", 1, faults);

        // Past the limit the claim is only read: the warning says so, not that the slot is claimed again.
        Assert.True(clock.GetUtcNow() > Ten.AddMinutes(5), $"warned at {clock.GetUtcNow():HH:mm:ss}, before the limit");
        var warning = Assert.Single(notChecked());
        Assert.Contains("it is not claimed again", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("trying again", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("claiming it again", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_claim_request_that_times_out_past_the_retry_limit_with_its_look_says_the_claim_is_only_read_not_claimed_again()
    {
        // The 10:00 claim request takes six minutes to time out (it never reached storage), ending past 10:05 (half of
        // StalledAfter after this silo began claiming), and the look at the claim that follows it times out too: the
        // warning is written by the claim attempt itself, past the limit, where the slot is only read from then on.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("FirstPast");
        var clock = new WaitedClock(NineFiftyNine);
        var creates = 0;
        bool SlowCreate(global::Azure.Core.Request r)
        {
            if (!BlobFaults.ClaimCreate("20261130-020000")(r) || Interlocked.Increment(ref creates) != 1)
            {
                return false;
            }

            clock.Advance(TimeSpan.FromMinutes(6));
            return true;
        }

        var faults = new BlobFaults { TimesOut = r => BlobFaults.ClaimRead("20261130-020000")(r) || SlowCreate(r) };
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var notChecked = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000 not checked");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => notChecked().Count > 0, "the not-checked warning after the slow claim request", 1, faults);

        Assert.True(clock.GetUtcNow() > Ten.AddMinutes(5), $"warned at {clock.GetUtcNow():HH:mm:ss}, before the limit");
        var warning = Assert.Single(notChecked());
        Assert.Contains("it is not claimed again", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("claiming it again", warning, StringComparison.Ordinal);

        // And so it is: to 10:12 (two more ticks) the slot is only read, never claimed again.
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(12), Ten.AddMinutes(13), "the clock at 10:12", "the clock not at 10:12", 1, faults);
        Assert.Equal(1, Volatile.Read(ref creates));
    }

    [Fact]
    public async Task A_claim_met_whose_read_times_out_is_read_again_at_the_next_tick_and_then_watched_as_the_other_silos()
    {
        // Another silo claimed 10:00. This silo's claim request meets that claim (409), and its read of whose it is
        // times out: storage could not say, so the slot is not yet watched as another silo's; the next tick reads again.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("OwnLookTo");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("other-silo"));
        var faults = new BlobFaults { TimesOut = BlobFaults.Once(BlobFaults.ClaimRead("20261130-020000")) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var unread = () => logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "claiming it met a claim, and reading whose it is failed");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => unread().Count > 0 || BackupScheduleFaultTests.Waits(logs) == 2, "the 10:00 claim met", 1, faults);

        Assert.Equal(1, faults.TimedOut);
        Assert.Single(unread());
        Assert.Empty(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));

        await StepToNextTickAsync(clock, options, () => BackupScheduleFaultTests.Waits(logs) == 2, "the schedule past 10:00", 1, faults);
        Assert.Single(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(logs.Lines(LogLevel.Information, "Backup 20261130-020000 to container", "started"));
        Assert.Equal("other-silo", (await backups.GetBlobClient("20261130-020000/claim").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_claim_of_its_own_met_after_a_lost_answer_whose_read_times_out_is_taken_at_the_next_tick_not_watched_until_reported_stalled()
    {
        // The SDK's first try writes the 10:00 claim and its answer is lost; its retry meets the claim (409), and the
        // read of whose it is times out. The claim is this silo's: watching it as another's would report it stalled.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("OwnRead");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var faults = new BlobFaults
        {
            TryLosesAnswer = BlobFaults.Once(BlobFaults.ClaimCreate("20261130-020000")),
            TimesOut = BlobFaults.Once(BlobFaults.ClaimRead("20261130-020000")),
        };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => faults.TimedOut == 1, "the read of the 10:00 claim timed out", 1, faults);
        // At rest the silo waits on one timer: the claim's next tick, then the copy's heartbeat, then 18:00.
        await BlobFaults.StepWhileIdleAsync(
            clock,
            TimeSpan.FromSeconds(30),
            () => BackupScheduleFaultTests.Waits(logs) == 2 || logs.Lines(LogLevel.Error).Count > 0,
            Ten.AddMinutes(20),
            "a manifest for the 10:00 slot",
            "the 10:00 slot neither taken nor reported by 10:20",
            1,
            faults);
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None))?.Status);

        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "claiming it met a claim, and it is this silo's"));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task After_looks_that_time_out_for_longer_than_StalledAfter_a_claim_unchanged_across_them_is_not_at_once_taken_for_stalled()
    {
        // Another silo is copying 10:00 (its claim there, no manifest); this silo starts at 10:05 and watches it.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("BlindTo");
        await backups.GetBlobClient("20261130-020000/claim").UploadAsync(BinaryData.FromString("copying-silo"));
        var faults = new BlobFaults();
        var claimLooks = () => faults.Answered.Count(a => a.StartsWith("HEAD", StringComparison.Ordinal) && a.EndsWith("/20261130-020000/claim", StringComparison.Ordinal));
        var failedManifest = async () => await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None) is not null;

        var clock = new WaitedClock(Ten.AddMinutes(5));
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => claimLooks() == 1 && BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the watch's first look at the claim");

        // The backups account times out for 12.5 minutes (the copier's touches too, so the claim stays as it was). At rest
        // the silo waits on two timers: its schedule's (18:00) and its watch's.
        faults.TimesOut = r => r.Uri.Path.Contains("/20261130-020000/", StringComparison.Ordinal);
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(17.5), Ten.AddMinutes(18), "the clock at 10:17:30", "the clock past 10:17:30", 2, faults);
        await Eventually.TrueAsync(() => faults.TimedOut >= 5 && clock.Waiting >= 2 && faults.InFlight == 0, TimeSpan.FromSeconds(30), "five looks timed out");

        // Storage answers again. The watch's next look finds the claim as it was 12.5 minutes ago: not stalled yet.
        faults.TimesOut = null;
        await BlobFaults.StepWhileIdleAsync(
            clock,
            TimeSpan.FromSeconds(30),
            () => claimLooks() >= 3 || logs.Lines(LogLevel.Error).Count > 0,
            Ten.AddMinutes(30),
            "two looks after the outage, or the backup recorded failed",
            "no two looks after the outage by 10:30",
            2,
            faults);
        Assert.False(await failedManifest(), "a claim left unchanged by the outage was taken for stalled at the first look after it");
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.NotEmpty(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "could not look at the silo that takes it"));

        // A copier that is really gone (the claim never touched again) is still reported, StalledAfter / 2 later.
        var recovered = clock.GetUtcNow();
        var failed = () => logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED");
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => failed().Count > 0, recovered.AddMinutes(15), "the stalled backup reported", "the stalled backup not reported 15 minutes after the outage", 2, faults);
        Assert.Single(failed());
    }

    [Fact]
    public async Task A_claim_whose_answer_is_lost_is_taken_by_this_silo_not_watched_until_reported_stalled()
    {
        // The 10:00 claim is written, but its answer times out: the claim is this silo's, and no other silo will take it.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LostAnswer");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var faults = new BlobFaults { LosesAnswer = BlobFaults.Once(r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal)) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2 || logs.Lines(LogLevel.Error).Count > 0, "the 10:00 slot done with", 1, faults);

        Assert.Equal(1, faults.TimedOut);
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(logs.Lines(LogLevel.Warning, "watching it as taken by another silo"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "the answer to claiming it was lost, but the claim is this silo's"));
    }

    [Fact]
    public async Task A_claim_whose_first_try_lost_its_answer_is_taken_when_the_SDKs_own_retry_meets_the_claim()
    {
        // The common case of a lost answer: the SDK's first try writes the 10:00 claim and its connection drops; the
        // SDK retries itself, and its retry meets the claim (409), not an exception.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LostTry");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var faults = new BlobFaults { TryLosesAnswer = BlobFaults.Once(r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal)) };

        var clock = new WaitedClock(NineFiftyNine);
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => BackupScheduleFaultTests.Waits(logs) == 2 || logs.Lines(LogLevel.Error).Count > 0, "the 10:00 slot done with", 1, faults);

        Assert.Equal(1, faults.TriesDropped);
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(logs.Lines(LogLevel.Information, "Backup 20261130-020000 is taken by another silo"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "claiming it met a claim, and it is this silo's"));
    }

    /// <summary>
    /// Moves the clock 10 s per step until <paramref name="done"/>, at most a quarter of StalledAfter and a minute on (the
    /// next tick and a little), each step once the silo waits on <paramref name="waiters"/> timers and has no request
    /// under way (<see cref="BlobFaults.StepWhileIdleAsync(WaitedClock, TimeSpan, Func{bool}, DateTimeOffset, string, string, int, BlobFaults[])"/>):
    /// a step right after a warning, before the slot's wait for its next tick is armed, would leave that wait unreached.
    /// </summary>
    private static Task StepToNextTickAsync(WaitedClock clock, BackupOptions options, Func<bool> done, string what, int waiters, BlobFaults faults)
    {
        var until = clock.GetUtcNow() + options.StalledAfter / 4 + TimeSpan.FromMinutes(1);
        return BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(10), done, until, what, $"{what}: not by {until:HH:mm:ss}", waiters, faults);
    }

    /// <summary>
    /// A copy that lasts until its claim was touched after the timed-out touch: the clock moves on a minute per poll
    /// (for ten seconds of real time at most) as the backup completes.
    /// </summary>
    /// <summary>Holds the copy's completion for up to 3 s of real time, or until a failing heartbeat has touched 3 times.</summary>
    private sealed class CopyWhileTouchesFail(BlobFaults timeouts) : IBackupFailureListener
    {
        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            try
            {
                await Eventually.TrueAsync(() => timeouts.TimedOut >= 3, TimeSpan.FromSeconds(3), "the heartbeat touched three times");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Touched fewer times: the test's assertions say how many.
            }
        }
    }

    private sealed class CopyUntilTouchedAgain(WaitedClock clock, BlobFaults timeouts) : IBackupFailureListener
    {
        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            try
            {
                await Eventually.TrueAsync(
                    () =>
                    {
                        var touched = timeouts.TimedOut == 1 && timeouts.Answered.Any(a => a.EndsWith("heartbeat", StringComparison.Ordinal));
                        // Only while the heartbeat waits for its next touch (the copy itself waits on no timer).
                        if (!touched && clock.Waiting >= 1 && timeouts.InFlight == 0)
                        {
                            clock.Advance(TimeSpan.FromMinutes(1));
                        }

                        return touched;
                    },
                    TimeSpan.FromSeconds(10),
                    "the claim touched again after the timeout");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Never touched again: the test's assertions say so.
            }
        }
    }
}
