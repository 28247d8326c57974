using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>The schedule's claims: <c>{backup}/claim</c> taken, touched while copying, and released when the silo stops mid-copy.</summary>
public sealed partial class BackupScheduler
{
    /// <summary>
    /// The blob a silo that stopped mid-copy leaves when it releases backup <paramref name="name"/> (it holds that
    /// silo's claim holder, <see cref="StoppedMark"/> when the silo stopped): the claim is gone, and a watching silo
    /// takes the slot late.
    /// </summary>
    public static string ReleasedBlobName(string name) => $"{name}/released";

    /// <summary>
    /// What a stopping silo whose claim holder is <paramref name="holder"/> writes in the released marker: a claim of that
    /// holder found afterwards, quiet, is one of its requests (a claim's create, or a touch) that landed after its
    /// release read the claim, and nobody will ever touch it (<see cref="LeftByStoppedSiloAsync"/>).
    /// </summary>
    internal static string StoppedMark(string holder) => $"{holder}, stopped";

    /// <summary>
    /// Takes backup <paramref name="name"/>, claimed by this silo, touching its claim meanwhile. A failure was recorded
    /// and reported by <see cref="TableBackup"/>; the next slot tries again. Cancelled by <paramref name="stoppingToken"/>
    /// (the host stopping: a rolling deploy, a scale-in) the copy is abandoned, not failed: <see cref="TableBackup"/>
    /// writes no manifest and reports nothing, and the claim is released (<see cref="ReleaseAsync"/>) so a silo watching
    /// it takes the slot late; the cancellation is then rethrown.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="stoppingToken"/> was cancelled.</exception>
    private async Task CopyAsync(BackupOptions settings, string name, CancellationToken stoppingToken)
    {
        var abandoned = false;
        using (var beating = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            var heartbeat = HeartbeatAsync(settings, name, beating.Token);
            try
            {
                await backup.RunAsync(name, cancellationToken: stoppingToken);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                abandoned = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // TableBackup reported it to the failure listeners (the default one logs an error), or found it recorded by
                // another silo already (BackupAlreadyRecordedException, warned); the next slot tries again.
            }
            finally
            {
                // The heartbeat ends before a release: a touch after it would put the claim back.
                await beating.CancelAsync();
                await heartbeat;
            }
        }

        if (abandoned)
        {
            await ReleaseAsync(settings.Container, name, stopping: true);
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// What this silo writes in the claims it takes and touches: its machine name (shown in a stalled backup's report)
    /// and an id of this scheduler, so a claim request whose answer was lost can tell its own claim from another's.
    /// </summary>
    private readonly string _holder = $"{Environment.MachineName} ({Guid.NewGuid().ToString("N")[..8]})";

    /// <summary>How many times a stopping silo tries to release its claim (<see cref="ReleaseAsync"/>).</summary>
    private const int ReleaseAttempts = 3;

    /// <summary>
    /// How long one release attempt may take (<see cref="ReleaseAsync"/>), by the scheduler's <see cref="TimeProvider"/>:
    /// the client's own timeout (100 s a try by default, with retries) would spend the host's shutdown timeout (30 s by
    /// default) on the first attempt. Three attempts end at most 24 s after the copy stops; the copy's cancellation and
    /// the rest of the silo's stop come on top, so the host's shutdown timeout needs headroom above that: the silo host
    /// sets 45 s (<c>Engagement:Silo:ShutdownTimeout</c>, at least 30 s; docs/backups.md, "A silo killed or stopped mid-copy").
    /// </summary>
    internal static readonly TimeSpan ReleaseAttemptTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Releases backup <paramref name="name"/>, abandoned by this stopping silo: writes <see cref="ReleasedBlobName"/>,
    /// then deletes the claim while it is this silo's, as read (<see cref="DeleteOwnClaimAsync"/>; both idempotent). Not cancellable by the host (it is stopping): each attempt is cut off
    /// after <see cref="ReleaseAttemptTimeout"/> instead. A failed attempt (storage refuses, an SDK timeout, the attempt's
    /// own timeout) is logged as a warning and tried again at once, <see cref="ReleaseAttempts"/> attempts in all: a claim
    /// left behind turns a normal shutdown into a backup reported failed. When every attempt fails the claim stays, and
    /// another silo reports the backup failed once the claim has been quiet for <see cref="BackupOptions.StalledAfter"/>.
    /// <paramref name="stopping"/>: this silo is stopping (the marker holds <see cref="StoppedMark"/>, so a claim of its
    /// that lands after this release is known for a leftover); false when a running silo releases a claim it found late.
    /// The marker records this silo's cluster as blob metadata, as its claims do (<see cref="BackupSource.ToMetadata"/>).
    /// </summary>
    private async Task ReleaseAsync(string containerName, string name, bool stopping)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        for (var attempt = 1; ; attempt++)
        {
            using var attemptTimeout = new CancellationTokenSource(ReleaseAttemptTimeout, time);
            try
            {
                // Its source too (as on the claims): a watching silo of another deployment sharing the container leaves it alone.
                await container.GetBlobClient(ReleasedBlobName(name)).UploadAsync(BinaryData.FromString(stopping ? StoppedMark(_holder) : _holder), new BlobUploadOptions { Metadata = source?.ToMetadata() }, attemptTimeout.Token);
                if (await DeleteOwnClaimAsync(container.GetBlobClient($"{name}/claim"), attemptTimeout.Token))
                {
                    LogReleased(logger, name);
                }
                else
                {
                    LogReleaseFoundAnother(logger, name);
                }

                return;
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None) && attempt < ReleaseAttempts)
            {
                // An SDK timeout or the attempt's own: the host's token is not used, so any cancellation here is a failure.
                LogReleaseRetried(logger, ex, name, attempt, ReleaseAttempts);
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                LogReleaseFailed(logger, ex, name);
                return;
            }
        }
    }

    /// <summary>
    /// Deletes a backup's <paramref name="claim"/> on every release attempt: only when it still holds
    /// <see cref="_holder"/>, and only as read (If-Match its ETag). A delete may succeed in storage with its answer lost,
    /// and a watching silo may claim the slot in the gap to take it late; the SDK's own retry of that delete (or the next
    /// attempt) must not delete the watcher's claim, which would let a third silo take a second copy beside it.
    /// </summary>
    /// <returns>True when no claim of this silo's is left (deleted now, or none there); false when the claim is
    /// another silo's (this silo never held it, or released it and another silo has claimed it since), left alone.</returns>
    /// <exception cref="RequestFailedException">Storage could not say (the attempt fails and is tried again).</exception>
    private async Task<bool> DeleteOwnClaimAsync(BlobClient claim, CancellationToken cancellationToken)
    {
        BlobDownloadResult read;
        try
        {
            read = (await claim.DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return true;
        }

        if (read.Content.ToString() != _holder)
        {
            return false;
        }

        try
        {
            await claim.DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = read.Details.ETag }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone, or changed since the read: this silo's claim was deleted (an earlier try whose answer was lost) and
            // another silo may hold a new one; not this silo's to delete. Released either way.
            return true;
        }

        return true;
    }

    /// <summary>
    /// Touches the claim of backup <paramref name="name"/> at once, then every quarter of <see cref="BackupOptions.StalledAfter"/>
    /// until cancelled, waiting that quarter after a failed touch too. At once: a claim found to be this silo's only after a lost answer and failed reads was written
    /// minutes earlier, and silos watching it since then would judge it stalled before a first touch a quarter later.
    /// </summary>
    private async Task HeartbeatAsync(BackupOptions settings, string name, CancellationToken cancellationToken)
    {
        var claim = blobs.GetBlobContainerClient(settings.Container).GetBlobClient($"{name}/claim");
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Its source again: an upload replaces the blob's metadata too.
                await claim.UploadAsync(BinaryData.FromString(_holder), new BlobUploadOptions { Metadata = source?.ToMetadata() }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                // An SDK timeout too: ending the heartbeat would let another silo take a healthy copy for stalled, and
                // `await heartbeat` in CopyAsync would rethrow it, failing a good backup (and skipping the release).
                // The backup itself will meet the same storage; its own failure is what gets reported.
                LogHeartbeatFailed(logger, ex, name);
            }

            // After every touch, failed or not: a failed one retried at once would hammer a throttled account.
            try
            {
                await Task.Delay(settings.StalledAfter / 4, time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Whose a backup's claim is, as read (<see cref="WhoseClaimAsync"/>).</summary>
    private enum ClaimOwner
    {
        /// <summary>There is no claim.</summary>
        None,

        /// <summary>The claim holds this scheduler's <see cref="_holder"/>.</summary>
        Mine,

        /// <summary>The claim holds another silo's (of this cluster, or recording no cluster).</summary>
        Other,

        /// <summary>The claim records another cluster (<see cref="SaysForeign"/>, an error said once): never watched, judged or released.</summary>
        Foreign,

        /// <summary>Storage could not say (a failed read, an SDK timeout included; logged as a warning).</summary>
        Unknown,
    }

    /// <summary>
    /// The one "is this claim mine" rule: reads backup <paramref name="name"/>'s claim and compares its text with
    /// <see cref="_holder"/>; a claim recording another cluster is <see cref="ClaimOwner.Foreign"/>. A failed read (an SDK timeout too) is <see cref="ClaimOwner.Unknown"/>, said by
    /// <paramref name="logUnknown"/> (each caller's warning says what it does then).
    /// </summary>
    private async Task<ClaimOwner> WhoseClaimAsync(BlobClient claim, string name, Action<ILogger, Exception, string> logUnknown, CancellationToken cancellationToken)
    {
        try
        {
            var read = (await claim.DownloadContentAsync(cancellationToken)).Value;
            return SaysForeign(name, read.Details.Metadata) ? ClaimOwner.Foreign : read.Content.ToString() == _holder ? ClaimOwner.Mine : ClaimOwner.Other;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return ClaimOwner.None;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            logUnknown(logger, ex, name);
            return ClaimOwner.Unknown;
        }
    }

    /// <summary>
    /// Claims backup <paramref name="name"/> (creates <c>{name}/claim</c> holding <see cref="_holder"/>, only if there is
    /// none). <see cref="ClaimOwner.Mine"/> when this silo holds the claim: created now, or already there holding
    /// <see cref="_holder"/> — the SDK retries a timeout or a 5xx itself, so when its first try wrote the claim and only
    /// the answer was lost, its retry meets this silo's own claim (409). <see cref="ClaimOwner.Other"/> when another silo
    /// holds it, or held it and it is gone by the read. <see cref="ClaimOwner.Unknown"/> when the claim is there and
    /// reading it fails (logged as a warning; the slot claims again at its next tick, and is watched as another silo's once
    /// half of <see cref="BackupOptions.StalledAfter"/> has passed since this silo began claiming it: <see cref="ClaimSlotAsync"/>). Never
    /// <see cref="ClaimOwner.None"/>.
    /// </summary>
    /// <remarks>
    /// Cancelled by <paramref name="cancellationToken"/> (the host stopping) while the claim request or the read of whose
    /// claim it met is in flight, the claim may be this silo's already (written, its answer not yet back): it is released
    /// as a copy stopped midway releases it (<see cref="ReleaseAsync"/>: the slot marked released, the claim deleted only
    /// while it is this silo's, If-Match as read, each attempt cut off by the scheduler's clock, not the cancelled token),
    /// so no claim is left for the watchers to report stalled after <see cref="BackupOptions.StalledAfter"/>, and the
    /// next silo takes the slot late. A claim storage writes after that read (a request still in flight there) is not seen.
    /// </remarks>
    /// <exception cref="RequestFailedException">Storage refused the claim itself (other than an existing claim).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (after the release).</exception>
    /// <param name="containerName">The backups' container (<see cref="BackupOptions.Container"/>).</param>
    /// <param name="name">The backup (its slot's name, <see cref="TableBackup.NameFor"/>).</param>
    /// <param name="then">What the caller does when the claim met cannot be read (the end of that warning).</param>
    /// <param name="cancellationToken">The host's stopping token.</param>
    private async Task<ClaimOwner> ClaimAsync(string containerName, string name, string then, CancellationToken cancellationToken)
    {
        try
        {
            return await ClaimOrReadAsync(containerName, name, then, cancellationToken);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            LogClaimStopped(logger, name);
            if (await ClaimOfAnotherClusterAsync(containerName, name))
            {
                // Another deployment's claim (its read was what the stop cut short): its slot, and any released marker
                // there, are that cluster's; a marker stamped with this cluster would stop its watchers taking it late.
                LogStoppedOnForeignClaim(logger, name);
            }
            else
            {
                await ReleaseAsync(containerName, name, stopping: true);
            }

            throw new ClaimReleasedException($"backup {name}: the host stopped while this silo claimed it", ex, cancellationToken);
        }
    }

    /// <summary>
    /// Whether backup <paramref name="name"/>'s claim records another cluster (<see cref="SaysForeign"/>, its error said
    /// once): read for a silo stopped while it claimed the slot, on no caller's token, cut off after
    /// <see cref="ReleaseAttemptTimeout"/>. No claim, or a read that fails, is false: the slot is released as before.
    /// </summary>
    private async Task<bool> ClaimOfAnotherClusterAsync(string containerName, string name)
    {
        using var timeout = new CancellationTokenSource(ReleaseAttemptTimeout, time);
        try
        {
            var claim = (await blobs.GetBlobContainerClient(containerName).GetBlobClient($"{name}/claim").GetPropertiesAsync(cancellationToken: timeout.Token)).Value;
            return SaysForeign(name, claim.Metadata);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            return false;
        }
    }

    /// <summary>The host stopped during <see cref="ClaimAsync"/>, which released the claim already (not released again).</summary>
    private sealed class ClaimReleasedException(string message, Exception inner, CancellationToken token) : OperationCanceledException(message, inner, token);

    /// <summary>The claim itself (<see cref="ClaimAsync"/>), cancellable by <paramref name="cancellationToken"/>.</summary>
    private async Task<ClaimOwner> ClaimOrReadAsync(string containerName, string name, string then, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var claim = container.GetBlobClient($"{name}/claim");
        try
        {
            await claim.UploadAsync(
                BinaryData.FromString(_holder),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, Metadata = source?.ToMetadata() },
                cancellationToken);
            return ClaimOwner.Mine;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            var holder = await WhoseClaimAsync(claim, name, (l, e, n) => LogOwnClaimLookFailed(l, e, n, then), cancellationToken);
            switch (holder)
            {
                case ClaimOwner.Mine:
                    LogOwnClaimFound(logger, name);
                    return ClaimOwner.Mine;
                case ClaimOwner.Unknown or ClaimOwner.Foreign:
                    return holder;
                default:
                    // Another silo's, or gone by the read (released meanwhile): not this silo's, so not taken.
                    return ClaimOwner.Other;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: this silo is stopping while it claimed it, and the claim there is another deployment's; left alone, no released marker written")]
    private static partial void LogStoppedOnForeignClaim(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: this silo is stopping while it claimed it; releasing any claim it wrote")]
    private static partial void LogClaimStopped(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: claiming it met a claim, and it is this silo's (an earlier try of the request wrote it and its answer was lost); taking it")]
    private static partial void LogOwnClaimFound(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: claiming it met a claim, and reading whose it is failed; {Then}")]
    private static partial void LogOwnClaimLookFailed(ILogger logger, Exception exception, string backup, string then);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: whose claim it is could not be read for {Minutes:F0} minutes; watching it as another silo's (reported failed if it stalls)")]
    private static partial void LogClaimUnreadWatched(ILogger logger, string backup, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} not checked: claiming it failed, and so did looking whether it is claimed (another silo may be taking it); claiming it again every quarter of StalledAfter up to half of StalledAfter after this silo began claiming it, and reported failed only if storage cannot say for longer than StalledAfter")]
    private static partial void LogClaimNotChecked(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} not checked: claiming it failed, and so did looking whether it is claimed (another silo may be taking it); past half of StalledAfter after this silo began claiming it, it is not claimed again, only whose claim it is read every quarter of StalledAfter, and reported failed only if storage cannot say for longer than StalledAfter")]
    private static partial void LogClaimNotCheckedPastLimit(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not touch its claim; another silo may take it for stalled")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} abandoned: this silo is stopping; its claim is released and another silo takes the slot late")]
    private static partial void LogReleased(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} abandoned: this silo is stopping, and releasing its claim failed (attempt {Attempt} of {Attempts}); trying again")]
    private static partial void LogReleaseRetried(ILogger logger, Exception exception, string backup, int attempt, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: this silo is stopping, and the claim is another silo's (this silo never held it, or released it and another silo has claimed it since); left alone")]
    private static partial void LogReleaseFoundAnother(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} abandoned: this silo is stopping, and releasing its claim failed; another silo reports it once the claim is quiet for StalledAfter")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string backup);
}
