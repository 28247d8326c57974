using Azure.Core;
using Request = Azure.Core.Request;
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
        var timeouts = new RequestsTimeOut();
        var blobs = timeouts.Blobs();

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

    [Fact]
    public async Task The_silo_stopping_while_the_scan_lists_ends_the_scan_without_a_could_not_list_warning()
    {
        // Our own cancellation (the host stopping) while the listing waits on storage is no storage failure.
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync("ScanStop");
        var listing = new RequestsTimeOut { TimesOut = _ => false, Hangs = r => r.Uri.Query.Contains("comp=list", StringComparison.Ordinal) };

        var clock = new FakeTimeProvider(NineFiftyNine);
        using var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var silo = BackupScheduleFaultTests.Silo(options, clock, loggers, listing.Blobs());
        await silo.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => listing.Hung > 0, TimeSpan.FromSeconds(20), "the scan's listing waits on storage");

            await silo.StopAsync(CancellationToken.None);

            Assert.True(silo.ExecuteTask!.IsCompleted, "the schedule did not end");
            Assert.Empty(logs.Lines(LogLevel.Warning, "could not list earlier unfinished backups"));
            Assert.Empty(logs.Lines(LogLevel.Error));
            Assert.Equal(0, BackupScheduleFaultTests.Waits(logs));
        }
        finally
        {
            await silo.StopAsync(CancellationToken.None);
            silo.Dispose();
            await backups.DeleteIfExistsAsync();
        }
    }

    /// <summary>
    /// Requests that time out as the SDK reports a network timeout (a TaskCanceledException no token of the caller's
    /// cancelled) while <see cref="TimesOut"/> says so; the others reach Azurite.
    /// </summary>
    internal sealed class RequestsTimeOut : HttpPipelinePolicy
    {
        private int _count;

        /// <summary>Which requests time out; the default, container listings.</summary>
        public Func<Request, bool> TimesOut { get; set; } = r => r.Uri.Query.Contains("comp=list", StringComparison.Ordinal);

        private int _hung;

        /// <summary>Which requests hang until their caller's token is cancelled (then cancelled by it); none by default.</summary>
        public Func<Request, bool> Hangs { get; set; } = _ => false;

        /// <summary>Requests that hung so far.</summary>
        public int Hung => Volatile.Read(ref _hung);

        /// <summary>Requests timed out so far.</summary>
        public int Count => Volatile.Read(ref _count);

        /// <summary>The requests answered by Azurite, as "METHOD path [conditional]", in the order their answers came.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Answered { get; } = new();

        /// <summary>A claim's heartbeat: an unconditional upload of <c>{backup}/claim</c> (taking it is If-None-Match: *).</summary>
        public static bool IsHeartbeat(Request request) =>
            request.Method == RequestMethod.Put
            && request.Uri.Path.EndsWith("/claim", StringComparison.Ordinal)
            && !request.Headers.TryGetValue("If-None-Match", out _);

        /// <summary>The claim of backup <paramref name="backup"/> looked at (its properties: HEAD).</summary>
        public static Func<Request, bool> ClaimLook(string backup) => r =>
            r.Method == RequestMethod.Head && r.Uri.Path.EndsWith($"/{backup}/claim", StringComparison.Ordinal);

        /// <summary>Only the first request <paramref name="which"/> matches times out.</summary>
        public static Func<Request, bool> Once(Func<Request, bool> which)
        {
            var done = 0;
            return r => which(r) && Interlocked.Exchange(ref done, 1) == 0;
        }

        /// <summary>A blob client on the test Azurite with this policy on every call.</summary>
        public BlobServiceClient Blobs()
        {
            var options = new BlobClientOptions();
            options.AddPolicy(this, HttpPipelinePosition.PerCall);
            return new BlobServiceClient(Azurite.ConnectionString, options);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            ProcessNext(message, pipeline);
            Answer(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            if (Hangs(message.Request))
            {
                Interlocked.Increment(ref _hung);
                await Task.Delay(Timeout.InfiniteTimeSpan, message.CancellationToken);
            }

            await ProcessNextAsync(message, pipeline);
            Answer(message);
        }

        private void Check(HttpMessage message)
        {
            if (TimesOut(message.Request))
            {
                Interlocked.Increment(ref _count);
                throw new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.");
            }
        }

        private void Answer(HttpMessage message) =>
            Answered.Enqueue($"{message.Request.Method} {message.Request.Uri.Path}{(IsHeartbeat(message.Request) ? " heartbeat" : string.Empty)}");
    }
}
