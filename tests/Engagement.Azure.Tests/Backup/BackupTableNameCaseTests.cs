using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Ledger;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// Azure table names ignore case, and so does the backup's choice of tables: the grain-state and ledger tables
/// configured in another case than the account lists them are still copied first and cut by, and a ledger the
/// restore cannot cut (state rows that name no member) is said, not silently restored whole. Azurite.
/// </summary>
public sealed class BackupTableNameCaseTests
{
    private static readonly DateTimeOffset BackupAt = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task TheStateTableNamedInAnotherCaseIsCopiedFirst()
    {
        var (state, ledger, audit, tables, blobs, options) = Arrange("Case", firstTableInLowerCase: true);
        try
        {
            await SeedAsync(tables, state, ledger, audit, """{"member":{"memberId":"M1","nextSequence":2}}""");

            var backup = new TableBackup(tables, blobs, options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance);
            Assert.Equal([state, audit, ledger], await backup.TablesAsync());
        }
        finally
        {
            await CleanUpAsync(blobs, options, state, ledger, audit);
        }
    }

    [Fact]
    public async Task TheLedgerIsCutByTheStateTableWhenTheRestoreNamesBothInAnotherCase()
    {
        var (state, ledger, audit, tables, blobs, options) = Arrange("CaseR");
        try
        {
            await SeedAsync(tables, state, ledger, audit, """{"member":{"memberId":"M1","nextSequence":2}}""");
            var manifest = await new TableBackup(tables, blobs, options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance).RunAsync();
            foreach (var table in new[] { state, ledger, audit })
            {
                await tables.DeleteTableAsync(table);
            }

            var otherCase = new BackupOptions { TablePrefix = options.TablePrefix, Container = options.Container, FirstTables = [state.ToLowerInvariant()] };
            var restored = await new TableRestore(tables, blobs, otherCase, ledger.ToUpperInvariant()).RunAsync(manifest.Name);

            // Sequence 2 is of an event the member's copied state had not applied: left out.
            Assert.Equal(1, restored[ledger]);
        }
        finally
        {
            await CleanUpAsync(blobs, options, state, ledger, audit);
        }
    }

    [Fact]
    public async Task ALedgerRestoredUncutBecauseNoStateRowNamedAMemberIsWarnedOf()
    {
        var (state, ledger, audit, tables, blobs, options) = Arrange("Uncut");
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            await SeedAsync(tables, state, ledger, audit, """{"somethingElse":1}""");
            var (restored, progress) = await BackUpDropAndRestoreAsync(tables, blobs, options, loggers, state, ledger, audit);

            Assert.Equal(2, restored[ledger]);
            Assert.Contains(progress, p => p.StartsWith("WARNING: ", StringComparison.Ordinal) && p.Contains($"{ledger} was restored uncut", StringComparison.Ordinal));
            Assert.Single(logs.Lines(LogLevel.Warning, $"{ledger} restored uncut", $"{state} held 1 rows"));
        }
        finally
        {
            await CleanUpAsync(blobs, options, state, ledger, audit);
        }
    }

    [Fact]
    public async Task AStateRowThatCannotBeReadIsCountedAndItsMembersLedgerLeftOutWithAWarning()
    {
        var (state, ledger, audit, tables, blobs, options) = Arrange("Unread");
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            // M1's state is damaged (cut off mid-JSON); M2's is whole and has applied both of its ledger rows.
            await SeedAsync(tables, state, ledger, audit, """{"member":{"memberId":"M1","nextSeq""");
            await tables.GetTableClient(state).AddEntityAsync(new TableEntity("member", "M2") { ["StringData"] = """{"member":{"memberId":"M2","nextSequence":3}}""" });
            foreach (var sequence in new long[] { 1, 2 })
            {
                await tables.GetTableClient(ledger).AddEntityAsync(new TableEntity(AzureTableLedgerArchive.PartitionKey("M2"), sequence.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)) { ["Sequence"] = sequence });
            }

            var (restored, progress) = await BackUpDropAndRestoreAsync(tables, blobs, options, loggers, state, ledger, audit);

            Assert.Equal(2, restored[ledger]);
            Assert.Contains($"WARNING: 1 rows of {state} could not be read as a member's state; the ledgers of 1 members with no readable state (2 rows) were left out of {ledger}", progress);
            Assert.Single(logs.Lines(LogLevel.Warning, $"1 rows of {state} could not be read", "(2 rows) were left out"));
        }
        finally
        {
            await CleanUpAsync(blobs, options, state, ledger, audit);
        }
    }

    /// <summary>
    /// Three tables named by a fresh prefix starting with <paramref name="kind"/> (state, ledger and a table sorting
    /// between them), clients of the test Azurite, and backup options with a container of their own that take the state
    /// table first (named in lower case when <paramref name="firstTableInLowerCase"/>).
    /// </summary>
    private static (string State, string Ledger, string Audit, TableServiceClient Tables, BlobServiceClient Blobs, BackupOptions Options) Arrange(
        string kind, bool firstTableInLowerCase = false)
    {
        var prefix = kind + Guid.NewGuid().ToString("N")[..10];
        string state = prefix + "State", ledger = prefix + "Ledger", audit = prefix + "Audit";
        var options = new BackupOptions { TablePrefix = prefix, Container = Azurite.UniqueName("backups-"), FirstTables = [firstTableInLowerCase ? state.ToLowerInvariant() : state] };
        return (state, ledger, audit, new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options);
    }

    /// <summary>
    /// Backs up the three tables at <see cref="BackupAt"/>, deletes them and restores that backup into them (ledger
    /// <paramref name="ledger"/>), returning the rows restored per table and the restore's progress lines.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<string, long> Restored, List<string> Progress)> BackUpDropAndRestoreAsync(
        TableServiceClient tables, BlobServiceClient blobs, BackupOptions options, ILoggerFactory loggers, string state, string ledger, string audit)
    {
        var manifest = await new TableBackup(tables, blobs, options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance).RunAsync();
        foreach (var table in new[] { state, ledger, audit })
        {
            await tables.DeleteTableAsync(table);
        }

        var progress = new List<string>();
        var restored = await new TableRestore(tables, blobs, options, ledger, loggers.CreateLogger<TableRestore>()).RunAsync(manifest.Name, new ListProgress(progress));
        return (restored, progress);
    }

    /// <summary>One state row (<paramref name="stateJson"/>), member M1's ledger rows 1 and 2, and a table sorting between them.</summary>
    private static async Task SeedAsync(TableServiceClient tables, string state, string ledger, string audit, string stateJson)
    {
        foreach (var table in new[] { state, ledger, audit })
        {
            await tables.CreateTableIfNotExistsAsync(table);
        }

        await tables.GetTableClient(state).AddEntityAsync(new TableEntity("member", "M1") { ["StringData"] = stateJson });
        await tables.GetTableClient(audit).AddEntityAsync(new TableEntity("a", "b"));
        foreach (var sequence in new long[] { 1, 2 })
        {
            await tables.GetTableClient(ledger).AddEntityAsync(new TableEntity(AzureTableLedgerArchive.PartitionKey("M1"), sequence.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)) { ["Sequence"] = sequence });
        }
    }

    private static async Task CleanUpAsync(BlobServiceClient blobs, BackupOptions options, params string[] tables)
    {
        foreach (var table in tables)
        {
            await StorageClients.DeleteTableQuietlyAsync(table);
        }

        await blobs.GetBlobContainerClient(options.Container).DeleteIfExistsAsync();
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
