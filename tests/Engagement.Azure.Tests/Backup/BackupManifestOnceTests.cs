using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Engagement.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A backup's outcome is recorded once: the first manifest written stands. A copy that was judged stalled (its heartbeats
/// failed) and reported failed by a watching silo, and that completes later, must not turn that report Complete in
/// silence; a copy that fails after its backup was recorded complete must not turn it Failed. Azurite, one
/// <see cref="WaitedClock"/> stepped only while the silos wait on it at rest and have no blob request under way, the
/// copy held inside its first table by a gate the test opens (no sleeps).
/// </summary>
public sealed class BackupManifestOnceTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_late_copy_that_finds_its_backup_reported_failed_leaves_that_report_and_does_not_write_complete_over_it()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Once");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var gate = new TableGate(options.TablePrefix + "State");
        var faults = new BlobFaults { Down = BlobFaults.IsHeartbeat };
        var clock = new WaitedClock(NineFiftyNine);
        var watcher = new BlobFaults();
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var copying = Silo(options, clock, loggers, failures, gate.Tables(), faults.Blobs());
        var watching = Silo(options, clock, loggers, failures, new TableServiceClient(Azurite.ConnectionString), watcher.CountedBlobs());
        try
        {
            // The first silo takes 10:00 and is held inside its first table; every touch of its claim fails.
            await copying.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 1, TimeSpan.FromSeconds(20), "the copying silo waits for 10:00");
            // At rest: the schedule's wait for 10:00, then the heartbeat's between touches.
            await BackupScheduleFaultTests.ReachAsync(clock, Ten, () => gate.Entered.IsCompleted, "the copying silo inside its first table", 1, faults);

            // The second silo watches the quiet claim and, StalledAfter later, records the backup failed and reports it.
            await watching.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(logs) == 2, TimeSpan.FromSeconds(20), "the watching silo waits for 18:00");
            // At rest: the copy's heartbeat, the watching silo's wait for 18:00 and its watch's between looks.
            await BlobFaults.StepWhileIdleAsync(clock, TimeSpan.FromSeconds(30), () => !failures.Failed.IsEmpty, Ten.AddMinutes(20), "the quiet copy reported", "the quiet copy not reported by 10:20", 3, faults, watcher);
            Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);

            // Now the late copy goes on and completes: the report stands.
            gate.Open();
            await Eventually.TrueAsync(() => logs.Lines(LogLevel.Warning, $"Backup {Backup}", "that record stands").Count > 0 || logs.Lines(LogLevel.Information, $"Backup {Backup} complete").Count > 0, TimeSpan.FromSeconds(20), "the late copy done");

            Assert.Equal(BackupManifest.Failed, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "copied 1 tables", "recorded failed before this copy ended", "that record stands"));
            Assert.Empty(logs.Lines(LogLevel.Information, $"Backup {Backup} complete"));
            Assert.Single(failures.Failed);
            Assert.Empty(failures.Completed);
        }
        finally
        {
            gate.Open();
            await watching.StopAsync(CancellationToken.None);
            watching.Dispose();
            await BackupScheduleFaultTests.StopAndCleanUpAsync(copying, options, backups);
        }
    }

    [Fact]
    public async Task A_copy_that_fails_after_its_backup_was_recorded_complete_leaves_complete_and_reports_nothing()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("OnceRev");
        await BackupScheduleFaultTests.StateTableAsync(options);
        var gate = new TableGate(options.TablePrefix + "State");
        // Never stepped.
        var clock = new WaitedClock(Ten);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var failures = new Failures();
        var backup = new TableBackup(gate.Tables(), new BlobServiceClient(Azurite.ConnectionString), options, clock, loggers.CreateLogger<TableBackup>(), [failures]);
        try
        {
            // This copy is held inside its first table while another copy of the same backup completes.
            var run = backup.RunAsync(Backup);
            await Eventually.TrueAsync(() => gate.Entered.IsCompleted, TimeSpan.FromSeconds(20), "the copy inside its first table");
            var complete = new BackupManifest { Name = Backup, Status = BackupManifest.Complete, StartedAt = Ten, FinishedAt = Ten.AddMinutes(3), Tables = [] };
            await backups.GetBlobClient(TableBackup.ManifestBlobName(Backup)).UploadAsync(BinaryData.FromObjectAsJson(complete, TableBackup.ManifestJson));

            // Then this copy fails: the complete record stands, and nothing is reported.
            gate.Fail();
            await Assert.ThrowsAsync<RequestFailedException>(() => run);

            Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(backups, Backup, CancellationToken.None))?.Status);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup} failed on this silo", "recorded complete already", "not reported again"));
            Assert.Empty(failures.Failed);
        }
        finally
        {
            gate.Open();
            await StorageClients.DeleteTableQuietlyAsync(options.TablePrefix + "State");
            await backups.DeleteIfExistsAsync();
        }
    }

    private static BackupScheduler Silo(BackupOptions options, WaitedClock clock, ILoggerFactory loggers, Failures failures, TableServiceClient tables, BlobServiceClient blobs) => new(
        new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>(), [failures, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>())]),
        blobs,
        Options.Create(options),
        clock,
        loggers.CreateLogger<BackupScheduler>());

    /// <summary>Holds every read of table <paramref name="table"/>'s rows until the test opens the gate (or fails them).</summary>
    private sealed class TableGate(string table) : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        /// <summary>Lets the held reads go on to Azurite.</summary>
        public void Open() => _open.TrySetResult(true);

        /// <summary>Fails the held reads as storage refusing them (a 503 the SDK does not retry here).</summary>
        public void Fail() => _open.TrySetResult(false);

        /// <summary>A table client whose row reads pass this gate.</summary>
        public TableServiceClient Tables()
        {
            var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
            options.AddPolicy(this, HttpPipelinePosition.PerCall);
            return new TableServiceClient(Azurite.ConnectionString, options);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ProcessNext(message, pipeline);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains(table + "(", StringComparison.Ordinal))
            {
                _entered.TrySetResult();
                if (!await _open.Task.WaitAsync(message.CancellationToken))
                {
                    throw new RequestFailedException(503, "the table read failed (the test's gate)");
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }

    private sealed class Failures : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string> Completed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken)
        {
            Completed.Enqueue(backup);
            return Task.CompletedTask;
        }
    }
}
