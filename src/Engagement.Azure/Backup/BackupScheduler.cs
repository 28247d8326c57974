using System.Globalization;
using Azure.Storage.Blobs;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>
/// Runs <see cref="TableBackup"/> at <see cref="BackupOptions.Times"/> in <see cref="BackupOptions.TimeZone"/>.
/// Every silo of a cluster runs this schedule; for each slot the first silo to create the blob
/// <c>{backup}/claim</c> (conditional create) takes the backup, the others skip it. A failed backup is logged as an
/// error by <see cref="TableBackup"/>, and the schedule goes on. The silo taking a backup touches its claim every
/// quarter of <see cref="BackupOptions.StalledAfter"/>; a silo that skipped it watches it until it has its manifest,
/// however many slots that takes, and if the backup has no manifest while its claim stays untouched for
/// <see cref="BackupOptions.StalledAfter"/> (its silo was killed mid-copy), records it failed and reports it
/// (<see cref="TableBackup.AbandonAsync"/>), so a lost backup is never silent. A slot that comes while a watched
/// backup is still copying is skipped with a warning: two full copies at once would double the read load. A silo
/// stopped mid-copy (its stopping token cancelled: a rolling deploy) abandons the backup without reporting it and
/// releases the claim; a silo watching the slot then takes it late (<see cref="TakeLateIfReleasedAsync"/>). A claim of
/// another cluster (<paramref name="source"/>) is skipped loudly and never watched, judged or released (<see cref="SaysForeign"/>).
/// </summary>
/// <param name="backup">Takes the backup of a slot this silo claims.</param>
/// <param name="blobs">The account that keeps the backups (claims, markers, manifests).</param>
/// <param name="options">The schedule, the container, <see cref="BackupOptions.StalledAfter"/>.</param>
/// <param name="time">The scheduler's clock (UTC).</param>
/// <param name="logger">Slots taken, skipped, watched; errors.</param>
/// <param name="source">This silo's cluster, recorded on its claims; null: none recorded, and no claim is taken for another cluster's.</param>
public sealed partial class BackupScheduler(
    TableBackup backup,
    BlobServiceClient blobs,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupScheduler> logger,
    BackupSource? source = null) : BackgroundService
{
    /// <summary>The slot of the last pass of the schedule (<see cref="ExecuteAsync"/> only).</summary>
    private DateTimeOffset? _lastSlot;

    /// <summary>The first scheduled moment strictly after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextSlot(DateTimeOffset now, IReadOnlyList<TimeOnly> times, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        for (var day = 0; day <= 2; day++)
        {
            var date = DateOnly.FromDateTime(local.DateTime).AddDays(day);
            foreach (var t in times)
            {
                var wall = date.ToDateTime(t);
                var candidate = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
                if (candidate > now)
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("no backup time configured");
    }

    /// <summary>The last scheduled moment at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset PreviousSlot(DateTimeOffset now, IReadOnlyList<TimeOnly> times, TimeZoneInfo zone)
    {
        var slot = NextSlot(now.AddDays(-2), times, zone);
        for (var next = NextSlot(slot, times, zone); next <= now; next = NextSlot(next, times, zone))
        {
            slot = next;
        }

        return slot;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);
        var times = settings.ParsedTimes();

        // A silo (re)starting watches the last slot too: if the silo that claimed it was killed mid-copy — this one,
        // in a one-silo cluster — it is reported once its claim has been quiet for StalledAfter.
        var last = PreviousSlot(time.GetUtcNow(), times, zone);
        var watches = new List<Watch> { StartWatch(settings, TableBackup.NameFor(last), last, stoppingToken) };
        await WatchUnfinishedAsync(settings, TableBackup.NameFor(last), watches, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSlotAsync(settings, zone, times, watches, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One bad slot (storage unreachable once the SDK's retries give up, as an AggregateException) must not
                // end the schedule: an exception out of ExecuteAsync stops the whole silo (StopHost). The next slot tries again.
                LogSlotFailed(logger, ex);
            }
        }

        await Task.WhenAll(watches.Select(w => w.Task));
    }

    /// <summary>
    /// Watches too the backups older than <paramref name="before"/> (the last slot) with no manifest: a cluster whose
    /// copier died more than a slot before it started again still reports them (<see cref="TableBackup.UnfinishedBeforeAsync"/>).
    /// </summary>
    private async Task WatchUnfinishedAsync(BackupOptions settings, string before, List<Watch> watches, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var name in await backup.UnfinishedBeforeAsync(before, cancellationToken))
            {
                // A stray folder name is skipped, not a FormatException that the catch below would take for a failed
                // listing, ending the scan before the names after it (UnfinishedBeforeAsync keeps backup names only).
                if (DateTimeOffset.TryParseExact(name, "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startedAt))
                {
                    watches.Add(StartWatch(settings, name, startedAt, cancellationToken));
                }
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // An SDK timeout (TaskCanceledException, no token of ours) too: it runs before the schedule's loop, and an
            // exception out of ExecuteAsync would end the schedule and stop the silo.
            LogScanFailed(logger, ex);
        }
    }

    /// <summary>Waits for the next slot and takes its backup, skips it to another silo (and watches that), or skips it as overlapping.</summary>
    private async Task RunSlotAsync(BackupOptions settings, TimeZoneInfo zone, IReadOnlyList<TimeOnly> times, List<Watch> watches, CancellationToken stoppingToken)
    {
        var slot = NextSlot(time.GetUtcNow(), times, zone);
        if (_lastSlot is { } last)
        {
            // This silo's own copy (or its wait for another's) ran past the slots after it: they are skipped, said once each.
            for (var missed = NextSlot(last, times, zone); missed < slot; missed = NextSlot(missed, times, zone))
            {
                LogOverran(logger, TableBackup.NameFor(missed), TableBackup.NameFor(last));
            }
        }

        _lastSlot = slot;
        LogNext(logger, slot, settings.TimeZone);
        var wait = slot - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, stoppingToken);
        }

        var name = TableBackup.NameFor(slot);
        watches.RemoveAll(w => w.Task.IsCompleted);
        if (!await MayStartAsync(settings, name, slot, watches, stoppingToken))
        {
            return;
        }

        ClaimOwner? claimed;
        try
        {
            claimed = await ClaimSlotAsync(settings, name, slot, stoppingToken);
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is not ClaimReleasedException && ex is not OutOfMemoryException)
        {
            // Stopped during the claim's retries (a wait, a look at the claim, a report): the claim may be this silo's
            // (a lost answer), and left behind it would be reported stalled. Released as ClaimAsync releases it.
            LogClaimStopped(logger, name);
            await ReleaseAsync(settings.Container, name, stopping: true);
            throw;
        }

        if (claimed is null)
        {
            return;
        }

        if (claimed == ClaimOwner.Foreign)
        {
            // Another deployment's (said once, as an error): not this cluster's backup to watch or judge.
            return;
        }

        if (claimed != ClaimOwner.Mine)
        {
            if (claimed == ClaimOwner.Other)
            {
                LogSkipped(logger, name);
            }

            // Unknown: whose it is could not be read (warned already); watched, and reported if it stalls.
            watches.Add(StartWatch(settings, name, slot, stoppingToken));
            return;
        }

        await CopyAsync(settings, name, stoppingToken);
    }

    /// <summary>
    /// Claims slot <paramref name="name"/>, again a quarter of <see cref="BackupOptions.StalledAfter"/> later while
    /// storage cannot say whose it is, but never after half of StalledAfter past its first attempt (the scheduler's clock,
    /// UTC; the slot itself, or later when <see cref="MayStartAsync"/> waited): silos watching the slot's claim since it was
    /// written judge it stalled at StalledAfter, so a claim of this silo's found after that limit, by any attempt (the
    /// first one too, when its request ran past the limit), is released (<see cref="ReleaseAsync"/>, holder-checked, If-Match) and watched, not copied
    /// (a watcher then takes the slot late). <see cref="ClaimOwner.Mine"/> to copy, <see cref="ClaimOwner.Other"/> to watch
    /// (said), <see cref="ClaimOwner.Foreign"/> to skip (an error, said once), <see cref="ClaimOwner.Unknown"/> to watch (warned already); null when the slot is done with (reported
    /// failed). Not cancellation-safe by itself: <see cref="RunSlotAsync"/> releases the claim when the host stops meanwhile.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="stoppingToken"/> was cancelled.</exception>
    private async Task<ClaimOwner?> ClaimSlotAsync(BackupOptions settings, string name, DateTimeOffset slot, CancellationToken stoppingToken)
    {
        var looks = new FailingLooks(settings.StalledAfter);

        // One limit for every attempt (a claim met and unread, or a claim request that failed), the first one included:
        // claimed again only up to half of StalledAfter after this silo began claiming the slot (the slot itself, or later
        // when MayStartAsync waited for an earlier copy: no claim of this silo's can be older, so no silo can have watched
        // one for longer). A claim found to be this silo's later, the first attempt's too when it ran past the limit (its
        // request and the SDK's retries slow), would be taken when the silos watching it are about to judge it stalled.
        var claimingFrom = time.GetUtcNow();
        var deadline = claimingFrom + settings.StalledAfter / 2;
        var retrying = false;
        Exception? lastFailure = null;
        DateTimeOffset? unreadSince = null;
        while (true)
        {
            if (retrying && time.GetUtcNow() > deadline)
            {
                if (unreadSince is { } since)
                {
                    // A claim is there and whose it is could not be read: watched (its watch reports it if it stalls).
                    LogClaimUnreadWatched(logger, name, (time.GetUtcNow() - since).TotalMinutes);
                    return ClaimOwner.Unknown;
                }

                return await PastClaimDeadlineAsync(settings, name, slot, claimingFrom, looks, lastFailure, stoppingToken);
            }

            try
            {
                var claimed = await ClaimAsync(settings.Container, name, "claiming it again a quarter of StalledAfter later, or watching it as another silo's once half of StalledAfter has passed since this silo began claiming it", stoppingToken);
                if (claimed == ClaimOwner.Mine && time.GetUtcNow() > deadline)
                {
                    return await ReleaseLateClaimAsync(settings, name, claimingFrom);
                }

                if (claimed != ClaimOwner.Unknown)
                {
                    return claimed;
                }

                // Storage answered: a claim is there (whose could not be read).
                looks.Answered();
                lastFailure = null;
                unreadSince ??= time.GetUtcNow();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // An SDK timeout too when the claim cannot be read: storage cannot say. Said once per episode.
                lastFailure = ex;
                unreadSince = null;
                var first = !looks.Failing;
                // The warning says what follows: claimed again at the next tick, or (past the limit) only read.
                Action<ILogger, Exception, string> notChecked = time.GetUtcNow() > deadline ? LogClaimNotCheckedPastLimit : LogClaimNotChecked;
                var holder = await WhoseClaimAsync(blobs.GetBlobContainerClient(settings.Container).GetBlobClient($"{name}/claim"), name, first ? notChecked : static (_, _, _) => { }, stoppingToken);
                if (holder == ClaimOwner.Mine)
                {
                    if (time.GetUtcNow() > deadline)
                    {
                        return await ReleaseLateClaimAsync(settings, name, claimingFrom);
                    }

                    // This silo's own claim: the request succeeded and its answer was lost (a timeout, a 5xx after the write).
                    // Nobody else will take the slot, and a watch would only report it stalled: take it.
                    LogClaimAnswerLost(logger, ex, name);
                    return ClaimOwner.Mine;
                }

                if (holder == ClaimOwner.Foreign)
                {
                    return ClaimOwner.Foreign;
                }

                if (holder == ClaimOwner.Other)
                {
                    // The claim is there: another silo took the slot. Watched like any backup another silo takes, so it is
                    // reported only if it never finishes.
                    LogClaimUnsure(logger, ex, name);
                    return ClaimOwner.Unknown;
                }

                if (holder == ClaimOwner.None)
                {
                    // Storage refused the claim and says there is none: claimed again at the next tick, and reported like a
                    // failed backup once the limit has passed (PastClaimDeadlineAsync).
                    looks.Answered();
                }
                else
                {
                    // Storage could not say whether the slot is claimed (another silo may be taking it): not checked, not a
                    // failure yet.
                    looks.Failed(time.GetUtcNow());
                }
            }

            // Claimed again at the next tick (a claim met and unread may be this silo's own: an earlier try wrote it, its
            // answer lost, which a watch would report stalled), up to the limit.
            retrying = true;
            await Task.Delay(settings.StalledAfter / 4, time, stoppingToken);
        }
    }

    /// <summary>
    /// Past <see cref="ClaimSlotAsync"/>'s limit (half of StalledAfter after this silo began claiming the slot): not claimed again. The claim is read
    /// each quarter of StalledAfter until storage says: this silo's is released (<see cref="ReleaseLateClaimAsync"/>) and
    /// watched; another silo's is watched; none is reported failed (the claim requests failed). Reported failed too when
    /// storage cannot say for longer than StalledAfter. Either report is sent once across the silos (<see cref="TableBackup.ReportOnceAsync"/>).
    /// </summary>
    private async Task<ClaimOwner?> PastClaimDeadlineAsync(BackupOptions settings, string name, DateTimeOffset slot, DateTimeOffset claimingFrom, FailingLooks looks, Exception? lastFailure, CancellationToken stoppingToken)
    {
        var claim = blobs.GetBlobContainerClient(settings.Container).GetBlobClient($"{name}/claim");
        while (true)
        {
            var first = !looks.Failing;
            // Past the limit the claim is only read, never claimed again: the warning says so.
            var holder = await WhoseClaimAsync(claim, name, first ? LogClaimNotCheckedPastLimit : static (_, _, _) => { }, stoppingToken);
            switch (holder)
            {
                case ClaimOwner.Mine:
                    return await ReleaseLateClaimAsync(settings, name, claimingFrom);
                case ClaimOwner.Other or ClaimOwner.Foreign:
                    return holder;
                case ClaimOwner.None:
                    await backup.ReportOnceAsync(new BackupFailure(name, settings.Container, slot, time.GetUtcNow(), [], lastFailure ?? new TimeoutException($"backup {name}: not claimed within half of StalledAfter after this silo began claiming it")), stoppingToken);
                    return null;
            }

            if (looks.Failed(time.GetUtcNow()) is { } failingFor)
            {
                var reason = new TimeoutException($"backup {name}: whether it is claimed could not be told for {failingFor.TotalMinutes:F0} minutes (claiming it failed, and so did looking at its claim); it may not have been taken", lastFailure);
                await backup.ReportOnceAsync(new BackupFailure(name, settings.Container, slot, time.GetUtcNow(), [], reason), stoppingToken);
                return null;
            }

            await Task.Delay(settings.StalledAfter / 4, time, stoppingToken);
        }
    }

    /// <summary>
    /// A claim found to be this silo's after <see cref="ClaimSlotAsync"/>'s limit: silos watching it since it was written
    /// (at <paramref name="claimingFrom"/>, when this silo began claiming the slot, or later) are about to judge it stalled,
    /// so it is not copied, and watched (<see cref="ClaimOwner.Unknown"/>). Before three quarters of StalledAfter past
    /// <paramref name="claimingFrom"/> it is released (<see cref="ReleaseAsync"/>), so a watcher (this silo's own
    /// included) takes the slot late; no watcher judges it before <paramref name="claimingFrom"/> + StalledAfter. Later it is left alone: a
    /// watcher may already be writing its Failed manifest, and a late take beside that would write Complete over it; the
    /// watchers' report stands and is true (no copy was taken).
    /// </summary>
    private async Task<ClaimOwner?> ReleaseLateClaimAsync(BackupOptions settings, string name, DateTimeOffset claimingFrom)
    {
        if (time.GetUtcNow() >= claimingFrom + settings.StalledAfter - settings.StalledAfter / 4)
        {
            LogClaimFoundTooLate(logger, name);
            return ClaimOwner.Unknown;
        }

        LogClaimFoundLate(logger, name);
        await ReleaseAsync(settings.Container, name, stopping: false);
        return ClaimOwner.Unknown;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: its claim is this silo's but was found only after three quarters of StalledAfter past this silo's first claim of it (silos watching it are judging it stalled); left for them to report, not copied and not released")]
    private static partial void LogClaimFoundTooLate(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: its claim is this silo's but was found only after half of StalledAfter past this silo's first claim of it (silos watching it may be judging it stalled); releasing it for a watcher to take late instead of copying")]
    private static partial void LogClaimFoundLate(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Information, Message = "Next backup at {Slot} ({TimeZone} schedule)")]
    private static partial void LogNext(ILogger logger, DateTimeOffset slot, string timeZone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: the answer to claiming it was lost, but the claim is this silo's; taking it")]
    private static partial void LogClaimAnswerLost(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: claiming it failed, but it is claimed; watching it as taken by another silo")]
    private static partial void LogClaimUnsure(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup schedule: could not list earlier unfinished backups to watch; the last slot is still watched")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} is taken by another silo")]
    private static partial void LogSkipped(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} skipped: backup {Running} of an earlier slot was still copying on this silo at its time (a full copy takes longer than the time between slots; see Capacity planning)")]
    private static partial void LogOverran(ILogger logger, string backup, string running);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup schedule: a slot failed unexpectedly; the schedule goes on with the next slot")]
    private static partial void LogSlotFailed(ILogger logger, Exception exception);
}
