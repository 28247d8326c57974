using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A silo whose claim met a claim (its own: the first try's answer was lost) and whose reads of it keep failing, while a
/// second silo watches that claim from the slot on: the first silo must never start a copy the watcher is about to judge
/// stalled, so one backup is never reported failed and then completed. Azurite, <see cref="BlobFaults"/>, one
/// <see cref="WaitedClock"/> stepped only while the silos wait on it at rest and have no request under way.
/// </summary>
public sealed class BackupClaimLateReadTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_claim_whose_reads_fail_until_the_watchers_judge_it_stalled_is_not_copied_beside_their_failed_report()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LateRead");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);

        // This silo's claim is written but its first try's answer is lost (the SDK's retry meets it: 409); its reads of
        // the claim time out until 10:10; a copy it starts never finishes (it runs past the watcher's judgement).
        var faults = new BlobFaults
        {
            TryLosesAnswer = BlobFaults.Once(BlobFaults.ClaimCreate(Backup)),
            TimesOut = r => BlobFaults.ClaimRead(Backup)(r) && clock.GetUtcNow() < Ten.AddMinutes(10),
            Hangs = r => r.Method == global::Azure.Core.RequestMethod.Put && r.Uri.Path.Contains($"/{Backup}/tables/", StringComparison.Ordinal),
        };
        await using var silos = new ClaimingAndWatching(options, backups, clock, faults);
        var (logs, failures, seen) = (silos.Logs, silos.Failures, silos.Seen);
        await silos.Claiming.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the claiming silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => faults.TriesDropped == 1 && faults.TimedOut >= 1, "the claiming silo met its own claim and could not read it", 1, faults);

        // The watcher (a silo started just after the slot) watches the last slot's claim from 10:00 on.
        await silos.Watching.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => seen.Answered.Any(a => a.StartsWith("HEAD", StringComparison.Ordinal) && a.EndsWith($"/{Backup}/claim", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the second silo looked at the claim");

        // Half a minute a step, to 10:13: past the watcher's judgement (10:10) and the claiming silo's read that answers.
        // At rest: the claiming silo's wait to claim (or look) again, the watcher's wait for 18:00 and its watch's between
        // looks; once the watcher has judged, its watch ends (the claiming silo's find adds a wait of its own, or not yet).
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => clock.GetUtcNow() >= Ten.AddMinutes(13), Ten.AddMinutes(13).AddTicks(1), "the clock at 10:13", "the clock past 10:13", () => failures.IsEmpty ? 3 : 2, faults, silos.Seen);
        await Eventually.TrueAsync(() => !failures.IsEmpty, TimeSpan.FromSeconds(20), "the claim nobody touched reported stalled");

        // The slot has no backup, and that is what is said: one failure, and no copy started beside it.
        Assert.Single(failures);
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup} to container", "started"));

        // Each failed read said what follows it, and the give-up said once (with the watch it leads to).
        Assert.NotEmpty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "reading whose it is failed; claiming it again a quarter of StalledAfter later"));
        Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "whose claim it is could not be read for", "minutes; watching it as another silo's"));
    }

    [Fact]
    public async Task A_claim_request_that_keeps_failing_with_its_reads_is_not_claimed_again_past_half_of_StalledAfter_after_the_slot()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LateThrow");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);

        // Every claim request reaches storage and loses its answer (the first writes this silo's claim, the later ones
        // meet it); this silo's reads of the claim time out until 10:08:30. Its looks come each quarter of StalledAfter
        // (10:07:30 the last that fails, 10:10 the first that answers), so every decision is well clear of a limit:
        // its claim is found past three quarters of StalledAfter (10:07:30), and no look fails after StalledAfter of
        // failing (10:10), which would report the slot itself. (A read failing up to 10:12 put the 10:10 look exactly
        // on that line: any lag in the test's clock steps reported the slot failed before the late find.)
        var faults = new BlobFaults
        {
            LosesAnswer = BlobFaults.ClaimCreate(Backup),
            TimesOut = r => BlobFaults.ClaimRead(Backup)(r) && clock.GetUtcNow() < Ten.AddMinutes(8.5),
        };
        await using var silos = new ClaimingAndWatching(options, backups, clock, faults);
        var (logs, failures, seen) = (silos.Logs, silos.Failures, silos.Seen);
        await silos.Claiming.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the claiming silo waits for 10:00");
        await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => faults.TimedOut >= 2, "the claiming silo's claim lost its answer and its look at the claim timed out", 1, faults);

        await silos.Watching.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => seen.Answered.Any(a => a.StartsWith("HEAD", StringComparison.Ordinal) && a.EndsWith($"/{Backup}/claim", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the second silo looked at the claim");

        // Half a minute a step until the watcher has judged the untouched claim stalled (10:10), then on until the claiming
        // silo has read its claim (its 10:10 look). At rest: the claiming silo's wait to look again, the watcher's wait
        // for 18:00 and, until it has judged, its watch's between looks.
        var found = () => logs.Lines(LogLevel.Warning, $"Backup {Backup}", "found only after").Any()
            || logs.Lines(LogLevel.Warning, $"Backup {Backup}", "the answer to claiming it was lost, but the claim is this silo's").Any();
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => !failures.IsEmpty, Ten.AddMinutes(20), "the claim nobody touched reported stalled", "the watcher did not judge the untouched claim stalled by 10:20", () => failures.IsEmpty ? 3 : 2, faults, silos.Seen);
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), found, Ten.AddMinutes(20), "the claiming silo read its claim at last", "the claiming silo did not read its claim by 10:20", 2, faults, silos.Seen);

        // One failure said by the watcher, and no copy started beside it: the claim found late is released, not copied.
        Assert.Single(failures);
        Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup} to container", "started"));
        Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "the answer to claiming it was lost, but the claim is this silo's"));
        Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "found only after three quarters of StalledAfter"));
        Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "found only after half of StalledAfter"));
    }

    [Fact]
    public async Task A_first_claim_request_that_ran_past_the_retry_limit_is_checked_as_a_retry_is_and_its_claim_released_not_copied()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("LateFirst");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var clock = new WaitedClock(NineFiftyNine);

        // The 10:00 claim request writes the claim and takes six minutes to fail (its answer lost): its first attempt
        // ends past 10:05, the slot + half of StalledAfter, where a retry's claim found to be this silo's is released.
        // Only that first claim request is slow: the late take's own claim request (counted, not matched) must not move
        // the clock on, or the late take would run past its limits too.
        var claimRequests = 0;
        var faults = new BlobFaults
        {
            LosesAnswer = r =>
            {
                if (!BlobFaults.ClaimCreate(Backup)(r) || Interlocked.Increment(ref claimRequests) != 1)
                {
                    return false;
                }

                clock.Advance(TimeSpan.FromMinutes(6));
                return true;
            },
        };
        await using var run = await ScheduleRun.StartAsync(options, backups, clock, faults.Blobs());
        var (logs, _) = run;
        await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the silo waits for 10:00");
        var found = () => logs.Lines(LogLevel.Warning, $"Backup {Backup}", "found only after").Count > 0
            || logs.Lines(LogLevel.Warning, $"Backup {Backup}", "the answer to claiming it was lost, but the claim is this silo's").Count > 0;

        // From the slot to the find the silo waits on storage only, not on the clock: the clock stays at 10:00 (plus the
        // request's six minutes). Stepped on meanwhile (a second a poll, as it was), a slow read under load was found
        // past three quarters of StalledAfter, and a step inside the release cut its attempts off (8 s by this clock).
        clock.SetUtcNow(Ten);
        await Eventually.TrueAsync(found, TimeSpan.FromSeconds(60), "the claiming silo read its claim after the lost answer");

        // Past the limit, as for a retry: not copied by the attempt that found it (watchers that met the claim since it
        // was written may be judging it), but released, and the slot taken late by a watch (here this silo's own).
        Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "found only after half of StalledAfter"));
        Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "the answer to claiming it was lost, but the claim is this silo's"));
        // On to the late take, the clock moved only while the silo is at rest (its schedule and its watch waiting on the
        // clock, no request under way), and not at all once the take has begun.
        var takingLate = () => logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late").Count > 0;
        var done = () => logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0 || logs.Lines(LogLevel.Error).Count > 0;
        await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => takingLate() || done(), Ten.AddMinutes(20), "the released slot taken late", "the released slot not taken late by 10:20", 2, faults);
        await Eventually.TrueAsync(done, TimeSpan.FromSeconds(60), "the late copy done with");
        Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late"));
        Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    /// <summary>
    /// Two silos on one clock and one log: <see cref="Claiming"/> on the test's <see cref="BlobFaults"/>, and
    /// <see cref="Watching"/> on plain Azurite whose requests <see cref="Seen"/> records; both tell <see cref="Failures"/>.
    /// Neither is started. Disposing stops both and removes the test's container and state table.
    /// </summary>
    private sealed class ClaimingAndWatching : IAsyncDisposable
    {
        private readonly BackupOptions _options;
        private readonly global::Azure.Storage.Blobs.BlobContainerClient _backups;
        private readonly ILoggerFactory _loggers;

        public ClaimingAndWatching(BackupOptions options, global::Azure.Storage.Blobs.BlobContainerClient backups, WaitedClock clock, BlobFaults faults)
        {
            (_options, _backups) = (options, backups);
            _loggers = LoggerFactory.Create(b => b.AddProvider(Logs));
            Claiming = BackupScheduleFaultTests.Silo(options, clock, _loggers, faults.Blobs(), new Recorded(Failures));
            Watching = BackupScheduleFaultTests.Silo(options, clock, _loggers, Seen.Blobs(), new Recorded(Failures));
        }

        public LogCapture Logs { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failures { get; } = new();

        /// <summary>The watching silo's requests.</summary>
        public BlobFaults Seen { get; } = new();

        public BackupScheduler Claiming { get; }

        public BackupScheduler Watching { get; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Claiming.StopAsync(CancellationToken.None);
                Claiming.Dispose();
                await BackupScheduleFaultTests.StopAndCleanUpAsync(Watching, _options, _backups);
            }
            finally
            {
                _loggers.Dispose();
                Logs.Dispose();
            }
        }
    }

    private sealed class Recorded(System.Collections.Concurrent.ConcurrentQueue<BackupFailure> failures) : IBackupFailureListener
    {
        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            failures.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
