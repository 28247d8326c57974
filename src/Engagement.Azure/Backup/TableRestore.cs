using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Azure.Backup;

/// <summary>
/// Restores a backup written by <see cref="TableBackup"/> into an account whose engine tables are empty (or absent):
/// first every table blob is read and checked against the manifest (row count and SHA-256), so a damaged backup
/// writes nothing; then the rows are written back, in transactions of up to 100 rows of one partition, up to
/// <see cref="Parallelism"/> of them at once. The ledger is cut at each member's restored state
/// (<see cref="MemberLedgerCut"/>): rows of events the member's copied state had not applied yet are left out, so
/// every member's ledger agrees with its state. How far it came is kept in a <see cref="RestoreJournal"/>, so a restore
/// broken off can be resumed.
/// </summary>
/// <param name="tables">The account restored into.</param>
/// <param name="blobs">The account holding the backups (<see cref="BackupStorage"/>; may be another than <paramref name="tables"/>'):
/// the restore journal is kept there too, named by <paramref name="tables"/>' account (<see cref="RestoreJournal.BlobName"/>).</param>
/// <param name="options">The backup container; <see cref="BackupOptions.First"/> names the grain-state table;
/// <see cref="BackupOptions.TimeZone"/> the zone the backup's start is shown in (UTC when unknown).</param>
/// <param name="ledgerTable">The ledger table (<c>Engagement:Storage:LedgerTableName</c>); default <c>EngagementLedger</c>.
/// Table names are matched ignoring case, as Azure does.</param>
/// <param name="logger">The backup's start (UTC and local) before anything is written, progress with rows/s, warnings
/// (a ledger restored uncut); none when null.</param>
/// <param name="time">Times progress (every <see cref="ProgressRows"/> rows or minute) and the journal; default the system clock.</param>
public sealed partial class TableRestore(TableServiceClient tables, BlobServiceClient blobs, BackupOptions options, string? ledgerTable = null, ILogger<TableRestore>? logger = null, TimeProvider? time = null)
{
    private readonly string _ledgerTable = ledgerTable ?? Ledger.AzureTableLedgerArchive.DefaultTableName;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Transactions (so partitions) written at once; default 16.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>Progress is reported (and the journal saved) every this many rows written, and at least every minute; default 10,000.</summary>
    public int ProgressRows { get; init; } = 10_000;

    /// <summary>Restores <paramref name="backup"/> into empty tables (<see cref="RunAsync(string, bool, IProgress{string}?, CancellationToken)"/> without resume).</summary>
    /// <returns>Rows restored per table (for the ledger, fewer than the manifest's when the cut left rows out).</returns>
    /// <exception cref="InvalidOperationException">No such complete backup, or a target table already holds rows.</exception>
    /// <exception cref="InvalidDataException">A table blob does not match the manifest; nothing was written.</exception>
    public Task<IReadOnlyDictionary<string, long>> RunAsync(string backup, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(backup, resume: false, progress, cancellationToken);

    /// <summary>
    /// Restores <paramref name="backup"/> (a name is the backup's UTC start, <see cref="TableBackup.NameFor"/>); first
    /// reports and logs that start in <see cref="BackupOptions.TimeZone"/> and the cluster and account it was taken from
    /// (<see cref="BackupManifest.Source"/>; another cluster's backup is restored too: a drill does that), then progress per table and every
    /// <see cref="ProgressRows"/> rows or minute, with rows/s. With <paramref name="resume"/> it goes on from the
    /// <see cref="RestoreJournal"/> of an earlier run of this backup into this account that broke off: the tables it
    /// finished are not written again, the one it was writing is written from the line after the last it confirmed
    /// (rows are upserted: one written twice is the same row), and the tables' rows are not checked for emptiness; instead
    /// each table must hold, read back by its keys, the last row the journal says it wrote (the ledger aside).
    /// </summary>
    /// <returns>Rows restored per table, by this run and the ones it resumes (for the ledger, fewer than the manifest's
    /// when the cut left rows out).</returns>
    /// <exception cref="InvalidOperationException">No such complete backup (the message says which: failed, with its
    /// reason; not complete, with blobs but no manifest; or no backup of that name); a target table already holds rows (without
    /// <paramref name="resume"/>); no journal to resume, or one whose tables lack the last row it says it wrote (with it:
    /// an earlier restore into an account of the same name, since deleted and created again).</exception>
    /// <exception cref="InvalidDataException">A table blob does not match the manifest; nothing was written.</exception>
    /// <exception cref="global::Azure.RequestFailedException">Storage failed while writing (also an <see cref="AggregateException"/>
    /// once the SDK's retries give up): the journal says how far it came; run again with <paramref name="resume"/>.</exception>
    public async Task<IReadOnlyDictionary<string, long>> RunAsync(string backup, bool resume, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backup);
        var container = blobs.GetBlobContainerClient(options.Container);
        // A failed backup (its manifest, or its failure-reported marker alone) and one with blobs but no manifest are
        // refused as such: "No backup" of one the listing shows sent operators looking for a typo or another account.
        var manifest = await TableBackup.ReadManifestAsync(container, backup, cancellationToken);
        var held = manifest is null && await container.ExistsAsync(cancellationToken) && await TableBackup.HoldsAnythingAsync(container, backup, cancellationToken);
        manifest ??= (held ? await TableBackup.ReportedOnlyAsync(container, backup, cancellationToken) : null)
            ?? throw new InvalidOperationException(held
                ? $"Backup '{backup}' is not complete (no {TableBackup.ManifestBlobName(backup)}: it is still being copied, or its copy broke off); nothing to restore. Restore a complete one (Engagement.Silo backups)."
                : $"No backup '{backup}' (no {TableBackup.ManifestBlobName(backup)} in container {options.Container} of account {blobs.AccountName}; backups kept in another account are read with ConnectionStrings:BackupStorage).");
        if (manifest.Status != BackupManifest.Complete)
        {
            throw new InvalidOperationException($"Backup '{backup}' failed: {manifest.Error ?? "no reason recorded"}; nothing to restore. Restore a complete one (Engagement.Silo backups).");
        }

        // The name is the UTC start; say the start in the programme's zone too, before anything is written, so an
        // operator who meant "the 02:00 backup" sees which one this is.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        // To the second, as the listing shows it: on-demand backups started within one minute differ only there.
        var localStart = BackupListing.LocalTime(manifest.StartedAt, zone, seconds: true);
        var source = BackupSource.Describe(manifest.Source); // a drill restores another cluster's: say whose
        LogRestoring(_logger, backup, manifest.StartedAt, localStart, zone.Id, source);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"backup {backup} started {manifest.StartedAt:u} (UTC), {localStart} in {zone.Id}"));
        progress?.Report($"backup {backup} taken from {source}");

        var journalBlob = container.GetBlobClient(RestoreJournal.BlobName(backup, tables.AccountName));
        RestoreJournal journal;
        if (resume)
        {
            journal = await RestoreJournal.ReadAsync(journalBlob, cancellationToken) is { } earlier && earlier.Backup == backup
                ? earlier
                : throw new InvalidOperationException($"No restore of backup '{backup}' into account {tables.AccountName} to resume (no {journalBlob.Name} in container {options.Container}); restore without --resume into empty tables.");
        }
        else
        {
            foreach (var entry in manifest.Tables)
            {
                if (await HasRowsAsync(entry.Table, cancellationToken))
                {
                    throw new InvalidOperationException($"Table {entry.Table} already holds rows; a restore goes into an empty account (delete the table first), or resumes one broken off (--resume).");
                }
            }

            journal = new RestoreJournal { Backup = backup };
        }

        // A resume reads back the last row the journal says each table got: the line it last wrote, of the table it was
        // writing, and the last line of each finished one (the ledger aside: the cut may have left those lines out).
        var lastWritten = new List<(string Table, long Line, TableEntity Row)>();
        foreach (var entry in manifest.Tables)
        {
            var probe = !resume || IsLedger(entry.Table) ? 0
                : journal.FinishedTables.Contains(entry.Table, StringComparer.Ordinal) ? entry.Rows
                : journal.Table == entry.Table ? journal.LinesDone
                : 0;
            var (rows, sha, row) = await VerifyAsync(container, backup, entry.Table, probe, cancellationToken);
            if (rows != entry.Rows || sha != entry.Sha256)
            {
                throw new InvalidDataException($"Table {entry.Table} of backup '{backup}': {rows} rows, SHA-256 {sha}; the manifest says {entry.Rows} rows, {entry.Sha256}. Nothing was restored.");
            }

            if (probe > rows)
            {
                throw new InvalidDataException($"The restore journal says table {entry.Table} got {probe:N0} lines, but backup '{backup}' holds {rows:N0}: the journal is not of this backup. Restore without --resume into empty tables.");
            }

            if (row is not null)
            {
                lastWritten.Add((entry.Table, probe, row));
            }

            progress?.Report($"verified {entry.Table}: {rows:N0} rows");
        }

        if (resume)
        {
            await CheckWrittenAsync(manifest.Name, lastWritten, cancellationToken);
            progress?.Report($"resuming: {journal.FinishedTables.Count} tables finished" + (journal.Table is { } at ? string.Create(CultureInfo.InvariantCulture, $", {at} from line {journal.LinesDone + 1:N0}") : ""));
            LogResuming(_logger, backup, journal.FinishedTables.Count, journal.Table, journal.LinesDone);
        }

        // The cut needs the member states before the ledger: a backup copies (and lists) grain state first.
        // Azure table names ignore case, and so does the backup's choice of tables: so does the match here.
        var order = manifest.Tables.Select(e => e.Table).ToList();
        var stateIndex = order.FindIndex(t => options.First().Contains(t, StringComparer.OrdinalIgnoreCase));
        var ledgerIndex = order.FindIndex(IsLedger);
        var cut = stateIndex >= 0 && stateIndex < ledgerIndex ? new MemberLedgerCut() : null;
        var stateTable = stateIndex >= 0 ? order[stateIndex] : null;
        var written = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in manifest.Tables)
        {
            Func<TableEntity, bool> keep = entry.Table == stateTable && cut is not null ? row => { cut.Observe(row); return true; }
                : IsLedger(entry.Table) && cut is not null ? cut.Keep
                : _ => true;
            // A finished table is read again (not written) for what the cut needs of it, and to count it.
            var skip = journal.FinishedTables.Contains(entry.Table, StringComparer.Ordinal) ? long.MaxValue
                : journal.Table == entry.Table ? journal.LinesDone
                : 0;
            written[entry.Table] = await RestoreTableAsync(container, backup, entry, keep, skip, journal, journalBlob, progress, cancellationToken);
            progress?.Report($"restored {entry.Table}: {written[entry.Table]:N0} of {entry.Rows:N0} rows");
            if (IsLedger(entry.Table) && cut is not null)
            {
                progress?.Report($"cut {entry.Table} at the state of {cut.Members:N0} members: left out {cut.Dropped:N0} rows of events applied after a member's state was copied");
                if (cut.Unreadable > 0 && cut.Members > 0)
                {
                    // Their members' ledgers had no state to be cut at, and were left out whole: say so, with counts.
                    progress?.Report($"WARNING: {cut.Unreadable:N0} rows of {stateTable} could not be read as a member's state; the ledgers of {cut.MembersWithoutState:N0} members with no readable state ({cut.DroppedWithoutState:N0} rows) were left out of {entry.Table}");
                    LogUnreadable(_logger, cut.Unreadable, stateTable!, cut.MembersWithoutState, cut.DroppedWithoutState, entry.Table);
                }
                else if (cut.MembersWithoutState > 0)
                {
                    progress?.Report($"  of them, {cut.DroppedWithoutState:N0} rows of {cut.MembersWithoutState:N0} members first seen after the states were copied");
                }

                if (cut.Members == 0 && written[stateTable!] > 0)
                {
                    // State rows that name no member (not the engine's member JSON): nothing to cut by, so every row was kept.
                    progress?.Report($"WARNING: {stateTable} held {written[stateTable!]:N0} rows but none named a member: {entry.Table} was restored uncut and may hold entries of events the restored members never applied");
                    LogUncut(_logger, entry.Table, stateTable!, written[stateTable!]);
                }
            }
        }

        // Done: nothing left to resume.
        await journalBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        return written;
    }

    private bool IsLedger(string table) => string.Equals(table, _ledgerTable, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A journal names its account by name only, and a lost account may be created again under its name: a journal left
    /// by a restore into the old one would skip, in the new one, rows that are not there (whole tables it calls finished,
    /// the first lines of the one it was writing). Each table must hold, by its keys, the row the journal says it wrote
    /// last (<paramref name="lastWritten"/>): a read-back of that row, not "holds rows", which a few rows written by silos
    /// on the new account would pass.
    /// </summary>
    private async Task CheckWrittenAsync(string backup, List<(string Table, long Line, TableEntity Row)> lastWritten, CancellationToken cancellationToken)
    {
        foreach (var (table, line, row) in lastWritten)
        {
            if (!await HoldsAsync(table, row, cancellationToken))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The journal of the restore of backup '{backup}' into account {tables.AccountName} says {table} was restored up to line {line:N0}, but {table} does not hold that line's row: the journal is of an earlier restore into an account of that name, since lost and created again. Restore without --resume into empty tables (delete any of them that hold rows first)."));
            }
        }
    }

    private async Task<bool> HoldsAsync(string table, TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            var found = await tables.GetTableClient(table).GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, select: ["PartitionKey"], cancellationToken: cancellationToken);
            return found.HasValue;
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return false; // no such table
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore of backup {Backup}: it started {StartedAt:u} (UTC), {LocalStart} in {TimeZone}; taken from {Source}")]
    private static partial void LogRestoring(ILogger logger, string backup, DateTimeOffset startedAt, string localStart, string timeZone, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore of backup {Backup}: resuming after {Tables} finished tables, {Table} after line {LinesDone}")]
    private static partial void LogResuming(ILogger logger, string backup, int tables, string? table, long linesDone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore: {Table}: {Rows} of {Total} rows, {Written} written by this run, {RowsPerSecond:F0} rows/s")]
    private static partial void LogProgress(ILogger logger, string table, long rows, long total, long written, double rowsPerSecond);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restore broke off in {Table} after line {LinesDone} (journal {Journal}); run it again with --resume")]
    private static partial void LogBrokenOff(ILogger logger, Exception exception, string table, long linesDone, string journal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore broke off in {Table}, and its journal could not be saved; a resume goes on from the journal's last save")]
    private static partial void LogJournalFailed(ILogger logger, Exception exception, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore: {Unreadable} rows of {StateTable} could not be read as a member's state; the ledgers of {Members} members with no readable state ({Rows} rows) were left out of {Ledger}")]
    private static partial void LogUnreadable(ILogger logger, int unreadable, string stateTable, int members, long rows, string ledger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restore: {Ledger} restored uncut: {StateTable} held {StateRows} rows but none named a member, so the ledger may hold entries of events the restored members never applied")]
    private static partial void LogUncut(ILogger logger, string ledger, string stateTable, long stateRows);

    private async Task<bool> HasRowsAsync(string table, CancellationToken cancellationToken)
    {
        await foreach (var t in tables.QueryAsync(x => x.Name == table, cancellationToken: cancellationToken))
        {
            await foreach (var _ in tables.GetTableClient(t.Name).QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts and hashes a table blob's lines, and reads the row at line <paramref name="probe"/> (from 1; 0: none).</summary>
    private static async Task<(long Rows, string Sha256, TableEntity? Row)> VerifyAsync(BlobContainerClient container, string backup, string table, long probe, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long rows = 0;
        TableEntity? row = null;
        await foreach (var line in LinesAsync(container, backup, table, cancellationToken))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
            rows++;
            if (rows == probe)
            {
                row = EntityJson.ReadLine(line);
            }
        }

        return (rows, Convert.ToHexStringLower(hash.GetHashAndReset()), row);
    }

    /// <summary>
    /// Writes the rows of one table that <paramref name="keep"/> keeps, from the line after <paramref name="skip"/>
    /// (long.MaxValue: none), and returns how many rows it keeps in all. Every line goes through <paramref name="keep"/>,
    /// skipped or not, so the ledger cut sees what a run from the start would.
    /// </summary>
    private async Task<long> RestoreTableAsync(
        BlobContainerClient container, string backup, BackupTableEntry entry, Func<TableEntity, bool> keep, long skip,
        RestoreJournal journal, BlobClient journalBlob, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var client = tables.GetTableClient(entry.Table);
        var writes = skip != long.MaxValue;
        if (writes)
        {
            await client.CreateIfNotExistsAsync(cancellationToken);
            (journal.Table, journal.LinesDone) = (entry.Table, skip);
        }

        var writer = new RestoreTableWriter(client, Parallelism, journal, cancellationToken);
        var started = _time.GetTimestamp();
        var (reportedRows, reportedAt) = (0L, started);
        long line = 0, kept = 0;
        try
        {
            await foreach (var text in LinesAsync(container, backup, entry.Table, cancellationToken))
            {
                line++;
                var entity = EntityJson.ReadLine(text);
                if (line == skip && journal.LastPartitionKey is { } last && last != entity.PartitionKey)
                {
                    throw new InvalidDataException($"Table {entry.Table}: the journal's line {skip:N0} has partition key {last}, the backup's {entity.PartitionKey}; the journal is not of this backup. Restore without --resume into empty tables.");
                }

                if (!keep(entity))
                {
                    continue;
                }

                kept++;
                if (line <= skip)
                {
                    continue;
                }

                await writer.AddAsync(entity, line);
                if (writer.Written - reportedRows >= ProgressRows || _time.GetElapsedTime(reportedAt) >= TimeSpan.FromMinutes(1))
                {
                    (reportedRows, reportedAt) = (writer.Written, _time.GetTimestamp());
                    Report(entry, writer.Written, kept, started, progress);
                    await journal.SaveAsync(journalBlob, _time.GetUtcNow(), cancellationToken);
                }
            }

            await writer.CompleteAsync();
        }
        catch (Exception ex) when (writes && ex is not OutOfMemoryException)
        {
            // Keep how far it came (only past transactions that succeeded, in order) for a resume.
            await writer.AbortAsync();
            try
            {
                await journal.SaveAsync(journalBlob, _time.GetUtcNow(), CancellationToken.None);
                LogBrokenOff(_logger, ex, entry.Table, journal.LinesDone, journalBlob.Name);
            }
            catch (Exception journalFailure) when (StorageFailures.IsFailure(journalFailure, CancellationToken.None))
            {
                // The storage that failed the restore may fail this too (an SDK timeout included: escaping, it replaced the
                // fault that broke the restore off): a resume starts this table from the journal's last save.
                LogJournalFailed(_logger, journalFailure, entry.Table);
            }

            throw;
        }

        if (writes)
        {
            Report(entry, writer.Written, kept, started, progress);
            journal.FinishedTables.Add(entry.Table);
            (journal.Table, journal.LinesDone, journal.LastPartitionKey) = (null, 0, null);
            await journal.SaveAsync(journalBlob, _time.GetUtcNow(), cancellationToken);
        }

        return kept;
    }

    private void Report(BackupTableEntry entry, long written, long kept, long started, IProgress<string>? progress)
    {
        var seconds = Math.Max(_time.GetElapsedTime(started).TotalSeconds, 0.001);
        var rate = written / seconds;
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {entry.Table}: {kept:N0} of {entry.Rows:N0} rows, {written:N0} written by this run, {rate:N0} rows/s"));
        LogProgress(_logger, entry.Table, kept, entry.Rows, written, rate);
    }

    private static async IAsyncEnumerable<string> LinesAsync(BlobContainerClient container, string backup, string table, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var download = await container.GetBlobClient(TableBackup.TableBlobName(backup, table)).DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var gzip = new GZipStream(download.Value.Content, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return line;
            }
        }
    }
}
