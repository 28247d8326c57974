using Azure.Core;
using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A restore that breaks off on a storage fault while saving its journal times out in the SDK (a TaskCanceledException
/// no token of the caller's cancelled, <see cref="BlobFaults"/>): the operator still gets the fault that broke it off
/// and the warning that the journal could not be saved, not the journal's timeout in its place. Azurite.
/// </summary>
public sealed class RestoreJournalTimeoutTests
{
    private static readonly DateTimeOffset BackupAt = new(2026, 11, 30, 2, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_restore_broken_off_whose_journal_save_times_out_still_says_why_it_broke_off()
    {
        await using var table = await BackedUpTable.CreateAsync("RjTo", "State", null, [.. Enumerable.Range(0, 3).Select(i => new TableEntity($"p{i}", "r"))]);
        var (prefix, options, tables, blobs) = (table.Prefix, table.Options, table.Tables, table.Blobs);

        var manifest = await new TableBackup(tables, blobs, options, new FakeTimeProvider(BackupAt), NullLogger<TableBackup>.Instance).RunAsync();
        await tables.DeleteTableAsync(prefix + "State");

        // Every transaction goes to a closed port, and every save of the restore's journal times out.
        var batches = new BackupRestoreTests.BatchesFailAfter(0);
        var journal = new BlobFaults { TimesOut = r => r.Method == RequestMethod.Put && r.Uri.Path.Contains($"/{manifest.Name}/restore/", StringComparison.Ordinal) };
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var restore = new TableRestore(batches.Tables(), journal.Blobs(), options, logger: loggers.CreateLogger<TableRestore>(), time: new FakeTimeProvider(BackupAt.AddDays(1)));

        var failure = await Record.ExceptionAsync(() => restore.RunAsync(manifest.Name));

        Assert.True(journal.TimedOut > 0, "the journal was never saved");
        Assert.True(failure is global::Azure.RequestFailedException or AggregateException, $"the restore did not end with the fault that broke it off: {failure}");
        Assert.Single(logs.Lines(LogLevel.Warning, $"Restore broke off in {prefix}State", "its journal could not be saved"));
    }
}
