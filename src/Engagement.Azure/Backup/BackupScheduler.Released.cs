using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// The released marker (<see cref="ReleasedBlobName"/>) as a watch reads it: a slot released by a silo that stopped
/// mid-copy is taken late, a claim its stopped silo left is known for a leftover, and a claim being released is not
/// judged stalled.
/// </summary>
public sealed partial class BackupScheduler
{

    /// <summary>
    /// Backup <see cref="Watch.Name"/> has no claim. When the silo copying it stopped (host shutdown, a rolling deploy)
    /// and released it (<see cref="ReleasedBlobName"/>), and it is of the last slot, this silo claims it and takes it
    /// late (<see cref="CopyAsync"/>). Returns whether to keep watching: true when another silo claimed it first.
    /// An older released backup is not taken any more (a later slot has come since, and its backup stands for it) but is
    /// recorded failed and reported (<see cref="TableBackup.AbandonAsync"/>, once across silos): its slot has no backup,
    /// which must not pass in silence. It is claimed first, so a silo that claimed it just before the slot and is copying
    /// it is watched, not reported failed. A backup of the last slot whose manifest appears by the time this silo holds its
    /// claim (another watcher recorded it failed meanwhile) is not copied over that report (<see cref="HasManifestSinceAsync"/>).
    /// A released marker recording another cluster (<see cref="SaysForeign"/>: a silo of another deployment sharing the
    /// container released its own backup of that name) is not this cluster's to take or judge: the watch ends.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (the watch logs it and looks again).</exception>
    private async Task<bool> TakeLateIfReleasedAsync(BackupOptions settings, Watch watch, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var name = watch.Name;
        if (!await ReleasedByThisClusterAsync(settings, name, cancellationToken))
        {
            return false;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);
        var last = TableBackup.NameFor(PreviousSlot(time.GetUtcNow(), settings.ParsedTimes(), zone));
        if (string.CompareOrdinal(name, last) < 0)
        {
            if (await ClaimAsync(settings.Container, name, "watching it as another silo's", cancellationToken) != ClaimOwner.Mine)
            {
                // Another silo claimed it just before the slot and is taking it late: watched, not reported.
                return true;
            }

            var reason = new InvalidOperationException($"backup {name} was released by a silo that stopped mid-copy and not taken again before slot {last}; its slot has no backup");
            watch.Judged = true;
            var recorded = await backup.AbandonAsync(name, slot, reason, watch.Writer);
            LogNotTakenLate(logger, name, last, recorded ? "recorded failed by this silo" : "already recorded");
            return false;
        }

        if (await ClaimAsync(settings.Container, name, "watching it as another silo's", cancellationToken) != ClaimOwner.Mine)
        {
            // Another watcher took it late first: watched like any backup another silo takes.
            return true;
        }

        if (await HasManifestSinceAsync(settings, name, cancellationToken))
        {
            // Another watcher judged the claim stalled just before its release and recorded the slot failed: that report
            // stands (no copy was taken), and a copy now would write its complete manifest over it.
            LogWatched(logger, name, "it has its manifest (written while this silo claimed it to take it late), so it is not taken late");
            return false;
        }

        watch.Running = true;
        LogTakingLate(logger, name);
        await CopyAsync(settings, name, cancellationToken);
        return false;
    }

    /// <summary>
    /// Whether backup <paramref name="name"/> has a released marker (<see cref="ReleasedBlobName"/>) of this cluster's: one
    /// recording this cluster, or none (written before markers recorded it). Another cluster's is said once per slot, as an
    /// error (<see cref="SaysForeign"/>), and is false.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (the watch logs it and looks again).</exception>
    private async Task<bool> ReleasedByThisClusterAsync(BackupOptions settings, string name, CancellationToken cancellationToken)
    {
        try
        {
            var released = (await blobs.GetBlobContainerClient(settings.Container).GetBlobClient(ReleasedBlobName(name)).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return !SaysForeign(name, released.Metadata, releasedMarker: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Looks again, once this silo holds the claim of released backup <paramref name="name"/>, whether it has a manifest
    /// (the watch's own look came before the claim's, and a watcher may have recorded the slot failed in between: a copy
    /// taken now would find that manifest at its end, warn and leave it, so it is not taken at all). A look that fails (storage could not
    /// say, an SDK timeout included) is logged as a warning and counts as none: the slot is taken late as before, since
    /// leaving this silo's fresh claim untouched would have it reported stalled with no copy taken.
    /// </summary>
    private async Task<bool> HasManifestSinceAsync(BackupOptions settings, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await blobs.GetBlobContainerClient(settings.Container).GetBlobClient(TableBackup.ManifestBlobName(name)).ExistsAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogLateManifestLookFailed(logger, ex, name);
            return false;
        }
    }

    /// <summary>
    /// Whether the quiet claim of backup <paramref name="name"/>, holding <paramref name="holder"/>, was left by a silo that
    /// stopped and released the slot: the released marker holds <see cref="StoppedMark"/> of that same holder. Such a
    /// claim is a request of that silo's (its claim's create, or a touch of its heartbeat) that landed after its release
    /// read the claim; the silo has stopped, so no copy runs under it.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (the watch logs it and looks again).</exception>
    private async Task<bool> LeftByStoppedSiloAsync(BackupOptions settings, string name, string holder, CancellationToken cancellationToken)
    {
        try
        {
            var released = (await blobs.GetBlobContainerClient(settings.Container).GetBlobClient(ReleasedBlobName(name)).DownloadContentAsync(cancellationToken)).Value;
            return released.Content.ToString() == StoppedMark(holder);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Deletes a claim left by a stopped silo (<see cref="LeftByStoppedSiloAsync"/>) only as read (If-Match <paramref name="read"/>); gone or changed since: left.</summary>
    private static async Task DeleteLeftClaimAsync(BlobClient claim, ETag read, CancellationToken cancellationToken)
    {
        try
        {
            await claim.DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = read }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Another watcher deleted it first, or it changed (touched: then it is not a leftover): the next look decides.
        }
    }

    /// <summary>
    /// Whether backup <paramref name="name"/> has a released marker (<see cref="ReleasedBlobName"/>) written at or after
    /// <paramref name="claimWritten"/>, the claim's last write (both storage's own times): the claim's holder is releasing
    /// it, not dead. An older marker is a past release (the claim is a late taker's since) and does not count.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (the watch logs it and looks again).</exception>
    private async Task<bool> ReleasedSinceAsync(BackupOptions settings, string name, DateTimeOffset claimWritten, CancellationToken cancellationToken)
    {
        try
        {
            var released = (await blobs.GetBlobContainerClient(settings.Container).GetBlobClient(ReleasedBlobName(name)).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return released.LastModified >= claimWritten;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: its claim is quiet for StalledAfter and holds the silo that released it when it stopped ({Holder}): a request of that silo's landed after its release; taken as released, not reported stalled")]
    private static partial void LogLeftByStoppedSilo(ILogger logger, string backup, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup}, taken by another silo: its claim is quiet for StalledAfter, but its silo is releasing it; judged again at the next look, in {Interval}")]
    private static partial void LogJudgementPutOff(ILogger logger, string backup, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: claimed to take it late, but looking again whether it has a manifest failed; taking it late")]
    private static partial void LogLateManifestLookFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}, taken by another silo: released by a silo that stopped, and slot {Later} has come since, so it is not taken late ({Outcome})")]
    private static partial void LogNotTakenLate(ILogger logger, string backup, string later, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} was released by a silo that stopped mid-copy; this silo takes it late")]
    private static partial void LogTakingLate(ILogger logger, string backup);
}
