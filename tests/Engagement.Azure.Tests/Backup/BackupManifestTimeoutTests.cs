using Azure.Core;
using Azure.Data.Tables;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A backup that fails while storage times out in the SDK (a TaskCanceledException no token of the caller's cancelled,
/// <see cref="BlobFaults"/>), and whose failed manifest times out too: still reported to every failure listener (the
/// error line, <c>data.anomaly</c>), never a failure that goes unheard. Azurite, a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class BackupManifestTimeoutTests
{
    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_failed_backup_whose_failed_manifest_times_out_is_still_reported()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ManTo");
        var tables = new TableServiceClient(Azurite.ConnectionString);
        await tables.CreateTableIfNotExistsAsync(options.TablePrefix + "State");
        await tables.GetTableClient(options.TablePrefix + "State").AddEntityAsync(new TableEntity("p", "r"));

        // Every write of the backup's table blob and of its manifest times out.
        var faults = new BlobFaults
        {
            TimesOut = r => r.Method == RequestMethod.Put
                && (r.Uri.Path.Contains("/20261130-020000/tables/", StringComparison.Ordinal) || r.Uri.Path.EndsWith("/" + TableBackup.ManifestBlobName("20261130-020000"), StringComparison.Ordinal)),
        };
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new RecordingListener();
        var backup = new TableBackup(tables, faults.Blobs(), options, new FakeTimeProvider(Ten), loggers.CreateLogger<TableBackup>(), [failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>())]);
        try
        {
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => backup.RunAsync("20261130-020000"));

            // The copy and the failed manifest both timed out: the failure is still heard, with the copy's own exception.
            Assert.True(faults.TimedOut >= 2, $"{faults.TimedOut} requests timed out");
            var failure = Assert.Single(failures.Failed);
            Assert.Equal("20261130-020000", failure.Backup);
            Assert.Same(thrown, failure.Exception);
            Assert.Single(logs.Lines(LogLevel.Error, "Backup 20261130-020000", "FAILED"));
            Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 failed, and writing its failed manifest failed too"));
            Assert.Null(await TableBackup.ReadManifestAsync(backups, "20261130-020000", CancellationToken.None));
        }
        finally
        {
            await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
            await backups.DeleteIfExistsAsync();
        }
    }

    private sealed class RecordingListener : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
