using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// The schedule's start when listing the backups container times out in the storage SDK (a TaskCanceledException no
/// token of the silo's cancelled): a failure the schedule logs and goes on from, not the silo stopping. Azurite.
/// </summary>
public sealed class BackupScanTimeoutTests
{
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_scan_for_unfinished_backups_that_times_out_neither_ends_the_schedule_nor_stops_the_silo()
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("Scan");
        var timeouts = new ListingTimesOut();
        var clientOptions = new BlobClientOptions();
        clientOptions.AddPolicy(timeouts, HttpPipelinePosition.PerCall);
        var blobs = new BlobServiceClient(Azurite.ConnectionString, clientOptions);

        var clock = new FakeTimeProvider(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var silo = BackupScheduleFaultTests.Silo(options, clock, loggers, blobs);
        await silo.StartAsync(CancellationToken.None);
        try
        {
            // The scan's listing timed out; the schedule still waits for its next slot.
            await Eventually.TrueAsync(
                () => BackupScheduleFaultTests.Waits(logs) == 1 || silo.ExecuteTask!.IsCompleted,
                TimeSpan.FromSeconds(20),
                "the schedule waits for 10:00 (or ended)");

            Assert.True(timeouts.Count > 0);
            Assert.False(silo.ExecuteTask!.IsCompleted, $"the schedule ended: {silo.ExecuteTask.Exception?.ToString() ?? silo.ExecuteTask.Status.ToString()}");
            Assert.Equal(1, BackupScheduleFaultTests.Waits(logs));
            Assert.Single(logs.Lines(LogLevel.Warning, "could not list earlier unfinished backups"));
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
            silo.Dispose();
            await backups.DeleteIfExistsAsync();
        }
    }

    /// <summary>Every listing of a container times out, as the SDK reports a network timeout; other requests pass.</summary>
    private sealed class ListingTimesOut : HttpPipelinePolicy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Check(HttpMessage message)
        {
            if (message.Request.Uri.Query.Contains("comp=list", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
                throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.");
            }
        }
    }
}
