using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A failure with no manifest to carry it is reported once across the silos by a two-phase marker
/// (<see cref="TableBackup.ReportOnceAsync"/>): <c>reporting</c>, then <c>reported</c> once every listener heard it. A
/// <c>reporting</c> marker whose silo went quiet (stopped or crashed between marker and report, or a listener threw) is
/// taken over after a quarter of StalledAfter, so the failure is not left unreported cluster-wide. Azurite, one
/// <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class BackupReportMarkerTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_reporting_marker_left_by_a_silo_that_went_quiet_is_taken_over_and_the_failure_reported()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Mark");
        var clock = new FakeTimeProvider(Ten);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            // The first silo's listener throws: the marker stays 'reporting' (its report did not reach every listener).
            var throwing = new Listener(throws: true);
            var first = Silo(options, clock, loggers, throwing);
            Assert.True(await first.ReportOnceAsync(Failure()));
            Assert.Single(throwing.Failed);

            // A second silo a quarter of StalledAfter later takes it over and reports it; the marker then says reported.
            clock.Advance(options.StalledAfter / 4);
            var heard = new Listener(throws: false);
            Assert.True(await Silo(options, clock, loggers, heard).ReportOnceAsync(Failure()));
            Assert.Single(heard.Failed);
            Assert.StartsWith("reported ", (await Marker(backups)).Content.ToString(), StringComparison.Ordinal);
            Assert.Single(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "this silo takes it over"));

            // A third silo finds it reported and stays quiet.
            var third = new Listener(throws: false);
            Assert.False(await Silo(options, clock, loggers, third).ReportOnceAsync(Failure()));
            Assert.Empty(third.Failed);
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_silo_that_finds_a_fresh_reporting_marker_waits_and_stays_quiet_once_it_is_reported()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("MarkWait");
        var clock = new FakeTimeProvider(Ten);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            // Another silo is reporting it right now.
            await backups.GetBlobClient(TableBackup.FailureReportedBlobName(Backup)).UploadAsync(BinaryData.FromString($"reporting other-writer {clock.GetUtcNow():O} other: it failed"));
            var listener = new Listener(throws: false);
            var waiting = Silo(options, clock, loggers, listener).ReportOnceAsync(Failure());

            // That silo finishes its report; the waiting one sees it at its next look and does not report.
            await backups.GetBlobClient(TableBackup.FailureReportedBlobName(Backup)).UploadAsync(BinaryData.FromString($"reported other-writer {clock.GetUtcNow():O} other: it failed"), overwrite: true);
            await Eventually.TrueAsync(
                () =>
                {
                    if (waiting.IsCompleted)
                    {
                        return true;
                    }

                    clock.Advance(options.StalledAfter / 16);
                    return false;
                },
                TimeSpan.FromSeconds(20),
                "the waiting silo done");
            Assert.False(await waiting);
            Assert.Empty(listener.Failed);
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    private static BackupFailure Failure() => new(Backup, "unused", Ten, Ten, [], new TimeoutException("whether it is claimed could not be told"));

    private static async Task<global::Azure.Storage.Blobs.Models.BlobDownloadResult> Marker(BlobContainerClient backups) =>
        (await backups.GetBlobClient(TableBackup.FailureReportedBlobName(Backup)).DownloadContentAsync()).Value;

    private static TableBackup Silo(BackupOptions options, FakeTimeProvider clock, ILoggerFactory loggers, Listener listener) =>
        new(new TableServiceClient(Azurite.ConnectionString), new BlobServiceClient(Azurite.ConnectionString), options, clock, loggers.CreateLogger<TableBackup>(), [listener]);

    private sealed class Listener(bool throws) : IBackupFailureListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

        public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
        {
            Failed.Enqueue(failure);
            return throws ? throw new InvalidOperationException("the anomaly listener failed (the test's)") : Task.CompletedTask;
        }

        public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
