using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Request = Azure.Core.Request;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The failure-reported marker's writes (<see cref="TableBackup.ReportOnceAsync"/>) whose answer is lost: storage did
/// the write, the SDK saw a timeout (<see cref="BlobFaults.LosesAnswer"/>, past its retry). A <c>reporting</c> create that
/// landed is this silo's: it reports and marks it <c>reported</c>, so another silo a quarter of StalledAfter later does
/// not take it over and report the failure a second time. A <c>reported</c> update that landed is not warned of as
/// failed. Azurite, one <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class BackupReportMarkerAnswerLostTests
{
    private const string Backup = "20261130-020000";

    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_reporting_marker_created_with_its_answer_lost_is_this_silos_and_the_failure_is_reported_once()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("MarkLost");
        var clock = new FakeTimeProvider(Ten);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            var storage = new BlobFaults { LosesAnswer = BlobFaults.Once(r => MarkerWrite(r, "If-None-Match")) };
            var first = new Listener();
            Assert.True(await Silo(options, clock, loggers, storage.Blobs(), first).ReportOnceAsync(Failure()));
            Assert.Equal(1, storage.TimedOut);
            Assert.Single(first.Failed);
            Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "could not record that its failure is reported"));
            Assert.StartsWith("reported ", await MarkerAsync(backups), StringComparison.Ordinal);

            // Another silo a quarter of StalledAfter later finds it reported: not taken over, not reported again.
            clock.Advance(options.StalledAfter / 4);
            var second = new Listener();
            Assert.False(await Silo(options, clock, loggers, new BlobServiceClient(Azurite.ConnectionString), second).ReportOnceAsync(Failure()));
            Assert.Empty(second.Failed);
            Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "this silo takes it over"));
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task A_reported_update_that_landed_with_its_answer_lost_is_not_warned_of_as_failed()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("MarkLost2");
        var clock = new FakeTimeProvider(Ten);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        try
        {
            var storage = new BlobFaults { LosesAnswer = BlobFaults.Once(r => MarkerWrite(r, "If-Match")) };
            var listener = new Listener();
            Assert.True(await Silo(options, clock, loggers, storage.Blobs(), listener).ReportOnceAsync(Failure()));
            Assert.Equal(1, storage.TimedOut);
            Assert.Single(listener.Failed);
            Assert.StartsWith("reported ", await MarkerAsync(backups), StringComparison.Ordinal);
            Assert.Empty(logs.Lines(LogLevel.Warning, $"Backup {Backup}", "could not mark the report finished"));
        }
        finally
        {
            await backups.DeleteIfExistsAsync();
        }
    }

    /// <summary>A write of the marker carrying <paramref name="condition"/> (the create: If-None-Match; the update to reported: If-Match).</summary>
    private static bool MarkerWrite(Request request, string condition) =>
        request.Method == RequestMethod.Put
        && request.Uri.Path.EndsWith($"/{Backup}/failure-reported", StringComparison.Ordinal)
        && request.Headers.TryGetValue(condition, out _);

    private static BackupFailure Failure() => new(Backup, "unused", Ten, Ten, [], new TimeoutException("whether it is claimed could not be told"));

    private static async Task<string> MarkerAsync(BlobContainerClient backups) =>
        (await backups.GetBlobClient(TableBackup.FailureReportedBlobName(Backup)).DownloadContentAsync()).Value.Content.ToString();

    private static TableBackup Silo(BackupOptions options, FakeTimeProvider clock, ILoggerFactory loggers, BlobServiceClient blobs, Listener listener) =>
        new(new TableServiceClient(Azurite.ConnectionString), blobs, options, clock, loggers.CreateLogger<TableBackup>(), [listener]);

    private sealed class Listener : IBackupFailureListener
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
