using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// Copies every table the engine owns to blob storage as gzip JSON lines (<see cref="EntityJson"/>), one blob per
/// table, then a <see cref="BackupManifest"/> with row counts, checksums and start/end times; deletes backups past
/// their retention. See <see cref="TableRestore"/> for the way back.
/// </summary>
/// <remarks>
/// <para>Grain state is copied first. A member's state lists the ledger and journal rows it has not yet confirmed
/// as written, and re-emits them when it activates, so a ledger copied after the state holds at least what the
/// state relies on; rows it holds beyond a member's state (events applied after that state row was copied) are left
/// out by <see cref="TableRestore"/>. So a backup taken under load restores to consistent members (each state row
/// is one atomic entity; no member is half-written). docs/backups.md, section What "consistent" means for a backup taken under load, says what that means.</para>
/// </remarks>
/// <param name="tables">The data's account's tables (<c>ConnectionStrings:AzureStorage</c>).</param>
/// <param name="blobs">The account that keeps the backups (the backup container; <see cref="BackupStorage"/>): the
/// data's own or, with <c>ConnectionStrings:BackupStorage</c>, another.</param>
/// <param name="options">Which tables, which container, how long backups are kept.</param>
/// <param name="time">The wall clock: backup names and manifest times.</param>
/// <param name="logger">Progress and completion lines.</param>
/// <param name="failureListeners">Told of a failed backup (<see cref="IBackupFailureListener"/>); null or none: the
/// <see cref="LoggingBackupFailureListener"/> on <paramref name="logger"/>.</param>
/// <param name="source">Recorded in every manifest this writes (<see cref="BackupManifest.Source"/>); null: none recorded.</param>
public sealed partial class TableBackup(
    TableServiceClient tables,
    BlobServiceClient blobs,
    BackupOptions options,
    TimeProvider time,
    ILogger<TableBackup> logger,
    IEnumerable<IBackupFailureListener>? failureListeners = null,
    BackupSource? source = null)
{
    private readonly IReadOnlyList<IBackupFailureListener> _failureListeners =
        failureListeners?.ToList() is { Count: > 0 } listeners ? listeners : [new LoggingBackupFailureListener(logger)];

    private const string ManifestBlob = "manifest.json";

    internal static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The blob holding table <paramref name="table"/> of backup <paramref name="backup"/>.</summary>
    public static string TableBlobName(string backup, string table) => $"{backup}/tables/{table}.jsonl.gz";

    /// <summary>The manifest blob of backup <paramref name="backup"/>.</summary>
    public static string ManifestBlobName(string backup) => $"{backup}/{ManifestBlob}";

    /// <summary>
    /// The tables a backup copies now: those starting with the prefix and those named in <see cref="BackupOptions.Tables"/>,
    /// less the excluded, grain state first.
    /// </summary>
    public async Task<IReadOnlyList<string>> TablesAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        await foreach (var table in tables.QueryAsync(cancellationToken: cancellationToken))
        {
            var owned = table.Name.StartsWith(options.TablePrefix, StringComparison.Ordinal) || options.Tables.Contains(table.Name, StringComparer.OrdinalIgnoreCase);
            if (owned && !options.Excluded().Contains(table.Name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(table.Name);
            }
        }

        var first = options.First();
        return names
            .OrderBy(n => first.Contains(n, StringComparer.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The name of a backup taken at <paramref name="at"/>: <c>yyyyMMdd-HHmmss</c> in UTC.</summary>
    public static string NameFor(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

    /// <summary>
    /// Takes one backup, named <paramref name="name"/> (the schedule's slot, claimed by the caller) or, on demand (null),
    /// by its UTC start second (<see cref="NameFor"/>) — the next free second when that name is taken (a slot claimed
    /// in that second, another backup): the name is claimed (<c>{name}/claim</c>) before anything is copied, and the claim
    /// touched while the copy runs (<see cref="ReserveNameAsync"/>) — and returns its
    /// manifest. A failure (any exception, including the <see cref="AggregateException"/> the Azure SDK throws once its
    /// retries give up on an unreachable account) is recorded in a <c>failed</c> manifest when storage still takes it,
    /// reported to every <see cref="IBackupFailureListener"/>, and rethrown. Once the <c>complete</c> manifest is
    /// written the backup stands: deleting expired backups afterwards may fail or be cancelled (logged as a warning),
    /// and that never records or reports the backup as failed. Cancelled through <paramref name="cancellationToken"/>
    /// before that (the host stopping) the backup is abandoned, not failed: no manifest is written, no listener is
    /// told, a warning is logged, and the exception the cancellation caused is rethrown. A manifest is written once
    /// (a conditional create, <see cref="CreateManifestAsync"/>): when the backup was recorded before this copy ended (a
    /// silo watching it judged it stalled and wrote its <c>failed</c> manifest, and reported it), that record stands —
    /// a copy that completes is not written over it (a warning, and <see cref="BackupAlreadyRecordedException"/>; no
    /// listener is told), and a copy that fails is logged as a warning, not reported a second time.
    /// </summary>
    /// <exception cref="BackupAlreadyRecordedException">The copy completed, but the backup had a manifest already.</exception>
    /// <exception cref="BackupNamesTakenException">On demand: every name of the <see cref="NameTries"/> seconds from its
    /// start was taken; nothing was copied, nothing reported. (A storage failure while it claims a name is reported as
    /// failed, under its start second's name, with no manifest written.)</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled mid-copy (or
    /// another exception the cancellation caused in storage calls).</exception>
    public async Task<BackupManifest> RunAsync(string? name = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var startedAt = time.GetUtcNow();
        var container = blobs.GetBlobContainerClient(options.Container);
        var onDemand = name is null;
        OnDemandClaim? claim = null;
        var reservation = new NameReservation();
        name ??= NameFor(startedAt);
        var entries = new List<BackupTableEntry>();
        if (!onDemand)
        {
            LogStarted(logger, name, options.Container);
        }

        BackupManifest manifest;
        using var touching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var touches = Task.CompletedTask;
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            if (onDemand)
            {
                // A name of its own, claimed before anything is copied (a slot or another backup may hold this second's).
                claim = await ReserveNameAsync(container, startedAt, reservation, cancellationToken);
                name = claim.Name;
                LogStarted(logger, name, options.Container);
                touches = TouchAsync(claim, touching.Token);
            }

            foreach (var table in await TablesAsync(cancellationToken))
            {
                var entry = await CopyTableAsync(container, name, table, cancellationToken);
                entries.Add(entry);
                progress?.Report($"{table}: {entry.Rows:N0} rows");
            }

            manifest = new BackupManifest { Name = name, Status = BackupManifest.Complete, StartedAt = startedAt, FinishedAt = time.GetUtcNow(), Source = source, Tables = entries };
            if (await CreateCompleteAsync(container, manifest, cancellationToken) is { } standing)
            {
                // Recorded before this copy ended: failed by a silo that judged it stalled (and reported it), or
                // complete by another copy. That record stands; a Complete written over a reported failure would
                // turn it good in silence.
                LogCopyOverRecorded(logger, name, standing.Status, entries.Count);
                throw new BackupAlreadyRecordedException(name, standing.Status);
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // Cancelled by the caller (the host stopping: a rolling deploy, a scale-in): abandoned, not failed. No
            // manifest (a silo watching the slot would take one for the end of it), no alert; BackupScheduler releases the
            // claim so another silo takes the slot late.
            LogAbandoned(logger, name, entries.Count);
            await touching.CancelAsync();
            await touches;
            if (claim is not null)
            {
                await ReleaseOnDemandAsync(claim);
            }
            else if (reservation.Trying is { } trying)
            {
                await ReleaseLandedAsync(trying, reservation.Writer); // cancelled mid-create: it may have landed
            }

            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not BackupAlreadyRecordedException and not BackupNamesTakenException)
        {
            var failed = new BackupManifest { Name = name, Status = BackupManifest.Failed, StartedAt = startedAt, FinishedAt = time.GetUtcNow(), Error = ex.Message, Source = source, Tables = entries };
            BackupManifest? recorded = null;
            try
            {
                // On demand, failed before it held a name (storage unreachable): no manifest, the name may be another backup's.
                recorded = onDemand && claim is null ? null : await CreateManifestAsync(container, failed, NewWriter(), CancellationToken.None);
            }
            catch (Exception manifestFailure) when (StorageFailures.IsFailure(manifestFailure, CancellationToken.None))
            {
                // The storage that failed the backup may fail this too (an SDK timeout included: a TaskCanceledException
                // escaping here skipped the report, so the failure went unheard); the listeners below still hear of it.
                LogManifestFailed(logger, manifestFailure, name);
            }

            if (onDemand && claim is null && reservation.Trying is { } landed)
            {
                // Failed while it claimed its name: a create that landed with its answer lost (an SDK timeout) leaves a
                // claim nobody copies under, which a watching silo would report stalled, a second failure.
                await ReleaseLandedAsync(landed, reservation.Writer);
            }

            if (recorded is not null)
            {
                // Recorded already (another silo judged it stalled and reported it, or another copy completed it):
                // that record and its report stand; this failure is logged, not reported a second time.
                LogFailedOverRecorded(logger, ex, name, recorded.Status);
                throw;
            }

            await ReportFailureAsync(new BackupFailure(name, options.Container, startedAt, failed.FinishedAt, entries.Select(e => e.Table).ToList(), ex));
            throw;
        }
        finally
        {
            // An on-demand claim is touched only while the copy runs (TouchAsync never throws).
            await touching.CancelAsync();
            await touches;
        }

        // The complete manifest is written: the backup is done. Nothing after this may turn it into a failed one.
        var rows = entries.Sum(e => e.Rows);
        LogCompleted(logger, name, entries.Count, rows, (manifest.FinishedAt - startedAt).TotalSeconds);
        await NotifyCompletedAsync(name);
        try
        {
            await DeleteExpiredAsync(container, cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Retention is housekeeping (a lease or legal hold on an old blob, storage trouble, shutdown): the expired
            // backups are deleted after the next complete one.
            LogRetentionFailed(logger, ex, name, options.RetentionDays);
        }

        return manifest;
    }

    /// <summary>
    /// The backups in the container, newest first, with their manifests (null when a backup has none; a slot whose only
    /// record is its failure-reported marker has a <c>failed</c> one read from that marker, <see cref="ReportedOnlyAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<(string Name, BackupManifest? Manifest)>> ListAsync(CancellationToken cancellationToken = default)
    {
        var container = blobs.GetBlobContainerClient(options.Container);
        var result = new List<(string, BackupManifest?)>();
        if (!await container.ExistsAsync(cancellationToken))
        {
            return result;
        }

        await foreach (var prefix in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, cancellationToken))
        {
            if (prefix.IsPrefix && IsBackupName(prefix.Prefix.TrimEnd('/')))
            {
                var name = prefix.Prefix.TrimEnd('/');
                result.Add((name, await ReadManifestAsync(container, name, cancellationToken) ?? await ReportedOnlyAsync(container, name, cancellationToken)));
            }
        }

        return result.OrderByDescending(b => b.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The backups named before <paramref name="before"/> that have no manifest (begun, never finished nor recorded
    /// failed), oldest first; a slot whose only record is its failure-reported marker (never started, its failure
    /// reported: <see cref="ReportedOnlyAsync"/>) is failed, not counted in. A backup whose manifest, or (with no manifest)
    /// whose folder, cannot be looked at (a failed request, an SDK timeout included) is counted in, with a warning: the watch that follows looks again, and one failed look must not hide the rest. After
    /// that first failed look the newer backups after it (listed in name order, oldest first) are counted in without a
    /// look (each one's watch looks at its manifest first and ends when it has one):
    /// storage that hangs costs the scan one look's client timeout and retries, not one per earlier backup, while the
    /// schedule waits for it.
    /// </summary>
    /// <exception cref="RequestFailedException">Listing the container failed (also an <see cref="AggregateException"/>
    /// or an SDK timeout's <see cref="TaskCanceledException"/>).</exception>
    public async Task<IReadOnlyList<string>> UnfinishedBeforeAsync(string before, CancellationToken cancellationToken = default)
    {
        var container = blobs.GetBlobContainerClient(options.Container);
        var result = new List<string>();
        if (!await container.ExistsAsync(cancellationToken))
        {
            return result;
        }

        var blind = false;
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, cancellationToken))
        {
            var name = item.IsPrefix ? item.Prefix.TrimEnd('/') : "";
            if (!IsBackupName(name) || string.CompareOrdinal(name, before) >= 0)
            {
                continue;
            }

            var hasManifest = blind ? null : await HasManifestAsync(container, name, cancellationToken);
            blind |= hasManifest is null;
            if (hasManifest == false)
            {
                // Never started, its failure reported (its only record): failed, not unfinished. A failed look: blind.
                var reportedOnly = await IsReportedOnlyAsync(container, name, cancellationToken);
                blind |= reportedOnly is null;
                if (reportedOnly == true)
                {
                    continue;
                }
            }

            if (hasManifest != true)
            {
                result.Add(name);
            }
        }

        return result.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether backup <paramref name="name"/> has a manifest; null, with a warning, when storage cannot say.</summary>
    private async Task<bool?> HasManifestAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await container.GetBlobClient(ManifestBlobName(name)).ExistsAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogManifestLookFailed(logger, ex, name);
            return null;
        }
    }

    /// <summary>Whether <paramref name="name"/> has the form of a backup name (<c>yyyyMMdd-HHmmss</c>).</summary>
    public static bool IsBackupName(string name) =>
        DateTime.TryParseExact(name, "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    internal static async Task<BackupManifest?> ReadManifestAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(ManifestBlobName(name));
        if (!await blob.ExistsAsync(cancellationToken))
        {
            return null;
        }

        var content = await blob.DownloadContentAsync(cancellationToken);
        return content.Value.Content.ToObjectFromJson<BackupManifest>(ManifestJson);
    }

    private async Task<BackupTableEntry> CopyTableAsync(BlobContainerClient container, string backup, string table, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var blob = container.GetBlobClient(TableBlobName(backup, table));
        long rows = 0, bytes = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new ArrayBufferWriter<byte>(4096);
        await using (var stream = await blob.OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken))
        await using (var gzip = new GZipStream(stream, CompressionLevel.Optimal))
        {
            await foreach (var entity in tables.GetTableClient(table).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
            {
                line.ResetWrittenCount();
                EntityJson.WriteLine(entity, line);
                hash.AppendData(line.WrittenSpan);
                await gzip.WriteAsync(line.WrittenMemory, cancellationToken);
                bytes += line.WrittenCount;
                rows++;
            }
        }

        await blob.SetHttpHeadersAsync(new BlobHttpHeaders { ContentType = "application/gzip" }, cancellationToken: cancellationToken);
        return new BackupTableEntry(table, rows, Convert.ToHexStringLower(hash.GetHashAndReset()), bytes, started, time.GetUtcNow());
    }

    private async Task DeleteExpiredAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddDays(-options.RetentionDays).UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var backup = item.Name.Split('/')[0];
            if (IsBackupName(backup) && string.CompareOrdinal(backup, cutoff) < 0)
            {
                await container.DeleteBlobIfExistsAsync(item.Name, cancellationToken: cancellationToken);
                LogExpired(logger, item.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} to container {Container} started")]
    private static partial void LogStarted(ILogger logger, string backup, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} abandoned after {Tables} complete tables: cancelled (the silo is stopping); no manifest written, not reported as failed")]
    private static partial void LogAbandoned(ILogger logger, string backup, int tables);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} failed, and writing its failed manifest failed too; it is reported, and listed without a manifest")]
    private static partial void LogManifestFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not look for its manifest; counted as unfinished, so it is watched, and so are the newer backups after it, without a look (each watch looks at its manifest first)")]
    private static partial void LogManifestLookFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} complete: {Tables} tables, {Rows} rows in {Seconds:F1} s")]
    private static partial void LogCompleted(ILogger logger, string backup, int tables, long rows, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Backup}: failure listener {Listener} threw")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string backup, string listener);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} is complete, but deleting backups older than {RetentionDays} days failed; they are deleted after the next complete backup")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception, string backup, int retentionDays);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted expired backup blob {Blob}")]
    private static partial void LogExpired(ILogger logger, string blob);
}
