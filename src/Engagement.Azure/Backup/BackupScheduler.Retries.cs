using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// The slot's claim, tried again: <see cref="ClaimSlotAsync"/> claims a slot again while storage cannot say whose it is,
/// up to half of <see cref="BackupOptions.StalledAfter"/>, and a claim of this silo's found past that limit is released
/// or left for the watchers (<see cref="ReleaseLateClaimAsync"/>).
/// </summary>
public sealed partial class BackupScheduler
{

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: the answer to claiming it was lost, but the claim is this silo's; taking it")]
    private static partial void LogClaimAnswerLost(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: claiming it failed, but it is claimed; watching it as taken by another silo")]
    private static partial void LogClaimUnsure(ILogger logger, Exception exception, string backup);
}
