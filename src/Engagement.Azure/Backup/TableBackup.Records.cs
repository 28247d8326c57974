using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// How a backup's outcome is recorded and told, once across the silos: its manifest is created once (a conditional
/// create; the first outcome written stands), and a failure that has no manifest to carry it (a slot not started
/// because storage could not say) is reported by the one silo that creates its report marker.
/// </summary>
public sealed partial class TableBackup
{
    /// <summary>
    /// The blob that records that slot <paramref name="backup"/>'s failure, one no manifest carries (it was never
    /// started), was reported: created once (If-None-Match: *) by the silo that reports it (<see cref="ReportOnceAsync"/>).
    /// </summary>
    public static string FailureReportedBlobName(string backup) => $"{backup}/failure-reported";

    /// <summary>
    /// Records backup <paramref name="name"/>, begun at <paramref name="startedAt"/> (UTC) by a silo that stopped before
    /// finishing it, as <c>failed</c> with <paramref name="reason"/> and reports it to every
    /// <see cref="IBackupFailureListener"/> — only if it has no manifest yet, so of several silos that notice, one
    /// reports. Returns false when a manifest already exists (the backup ended, or another silo recorded it). The
    /// manifest records no <see cref="BackupManifest.Source"/> (<c>source unknown</c>): the copier that stopped may be
    /// another cluster's, and this silo's own source would be a guess. The
    /// manifest carries <paramref name="writer"/> (the caller's id for this one judgement, kept across its tries): a
    /// create whose answer was lost, by the SDK's retry or by this call throwing after the blob landed, is recognised as
    /// the caller's, here and by <see cref="ReportIfRecordedByAsync"/> at the caller's next look. Create and report run on
    /// no caller's token (a stop must not cut them between the two), bounded by <see cref="RecordTimeout"/>.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage refused the manifest for another reason.</exception>
    /// <exception cref="OperationCanceledException">The create did not answer within <see cref="RecordTimeout"/>.</exception>
    public async Task<bool> AbandonAsync(string name, DateTimeOffset startedAt, Exception reason, string writer)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentException.ThrowIfNullOrEmpty(writer);
        var failed = new BackupManifest { Name = name, Status = BackupManifest.Failed, StartedAt = startedAt, FinishedAt = time.GetUtcNow(), Error = reason.Message, Source = null, Tables = [] };
        using (var timeout = new CancellationTokenSource(RecordTimeout))
        {
            if (await CreateManifestAsync(blobs.GetBlobContainerClient(options.Container), failed, writer, timeout.Token) is not null)
            {
                return false;
            }
        }

        await ReportFailureAsync(new BackupFailure(name, options.Container, startedAt, failed.FinishedAt, [], reason));
        return true;
    }

    /// <summary>
    /// Reports backup <paramref name="name"/>'s <c>failed</c> manifest when <paramref name="writer"/> wrote it: an
    /// <see cref="AbandonAsync"/> of that writer that threw after its create landed (its answer lost past the SDK's
    /// retries, or the create ran out of <see cref="RecordTimeout"/>) left it unreported, and every other silo finds
    /// another writer's manifest and stays quiet. Returns true when it reported; false when the manifest is another
    /// writer's, not failed, or gone.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (the caller looks again).</exception>
    public async Task<bool> ReportIfRecordedByAsync(string name, string writer, CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(options.Container).GetBlobClient(ManifestBlobName(name));
        try
        {
            var read = (await blob.DownloadContentAsync(cancellationToken)).Value;
            if (!read.Details.Metadata.TryGetValue(WriterMetadata, out var by) || by != writer)
            {
                return false;
            }

            var manifest = read.Content.ToObjectFromJson<BackupManifest>(ManifestJson);
            if (manifest is null || manifest.Status != BackupManifest.Failed)
            {
                return false;
            }

            LogRecordedUnreported(logger, name);
            await ReportFailureAsync(new BackupFailure(name, options.Container, manifest.StartedAt, manifest.FinishedAt, [], new TimeoutException(manifest.Error)));
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>
    /// How long recording a failure (its manifest's create, <see cref="AbandonAsync"/>) may take, on no caller's token:
    /// 30 s of real time (a bound on storage's answer, not a time of the schedule, so it is not read off the injected clock).
    /// </summary>
    internal static readonly TimeSpan RecordTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reports <paramref name="failure"/>, a failure of a slot that has no manifest to carry it (not started: whether an
    /// earlier backup still copies, or whether the slot is claimed, could not be told), once across the silos, in two
    /// phases on <see cref="FailureReportedBlobName"/>: the silo that creates it as <c>reporting {writer} {time}</c>
    /// (If-None-Match: *) reports it, then sets it to <c>reported …</c> (If-Match) once every listener heard it. Another
    /// silo that finds <c>reported</c> logs that and does not report; one that finds <c>reporting</c> waits for it (a
    /// sixteenth of StalledAfter between looks) and takes it over (If-Match) once it is older than a quarter of
    /// StalledAfter by the writer's stamp and this silo's clock (UTC): its reporter stopped, crashed or had a listener
    /// throw. Each storage step runs on no caller's token, bounded by <see cref="RecordTimeout"/>; when storage refuses
    /// the marker (it is what failed) this silo reports anyway: a duplicate report is better than none. So it does, with
    /// an error, when the marker there records another cluster (another deployment sharing the container: its report
    /// is not this cluster's; a marker recording none is this cluster's, as manifests without a source are), leaving
    /// that marker as it is. Returns true when this silo reported it.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while this silo waited for another's report.</exception>
    public async Task<bool> ReportOnceAsync(BackupFailure failure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var marker = blobs.GetBlobContainerClient(options.Container).GetBlobClient(FailureReportedBlobName(failure.Backup));
        var writer = NewWriter();
        ETag? mine = null;
        try
        {
            mine = await TakeReportAsync(marker, failure, writer, cancellationToken);
            if (mine == AnotherClustersMarker)
            {
                // Not this cluster's report (said as an error): reported, the other cluster's marker left as it is.
                mine = null;
            }
            else if (mine is null)
            {
                LogAlreadyReported(logger, failure.Backup);
                return false;
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // The marker's write may have landed with its answer lost (an SDK timeout, a 5xx after the write, past the
            // SDK's retry): then it is this silo's, and left 'reporting' it would be taken over and reported again.
            mine = await WrittenByAsync(marker, writer);
            if (mine is null)
            {
                LogReportMarkFailed(logger, ex, failure.Backup);
            }
        }

        if (await ReportFailureAsync(failure) && mine is { } etag)
        {
            try
            {
                using var timeout = new CancellationTokenSource(RecordTimeout);
                await marker.UploadAsync(
                    BinaryData.FromString($"{ReportedMark} {writer} {time.GetUtcNow():O} {Environment.MachineName}: {failure.Exception.Message}"),
                    new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = etag }, Metadata = MarkerStamp(writer) },
                    timeout.Token);
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // Its answer lost, the update may have landed (the SDK's retry then meets its own new ETag: 412): not a
                // failure when the marker says reported by this writer. Else reported; a silo that finds it still
                // 'reporting' later reports it again: a duplicate, not a silence.
                if (!await MarkedReportedAsync(marker, writer))
                {
                    LogReportedMarkFailed(logger, ex, failure.Backup);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Makes <paramref name="marker"/> this silo's <c>reporting</c> one (<see cref="ReportOnceAsync"/>): created, or taken
    /// over from a reporter gone quiet. Its ETag then; null when another silo reported it; <see cref="AnotherClustersMarker"/>
    /// when the marker there records another cluster (<see cref="ReportedByAnotherCluster"/>), neither waited for nor taken over.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage refused a step (an SDK timeout or <see cref="RecordTimeout"/> too).</exception>
    private async Task<ETag?> TakeReportAsync(BlobClient marker, BackupFailure failure, string writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            var reporting = BinaryData.FromString($"{ReportingMark} {writer} {now:O} {Environment.MachineName}: {failure.Exception.Message}");
            using (var timeout = new CancellationTokenSource(RecordTimeout))
            {
                if (await CreateOnceAsync(marker, reporting, writer, timeout.Token, MarkerStamp(writer)))
                {
                    return (await marker.GetPropertiesAsync(cancellationToken: timeout.Token)).Value.ETag;
                }

                BlobDownloadResult there;
                try
                {
                    there = (await marker.DownloadContentAsync(timeout.Token)).Value;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    continue;
                }

                if (ReportedByAnotherCluster(failure.Backup, there.Details.Metadata))
                {
                    return AnotherClustersMarker;
                }

                var parts = there.Content.ToString().Split(' ', 4);
                if (parts.Length < 3 || parts[0] != ReportingMark)
                {
                    // Reported (or a marker of the one-phase kind, written once a report was made).
                    return null;
                }

                if (DateTimeOffset.TryParse(parts[2], null, System.Globalization.DateTimeStyles.RoundtripKind, out var stamped) && now - stamped < options.StalledAfter / 4)
                {
                    timeout.Dispose();
                    await Task.Delay(options.StalledAfter / 16, time, cancellationToken);
                    continue;
                }

                try
                {
                    var taken = await marker.UploadAsync(
                        reporting,
                        new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = there.Details.ETag }, Metadata = MarkerStamp(writer) },
                        timeout.Token);
                    LogReportTakenOver(logger, failure.Backup, parts[1]);
                    return taken.Value.ETag;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    // Another silo took it over, or its reporter finished: looked at again.
                }
            }
        }
    }

    /// <summary>
    /// The ETag of <paramref name="marker"/> (a report marker or a manifest) when it carries <paramref name="writer"/> (its
    /// create or takeover landed, its answer lost); null when it is another writer's, gone, or storage cannot say.
    /// </summary>
    private static async Task<ETag?> WrittenByAsync(BlobClient marker, string writer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RecordTimeout);
            var there = (await marker.GetPropertiesAsync(cancellationToken: timeout.Token)).Value;
            return there.Metadata.TryGetValue(WriterMetadata, out var by) && by == writer ? there.ETag : null;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            return null;
        }
    }

    /// <summary>The first word of a report marker whose report is under way (<see cref="ReportOnceAsync"/>).</summary>
    private const string ReportingMark = "reporting";

    /// <summary>The first word of a report marker whose report every listener heard (<see cref="ReportOnceAsync"/>).</summary>
    private const string ReportedMark = "reported";

    /// <summary>
    /// Tells every <see cref="IBackupFailureListener"/> of <paramref name="failure"/>; a listener that throws is logged and
    /// skipped. True when every listener heard it without throwing.
    /// </summary>
    public async Task<bool> ReportFailureAsync(BackupFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var heard = true;
        foreach (var listener in _failureListeners)
        {
            try
            {
                await listener.BackupFailedAsync(failure, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One listener's trouble must not hide the failure from the others.
                LogListenerFailed(logger, ex, failure.Backup, listener.GetType().Name);
                heard = false;
            }
        }

        return heard;
    }

    /// <summary>Tells every <see cref="IBackupFailureListener"/> that <paramref name="backup"/> completed; a listener that throws is logged and skipped.</summary>
    private async Task NotifyCompletedAsync(string backup)
    {
        foreach (var listener in _failureListeners)
        {
            try
            {
                await listener.BackupCompletedAsync(backup, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogListenerFailed(logger, ex, backup, listener.GetType().Name);
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="manifest"/> only if its backup has none (If-None-Match: *): a backup's outcome is recorded
    /// once, and the first record stands. Null when this one was written (a create whose answer was lost and whose
    /// retry met it, same bytes, included); else the manifest already there.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage refused it for another reason (an SDK timeout too).</exception>
    private static async Task<BackupManifest?> CreateManifestAsync(BlobContainerClient container, BackupManifest manifest, string writer, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(ManifestBlobName(manifest.Name));
        var json = BinaryData.FromObjectAsJson(manifest, ManifestJson);
        while (true)
        {
            if (await CreateOnceAsync(blob, json, writer, cancellationToken))
            {
                return null;
            }

            try
            {
                return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToObjectFromJson<BackupManifest>(ManifestJson);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted between the create and the read: created again.
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="blob"/> holding <paramref name="content"/> only if there is none. True when this call
    /// wrote it: created now, or there already carrying <paramref name="writer"/> (blob metadata; the caller's id, kept
    /// across its own tries: the SDK retries a timeout itself, and a caller may try again after a throw, so a try that
    /// wrote it with its answer lost meets its own blob; two silos writing the same bytes at the same moment are still
    /// told apart); false when another writer's blob is there.
    /// </summary>
    private static async Task<bool> CreateOnceAsync(BlobClient blob, BinaryData content, string writer, CancellationToken cancellationToken, Dictionary<string, string>? metadata = null)
    {
        try
        {
            await blob.UploadAsync(
                content,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, Metadata = metadata ?? new Dictionary<string, string> { [WriterMetadata] = writer } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            try
            {
                var there = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                return there.Metadata.TryGetValue(WriterMetadata, out var by) && by == writer;
            }
            catch (RequestFailedException gone) when (gone.Status == 404)
            {
                return false;
            }
        }
    }

    /// <summary>A fresh writer id (<see cref="CreateOnceAsync"/>): one per judgement, kept across its tries.</summary>
    public static string NewWriter() => Guid.NewGuid().ToString("N");

    /// <summary>The metadata key holding the id of the call that created a manifest or report marker (<see cref="CreateOnceAsync"/>).</summary>
    private const string WriterMetadata = "writer";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: copied {Tables} tables, but it was recorded {Status} before this copy ended (a silo that judged it stalled reported it, or another copy completed it); that record stands, this copy's complete manifest is not written over it")]
    private static partial void LogCopyOverRecorded(ILogger logger, string backup, string status, int tables);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} failed on this silo, but it was recorded {Status} already (by a silo that judged it stalled and reported it, or by another copy); that record stands, not reported again")]
    private static partial void LogFailedOverRecorded(ILogger logger, Exception exception, string backup, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: this silo recorded it failed but its report was cut off (the record's answer was lost or ran out of time); reporting it now")]
    private static partial void LogRecordedUnreported(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: its failure's report, begun by writer {Writer}, is older than a quarter of StalledAfter and not finished; this silo takes it over and reports it")]
    private static partial void LogReportTakenOver(ILogger logger, string backup, string writer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: reported its failure, but could not mark the report finished; another silo may report it again")]
    private static partial void LogReportedMarkFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup}: its failure was reported already by another silo; not reported again")]
    private static partial void LogAlreadyReported(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not record that its failure is reported (storage refused that too); reporting it from this silo, as others that could not may")]
    private static partial void LogReportMarkFailed(ILogger logger, Exception exception, string backup);
}

/// <summary>
/// A copy of backup <see cref="Backup"/> completed, but the backup had a manifest already (<see cref="Status"/>:
/// <c>failed</c> when a silo watching it judged it stalled and reported it; <c>complete</c> when another copy finished
/// first). The manifest already there stands (<see cref="TableBackup.RunAsync"/>); nothing was reported for this copy.
/// Serialized whole (message, backup, status) under a stable alias should it cross silos.
/// </summary>
[GenerateSerializer, Alias("engagement.backup-already-recorded.v1")]
public sealed class BackupAlreadyRecordedException(string backup, string status)
    : InvalidOperationException($"backup {backup}: copied, but it was recorded '{status}' before this copy ended; that record stands")
{
    /// <summary>The backup's name (<c>yyyyMMdd-HHmmss</c>, UTC start).</summary>
    [Id(0)]
    public string Backup { get; } = backup;

    /// <summary>The status of the manifest already there (<see cref="BackupManifest.Complete"/> or <see cref="BackupManifest.Failed"/>).</summary>
    [Id(1)]
    public string Status { get; } = status;
}
