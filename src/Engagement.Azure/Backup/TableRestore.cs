using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engagement.Azure.Backup;

/// <summary>
/// Restores a backup written by <see cref="TableBackup"/> into an account whose engine tables are empty (or absent):
/// first every table blob is read and checked against the manifest (row count and SHA-256), so a damaged backup
/// writes nothing; then the rows are written back, in transactions of up to 100 rows of one partition. The ledger
/// is cut at each member's restored state (<see cref="MemberLedgerCut"/>): rows of events the member's copied state
/// had not applied yet are left out, so every member's ledger agrees with its state.
/// </summary>
/// <param name="tables">The account restored into.</param>
/// <param name="blobs">The account holding the backups.</param>
/// <param name="options">The backup container; <see cref="BackupOptions.First"/> names the grain-state table;
/// <see cref="BackupOptions.TimeZone"/> the zone the backup's start is shown in (UTC when unknown).</param>
/// <param name="ledgerTable">The ledger table (<c>Engagement:Storage:LedgerTableName</c>); default <c>EngagementLedger</c>.
/// Table names are matched ignoring case, as Azure does.</param>
/// <param name="logger">The backup's start (UTC and local) before anything is written, warnings (a ledger restored
/// uncut); none when null.</param>
public sealed partial class TableRestore(TableServiceClient tables, BlobServiceClient blobs, BackupOptions options, string? ledgerTable = null, ILogger<TableRestore>? logger = null)
{
    private readonly string _ledgerTable = ledgerTable ?? Ledger.AzureTableLedgerArchive.DefaultTableName;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>
    /// Restores <paramref name="backup"/> (a name is the backup's UTC start, <see cref="TableBackup.NameFor"/>); first
    /// reports and logs that start in <see cref="BackupOptions.TimeZone"/>, then progress per table and every 10,000 rows.
    /// </summary>
    /// <returns>Rows written per table (for the ledger, fewer than the manifest's when the cut left rows out).</returns>
    /// <exception cref="InvalidOperationException">No such complete backup, or a target table already holds rows.</exception>
    /// <exception cref="InvalidDataException">A table blob does not match the manifest; nothing was written.</exception>
    public async Task<IReadOnlyDictionary<string, long>> RunAsync(string backup, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(backup);
        var container = blobs.GetBlobContainerClient(options.Container);
        var manifest = await TableBackup.ReadManifestAsync(container, backup, cancellationToken)
            ?? throw new InvalidOperationException($"No backup '{backup}' (no {TableBackup.ManifestBlobName(backup)} in container {options.Container}).");
        if (manifest.Status != BackupManifest.Complete)
        {
            throw new InvalidOperationException($"Backup '{backup}' is {manifest.Status} ({manifest.Error}); restore a complete one.");
        }

        // The name is the UTC start; say the start in the programme's zone too, before anything is written, so an
        // operator who meant "the 02:00 backup" sees which one this is.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var localStart = BackupListing.LocalTime(manifest.StartedAt, zone);
        LogRestoring(_logger, backup, manifest.StartedAt, localStart, zone.Id);
        progress?.Report(string.Create(CultureInfo.InvariantCulture, $"backup {backup} started {manifest.StartedAt:u} (UTC), {localStart} in {zone.Id}"));

        foreach (var entry in manifest.Tables)
        {
            if (await HasRowsAsync(entry.Table, cancellationToken))
            {
                throw new InvalidOperationException($"Table {entry.Table} already holds rows; a restore goes into an empty account (delete the table first).");
            }
        }

        foreach (var entry in manifest.Tables)
        {
            var (rows, sha) = await VerifyAsync(container, backup, entry.Table, cancellationToken);
            if (rows != entry.Rows || sha != entry.Sha256)
            {
                throw new InvalidDataException($"Table {entry.Table} of backup '{backup}': {rows} rows, SHA-256 {sha}; the manifest says {entry.Rows} rows, {entry.Sha256}. Nothing was restored.");
            }

            progress?.Report($"verified {entry.Table}: {rows:N0} rows");
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
            written[entry.Table] = await RestoreTableAsync(container, backup, entry, keep, progress, cancellationToken);
            progress?.Report($"restored {entry.Table}: {written[entry.Table]:N0} of {entry.Rows:N0} rows");
            if (IsLedger(entry.Table) && cut is not null)
            {
                progress?.Report($"cut {entry.Table} at the state of {cut.Members:N0} members: left out {cut.Dropped:N0} rows of events applied after a member's state was copied");
                if (cut.Members == 0 && written[stateTable!] > 0)
                {
                    // State rows that name no member (not the engine's member JSON): nothing to cut by, so every row was kept.
                    progress?.Report($"WARNING: {stateTable} held {written[stateTable!]:N0} rows but none named a member: {entry.Table} was restored uncut and may hold entries of events the restored members never applied");
                    LogUncut(_logger, entry.Table, stateTable!, written[stateTable!]);
                }
            }
        }

        return written;
    }

    private bool IsLedger(string table) => string.Equals(table, _ledgerTable, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restore of backup {Backup}: it started {StartedAt:u} (UTC), {LocalStart} in {TimeZone}")]
    private static partial void LogRestoring(ILogger logger, string backup, DateTimeOffset startedAt, string localStart, string timeZone);

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

    private static async Task<(long Rows, string Sha256)> VerifyAsync(BlobContainerClient container, string backup, string table, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long rows = 0;
        await foreach (var line in LinesAsync(container, backup, table, cancellationToken))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
            rows++;
        }

        return (rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private async Task<long> RestoreTableAsync(BlobContainerClient container, string backup, BackupTableEntry entry, Func<TableEntity, bool> keep, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var client = tables.GetTableClient(entry.Table);
        await client.CreateIfNotExistsAsync(cancellationToken);
        var batch = new List<TableTransactionAction>(TransactionPayload.MaxActions);
        long written = 0, batchBytes = 0;
        await foreach (var line in LinesAsync(container, backup, entry.Table, cancellationToken))
        {
            var entity = EntityJson.ReadLine(line);
            if (!keep(entity))
            {
                continue;
            }

            // One partition per transaction, 100 rows and 4 MiB at most (an aggregator's rows of marks are large).
            if (batch.Count > 0 && (!TransactionPayload.Fits(batch.Count, batchBytes, entity) || batch[0].Entity.PartitionKey != entity.PartitionKey))
            {
                written += await FlushAsync(client, batch, cancellationToken);
                if (written % 10_000 < batch.Count)
                {
                    progress?.Report(string.Create(CultureInfo.InvariantCulture, $"  {entry.Table}: {written:N0} of {entry.Rows:N0} rows"));
                }

                batch.Clear();
                batchBytes = 0;
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
            batchBytes += TransactionPayload.EstimateBytes(entity);
        }

        return written + await FlushAsync(client, batch, cancellationToken);
    }

    private static async Task<int> FlushAsync(TableClient client, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            await client.SubmitTransactionAsync(batch, cancellationToken);
        }

        return batch.Count;
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
