using Azure;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>The schedule's watches: backups other silos take, followed until they have a manifest, stall, or are released.</summary>
public sealed partial class BackupScheduler
{
    /// <summary>
    /// Whether slot <paramref name="name"/> (at <paramref name="slot"/>) may start: not while a watched backup of an
    /// earlier slot is still copying (<see cref="StillCopyingAsync"/>), since a second full copy beside it would double the
    /// read load and finish no sooner. A copy still running is waited for up to 1.5 × <see cref="BackupOptions.StalledAfter"/>
    /// (a copier killed just before the slot looks alive until its claim has been quiet for StalledAfter by the watch's
    /// clock, counted from the watch's first look and judged a poll at a time), then the slot is skipped with a warning.
    /// A look that fails (storage could not say, an SDK timeout included) does not let the slot go ahead: it waits a
    /// quarter of StalledAfter and looks again (a warning naming the slot each time); looks failing for longer than
    /// StalledAfter (<see cref="FailingLooks"/>) report the slot failed, once across the silos (<see cref="TableBackup.ReportOnceAsync"/>), and skip it.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="stoppingToken"/> was cancelled.</exception>
    private async Task<bool> MayStartAsync(BackupOptions settings, string name, DateTimeOffset slot, List<Watch> watches, CancellationToken stoppingToken)
    {
        var waited = false;
        var looks = new FailingLooks(settings.StalledAfter);
        while (true)
        {
            var (copying, unsure, failure) = await StillCopyingAsync(settings, watches, stoppingToken);
            if (copying is null && unsure is not null)
            {
                if (looks.Failed(time.GetUtcNow()) is { } failingFor)
                {
                    var reason = new TimeoutException($"backup {name} was not started: whether backup {unsure.Name} of an earlier slot is still copying could not be told for {failingFor.TotalMinutes:F0} minutes (storage unreachable); a second copy beside it is never started", failure);
                    // Once across the silos that could not tell (each would otherwise send its own report).
                    await backup.ReportOnceAsync(new BackupFailure(name, settings.Container, slot, time.GetUtcNow(), [], reason), stoppingToken);
                    return false;
                }

                LogSlotWaitsForLook(logger, failure, name, unsure.Name, settings.StalledAfter / 4);
                await Task.Delay(settings.StalledAfter / 4, time, stoppingToken);
                continue;
            }

            looks.Answered();
            if (copying is null)
            {
                return true;
            }

            if (waited)
            {
                // Still copying (its claim is fresh, it has no manifest): the slot is skipped, said once.
                LogOverlap(logger, name, copying.Name);
                return false;
            }

            waited = true;
            await Task.WhenAny(copying.Task, Task.Delay(settings.StalledAfter + settings.StalledAfter / 2, time, stoppingToken));
        }
    }

    /// <summary>
    /// Looks now (not at the watch's last look, which may be minutes old) at the watched backups whose watch saw their
    /// claim fresh: <c>Copying</c>, the first with no manifest yet; else <c>Unsure</c>, the first whose look failed (storage
    /// could not say; an SDK timeout included), with that <c>Failure</c>; all null when none is copying.
    /// </summary>
    private async Task<(Watch? Copying, Watch? Unsure, Exception? Failure)> StillCopyingAsync(BackupOptions settings, List<Watch> watches, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(settings.Container);
        (Watch? Watch, Exception? Failure) unsure = (null, null);
        foreach (var watch in watches.Where(w => w.Running))
        {
            try
            {
                if (!await container.GetBlobClient(TableBackup.ManifestBlobName(watch.Name)).ExistsAsync(cancellationToken))
                {
                    return (watch, null, null);
                }
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                unsure = unsure.Watch is null ? (watch, ex) : unsure;
            }
        }

        return (null, unsure.Watch, unsure.Failure);
    }

    /// <summary>Starts watching backup <paramref name="name"/>, taken by another silo at <paramref name="slot"/> (<see cref="WatchAsync"/>).</summary>
    private Watch StartWatch(BackupOptions settings, string name, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var watch = new Watch(name);
        watch.Task = WatchAsync(settings, watch, slot, cancellationToken);
        return watch;
    }

    /// <summary>
    /// Watches backup <see cref="Watch.Name"/>, taken by another silo at <paramref name="slot"/>, for as long as it runs
    /// (however many slots that spans): done when it has a manifest; recorded failed and reported when its claim stays
    /// untouched for <see cref="BackupOptions.StalledAfter"/> (<see cref="ClaimWatch"/>), unless its silo is releasing it
    /// at that moment (a released marker newer than the claim's last write, <see cref="ReleasedSinceAsync"/>: judged again
    /// at the next look, once per state of the claim, when a claim whose release completed is gone; a failed look at the
    /// marker uses that one deferral up too); taken late by this silo when
    /// the silo copying it stopped and released it (<see cref="TakeLateIfReleasedAsync"/>). Looks at once, then every
    /// quarter of it; <see cref="Watch.Running"/> while the claim is there without a manifest.
    /// </summary>
    private async Task WatchAsync(BackupOptions settings, Watch watch, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var name = watch.Name;
        var container = blobs.GetBlobContainerClient(settings.Container);
        var claim = container.GetBlobClient($"{name}/claim");
        var stall = new ClaimWatch(settings.StalledAfter);
        ETag? judgementPutOff = null;
        try
        {
            while (true)
            {
                try
                {
                    if (await container.GetBlobClient(TableBackup.ManifestBlobName(name)).ExistsAsync(cancellationToken))
                    {
                        // This watch's own judgement may have written it and thrown before reporting it (its answer lost,
                        // or out of time): every other silo finds another writer's manifest and stays quiet.
                        var reported = watch.Judged && await backup.ReportIfRecordedByAsync(name, watch.Writer, cancellationToken);
                        LogWatched(logger, name, reported ? "it has the failed manifest this silo recorded, now reported" : "it has its manifest");
                        return;
                    }

                    // One look at the claim (its properties; 404 when there is none), so the watch is running as soon
                    // as that look answers.
                    ETag touched;
                    DateTimeOffset written;
                    try
                    {
                        var properties = (await claim.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                        if (SaysForeign(name, properties.Metadata))
                        {
                            return; // another cluster's claim (an error, said once): never watched nor judged
                        }

                        (touched, written) = (properties.ETag, properties.LastModified);
                    }
                    catch (RequestFailedException ex) when (ex.Status == 404)
                    {
                        // Not claimed (the slot before this silo's start was never taken, or the container is new):
                        // nothing to watch. Or released by a silo that stopped mid-copy: taken late by one watcher.
                        if (await TakeLateIfReleasedAsync(settings, watch, slot, cancellationToken))
                        {
                            await Task.Delay(settings.StalledAfter / 4, time, cancellationToken);
                            continue;
                        }

                        return;
                    }

                    var stalled = stall.Observe(touched, time.GetUtcNow());
                    if (stalled && judgementPutOff != touched)
                    {
                        // One look at the released marker per state of the claim, set before it: a look that fails (the
                        // watch logs it and looks again) uses up the deferral as a true one does, so a marker that cannot
                        // be read for ever does not put the report of a dead copy off for ever.
                        judgementPutOff = touched;
                        if (await ReleasedSinceAsync(settings, name, written, cancellationToken))
                        {
                            // Its holder is releasing it (the released marker is newer than the claim's last write; the
                            // claim's delete comes next): the next look finds it gone and takes the slot late; a release
                            // whose delete never lands is judged at that look.
                            LogJudgementPutOff(logger, name, settings.StalledAfter / 4);
                            stalled = false;
                        }
                    }

                    if (stalled)
                    {
                        var read = (await claim.DownloadContentAsync(cancellationToken)).Value;
                        var holder = read.Content.ToString();
                        if (await LeftByStoppedSiloAsync(settings, name, holder, cancellationToken))
                        {
                            // A request of a silo that stopped and released the slot landed after its release read the
                            // claim: nobody copies under it. Deleted as read, and looked at again at once: the slot is
                            // released, so taken late (or, past its time, recorded failed), not reported stalled.
                            LogLeftByStoppedSilo(logger, name, holder);
                            await DeleteLeftClaimAsync(claim, read.Details.ETag, cancellationToken);
                            continue;
                        }

                        watch.Running = false;
                        var reason = new TimeoutException($"backup {name} was taken by {holder} and has shown no progress for {stall.Quiet.TotalMinutes:F0} minutes without finishing; that silo probably stopped mid-copy");
                        watch.Judged = true;
                        var recorded = await backup.AbandonAsync(name, slot, reason, watch.Writer);
                        LogWatched(logger, name, recorded ? "stalled, recorded failed by this silo" : "stalled, already recorded by another silo");
                        return;
                    }

                    watch.Running = true;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // The claim went between two looks (released by a silo that stopped): the next look decides.
                }
                catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
                {
                    // One failed look (storage briefly unreachable, or an SDK timeout) must not end the watch: a backup whose silo died
                    // meanwhile would never be reported. Running keeps its last value; the next look decides, and after
                    // two failed looks in a row does not take the claim's quiet during them for the holder's (ClaimWatch).
                    stall.LookFailed();
                    LogWatchFailed(logger, ex, name, settings.StalledAfter / 4);
                }

                await Task.Delay(settings.StalledAfter / 4, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            watch.Running = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup}, taken by another silo: done watching, {Outcome}")]
    private static partial void LogWatched(ILogger logger, string backup, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not look at the silo that takes it; looking again in {Interval}")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string backup, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} not started yet: could not tell whether backup {Running} of an earlier slot is still copying; looking again in {Interval}")]
    private static partial void LogSlotWaitsForLook(ILogger logger, Exception? exception, string backup, string running, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} skipped: backup {Running} of an earlier slot is still copying on another silo (a full copy takes longer than the time between slots; see docs/scaling.md, \"Capacity planning\")")]
    private static partial void LogOverlap(ILogger logger, string backup, string running);

    /// <summary>A backup another silo takes, watched by this one (and taken late by it if that silo releases it).</summary>
    private sealed class Watch(string name)
    {
        public string Name { get; } = name;

        /// <summary>The watch runs until the backup has a manifest or stalls.</summary>
        public Task Task { get; set; } = Task.CompletedTask;

        /// <summary>Its claim was there, fresh, without a manifest at the last look.</summary>
        public bool Running { get => Volatile.Read(ref _running); set => Volatile.Write(ref _running, value); }

        private bool _running;

        /// <summary>
        /// The writer id of this watch's judgement (<see cref="TableBackup.AbandonAsync"/>), kept across its tries: a
        /// failed manifest carrying it is this silo's, reported at the next look if that judgement threw.
        /// </summary>
        public string Writer { get; } = TableBackup.NewWriter();

        /// <summary>This watch recorded (or tried to record) the backup failed.</summary>
        public bool Judged { get; set; }
    }
}
