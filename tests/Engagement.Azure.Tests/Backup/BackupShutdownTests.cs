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
/// A normal shutdown (a rolling deploy stops the silo) in the middle of a copy is not a failed backup: the copying
/// silo writes no <c>failed</c> manifest, tells no failure listener (no <c>data.anomaly</c>), and releases its claim;
/// the silo watching the slot takes it late and completes it. Two schedulers on Azurite, one clock
/// (<see cref="WaitedClock"/>, stepped only while the silos wait on it at rest and have no blob request under way); the
/// copying one is held inside its first table read until it is stopped.
/// </summary>
public sealed class BackupShutdownTests
{
    private static readonly DateTimeOffset NineFiftyNine = new(2026, 11, 30, 9, 59, 30, TimeSpan.FromHours(8));
    private static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task ASiloStoppedMidCopyReleasesItsSlotWithoutAFailureAndTheWatchingSiloTakesItLate()
    {
        await using var copy = await CopyInProgress.ArrangeAsync("Stop");
        var (options, blobs, _, logs, failures, _) = copy;

        // The first silo takes the 10:00 slot and is held reading its first table; a second silo watches the slot
        // (claimed, no manifest); then the first is stopped mid-copy.
        await copy.StopWhileWatchedAsync();

        var container = blobs.GetBlobContainerClient(options.Container);
        Assert.False(await container.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the stopped silo kept its claim");
        Assert.Null(await TableBackup.ReadManifestAsync(container, "20261130-020000", CancellationToken.None));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "its claim is released"));

        // The watcher looks every 2.5 minutes: it finds the slot released and takes it late.
        await copy.TakenLateAsync(before: Ten.AddMinutes(30));

        var manifest = await TableBackup.ReadManifestAsync(container, "20261130-020000", CancellationToken.None);
        Assert.Equal(1, Assert.Single(manifest!.Tables).Rows);
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 was released by a silo that stopped mid-copy; this silo takes it late"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(failures.Failed);
    }

    [Fact]
    public async Task ThisClustersOwnReleasedMarkerStampedWithItsClusterIsStillTakenLate()
    {
        // Both silos run with production's cluster: the stopping one stamps its released marker with it.
        await using var copy = await CopyInProgress.ArrangeAsync("Own", source: BackupForeignClaimTests.Production);
        var (options, blobs, _, logs, failures, _) = copy;
        await copy.StopWhileWatchedAsync();

        var container = blobs.GetBlobContainerClient(options.Container);
        var marker = await container.GetBlobClient(BackupScheduler.ReleasedBlobName("20261130-020000")).GetPropertiesAsync();
        Assert.Equal(BackupForeignClaimTests.Production, BackupSource.FromMetadata(marker.Value.Metadata));

        await copy.TakenLateAsync(before: Ten.AddMinutes(30));

        var manifest = await TableBackup.ReadManifestAsync(container, "20261130-020000", CancellationToken.None);
        Assert.Equal(BackupForeignClaimTests.Production, manifest!.Source);
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 was released by a silo that stopped mid-copy; this silo takes it late"));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(failures.Failed);
    }

    [Fact]
    public async Task AReleaseWhoseClaimDeleteTimesOutIsTriedAgainAndTheWatchingSiloTakesTheSlotLate()
    {
        // The stopping silo's first delete of its claim times out in the SDK (a TaskCanceledException, no token of its own).
        var faults = new BlobFaults { TimesOut = BlobFaults.Once(r => r.Method == RequestMethod.Delete && r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal)) };
        await using var copy = await CopyInProgress.ArrangeAsync("Rel", faults);
        var (options, blobs, _, logs, failures, _) = copy;
        await copy.StopWhileWatchedAsync();

        // Tried again, so the claim is freed now, not left for the watcher to find stalled and report failed.
        var container = blobs.GetBlobContainerClient(options.Container);
        Assert.Equal(1, faults.TimedOut);
        Assert.False(await container.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the stopped silo kept its claim");
        Assert.True(await container.GetBlobClient(BackupScheduler.ReleasedBlobName("20261130-020000")).ExistsAsync());
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "releasing its claim failed (attempt 1 of 3)"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "its claim is released"));

        await copy.TakenLateAsync(before: Ten.AddMinutes(30));
        Assert.Empty(logs.Lines(LogLevel.Error));
        Assert.Empty(failures.Failed);
    }

    [Fact]
    public async Task AReleaseAttemptThatHangsIsCutOffAfterItsOwnTimeoutAndTriedAgainWithinTheHostsShutdownTimeout()
    {
        // The stopping silo's first write of its released blob hangs (storage accepts the connection and never answers;
        // in production the client would wait 100 s a try, past the host's 30 s shutdown timeout).
        var faults = new BlobFaults { Hangs = BlobFaults.Once(r => r.Method == RequestMethod.Put && r.Uri.Path.EndsWith("/" + BackupScheduler.ReleasedBlobName("20261130-020000"), StringComparison.Ordinal)) };
        await using var copy = await CopyInProgress.ArrangeAsync("RelHang", faults);
        var (options, blobs, clock, logs, _, copying) = copy;
        await copy.InsideItsFirstTableAsync();
        var stopping = copying.StopAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => faults.Hung == 1, TimeSpan.FromSeconds(20), "the first release attempt hangs");

        // The attempt is cut off by the scheduler's clock, not a real one: a millisecond short of its timeout it
        // still hangs; at its timeout it is cut off at once and the second attempt releases the slot (a real
        // 8-second timer would still be running when the 3 seconds are up).
        clock.Advance(BackupScheduler.ReleaseAttemptTimeout - TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => Eventually.TrueAsync(() => stopping.IsCompleted, TimeSpan.FromSeconds(1), "the stop done before the attempt's timeout"));
        Assert.Equal(1, faults.Hung);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => stopping.IsCompleted, TimeSpan.FromSeconds(3), "the stopping silo done releasing once the attempt's timeout passed on its clock");
        await stopping;

        var container = blobs.GetBlobContainerClient(options.Container);
        Assert.False(await container.GetBlobClient("20261130-020000/claim").ExistsAsync(), "the stopped silo kept its claim");
        Assert.True(await container.GetBlobClient(BackupScheduler.ReleasedBlobName("20261130-020000")).ExistsAsync());
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "releasing its claim failed (attempt 1 of 3)"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "its claim is released"));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task AReleaseTriedAgainAfterItsDeleteLostItsAnswerLeavesTheClaimAWatcherTookMeanwhile()
    {
        // The stopping silo's first delete of its claim succeeds in storage but its answer is lost; before the second
        // attempt a watching silo finds the slot released and claims it to take it late.
        var faults = new BlobFaults();
        await using var copy = await StoppedWhileAWatcherClaimsInTheGapAsync("RelOther", faults, fault => faults.LosesAnswer = fault);
        var logs = copy.Logs;

        // The watcher's claim stands: deleting it would let a third silo take a second copy beside the watcher's.
        Assert.Equal(1, faults.TimedOut);
        await AssertTheWatchersClaimStandsAsync(copy, "the stopping silo's second attempt deleted the watcher's claim");
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "releasing its claim failed (attempt 1 of 3)"));
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000", "the claim is another silo's", "another silo has claimed it since"));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task AReleaseWhoseDeleteTryLostItsAnswerLeavesTheClaimAWatcherTookBeforeTheSDKsOwnRetry()
    {
        // The stopping silo's first attempt: the SDK's first try of the claim's delete succeeds in storage and its
        // connection drops; in the gap before the SDK's own retry a watching silo claims the slot to take it late.
        var faults = new BlobFaults();
        await using var copy = await StoppedWhileAWatcherClaimsInTheGapAsync("RelTry", faults, fault => faults.TryLosesAnswer = fault);
        var logs = copy.Logs;

        // The SDK's retry must not delete the watcher's claim: a third silo would take a second copy beside it.
        Assert.Equal(1, faults.TriesDropped);
        await AssertTheWatchersClaimStandsAsync(copy, "the SDK's own retry of the stopping silo's delete deleted the watcher's claim");
        Assert.Single(logs.Lines(LogLevel.Warning, "Backup 20261130-020000 abandoned", "its claim is released"));
        Assert.Empty(logs.Lines(LogLevel.Error));
    }

    [Fact]
    public async Task AReleasedBackupNobodyTookBeforeTheNextSlotIsRecordedFailedAndReported()
    {
        await using var copy = await CopyInProgress.ArrangeAsync("Lost");
        var (options, blobs, clock, logs, failures, copying) = copy;
        var later = copy.AnotherSilo();

        // The only silo takes the 10:00 slot, is stopped mid-copy (a whole-cluster deploy) and releases it.
        await copy.StoppedMidCopyAsync();
        Assert.Empty(failures.Failed);

        // The cluster comes back after the 18:00 slot: the 10:00 backup is not taken late any more, and its slot has
        // no backup, so it is recorded failed and reported (data.anomaly), not only logged.
        clock.Advance(TimeSpan.FromHours(8).Add(TimeSpan.FromMinutes(5)));
        await later.StartAsync(CancellationToken.None);
        var container = blobs.GetBlobContainerClient(options.Container);
        await Eventually.TrueAsync(
            async () => await TableBackup.ReadManifestAsync(container, "20261130-020000", CancellationToken.None) is { Status: BackupManifest.Failed },
            TimeSpan.FromSeconds(30),
            "a failed manifest for the released 10:00 backup");
        var failure = Assert.Single(failures.Failed, f => f.Backup == "20261130-020000");
        Assert.Contains("not taken again before slot", failure.Exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A copy in progress (<see cref="CopyInProgress"/>, <paramref name="prefix"/>) whose silo is stopped mid-copy while
    /// a watching silo claims the slot in the gap after the release's first delete of the claim reached storage: the fault
    /// <paramref name="arm"/> sets on the copying silo's <paramref name="faults"/> (its answer lost, or one try's).
    /// </summary>
    private static async Task<CopyInProgress> StoppedWhileAWatcherClaimsInTheGapAsync(string prefix, BlobFaults faults, Action<Func<global::Azure.Core.Request, bool>> arm)
    {
        string? container = null;
        arm(AWatcherClaimsTheSlotAfterTheFirstDelete(() => container!));
        var copy = await CopyInProgress.ArrangeAsync(prefix, faults);
        container = copy.Options.Container;
        try
        {
            await copy.StoppedMidCopyAsync();
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }

        return copy;
    }

    /// <summary>The 10:00 claim is still the watcher's (<c>watcher-silo</c>); <paramref name="deleted"/> says what went wrong if not.</summary>
    private static async Task AssertTheWatchersClaimStandsAsync(CopyInProgress copy, string deleted)
    {
        var claim = copy.Claim;
        Assert.True(await claim.ExistsAsync(), deleted);
        Assert.Equal("watcher-silo", (await claim.DownloadContentAsync()).Value.Content.ToString());
    }

    /// <summary>
    /// A fault predicate for the first delete of the 10:00 claim: it lets the delete reach storage and, before its answer
    /// comes back, a watching silo claims the slot (writes <c>watcher-silo</c> in the container <paramref name="container"/> names).
    /// </summary>
    private static Func<global::Azure.Core.Request, bool> AWatcherClaimsTheSlotAfterTheFirstDelete(Func<string> container)
    {
        var plain = new BlobServiceClient(Azurite.ConnectionString);
        var firstDelete = BlobFaults.Once(r => r.Method == RequestMethod.Delete && r.Uri.Path.EndsWith("/20261130-020000/claim", StringComparison.Ordinal));
        return r =>
        {
            if (!firstDelete(r))
            {
                return false;
            }

            plain.GetBlobContainerClient(container()).GetBlobClient("20261130-020000/claim").Upload(BinaryData.FromString("watcher-silo"));
            return true;
        };
    }

    /// <summary>
    /// One member-state table (a prefix + a fresh suffix) holding one row, a container, one clock at 09:59:30 Shanghai,
    /// and the first silo (<see cref="Copying"/>), whose reads of that table are held (<see cref="HeldRead"/>): a copy in
    /// progress. Disposing it stops and disposes the other silos it made, disposes the first, removes the table and the
    /// container, then the loggers.
    /// </summary>
    private sealed class CopyInProgress : IAsyncDisposable
    {
        private readonly List<BackupScheduler> _others = [];

        private CopyInProgress(string prefix, BackupOptions options, TableServiceClient tables, HeldRead gate, WaitedClock clock, LogCapture logs, ILoggerFactory loggers, RecordingListener failures, BackupScheduler copying, BlobFaults counted, BlobFaults[] clients, BackupSource? source)
        {
            Source = source;
            Counted = counted;
            Clients = clients;
            Failures = failures;
            Prefix = prefix;
            Options = options;
            Tables = tables;
            Gate = gate;
            Clock = clock;
            Logs = logs;
            Loggers = loggers;
            Copying = copying;
        }

        public string Prefix { get; }

        /// <summary>The silos' cluster; null: none given (their claims and markers record none).</summary>
        public BackupSource? Source { get; }

        public BackupOptions Options { get; }

        public TableServiceClient Tables { get; }

        public BlobServiceClient Blobs { get; } = new(Azurite.ConnectionString);

        public HeldRead Gate { get; }

        public WaitedClock Clock { get; }

        /// <summary>Counts the requests of the silos on plain Azurite (the first one's too when the test gave no faults).</summary>
        public BlobFaults Counted { get; }

        /// <summary>Every silo's blob clients: the clock is stepped only while none has a request under way.</summary>
        public BlobFaults[] Clients { get; }

        public LogCapture Logs { get; }

        public ILoggerFactory Loggers { get; }

        /// <summary>Every silo's failures (the default logging listener logs them too).</summary>
        public RecordingListener Failures { get; }

        /// <summary>The first silo; not started (<see cref="InsideItsFirstTableAsync"/>).</summary>
        public BackupScheduler Copying { get; }

        /// <summary>The state table <paramref name="prefix"/> names, the options, the clock and the first silo on <paramref name="copyingFaults"/> (plain Azurite, counted, when null); every silo of cluster <paramref name="source"/> (none when null).</summary>
        public static async Task<CopyInProgress> ArrangeAsync(string prefix, BlobFaults? copyingFaults = null, BackupSource? source = null)
        {
            prefix += Guid.NewGuid().ToString("N")[..10];
            var options = new BackupOptions { TablePrefix = prefix, Container = Azurite.UniqueName("backups-"), FirstTables = [prefix + "GrainState"], TimeZone = "Asia/Shanghai", StalledAfter = TimeSpan.FromMinutes(10) };
            var tables = new TableServiceClient(Azurite.ConnectionString);
            await tables.CreateTableIfNotExistsAsync(prefix + "GrainState");
            await tables.GetTableClient(prefix + "GrainState").AddEntityAsync(new TableEntity("p", "r"));
            var gate = new HeldRead(prefix + "GrainState");
            var gatedOptions = new TableClientOptions();
            gatedOptions.AddPolicy(gate, HttpPipelinePosition.PerCall);
            var clock = new WaitedClock(NineFiftyNine);
            var counted = new BlobFaults();
            var logs = new LogCapture();
            var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
            var failures = new RecordingListener();
            var copying = Silo(new TableServiceClient(Azurite.ConnectionString, gatedOptions), options, clock, loggers, failures, copyingFaults?.Blobs() ?? counted.CountedBlobs(), source);
            return new CopyInProgress(prefix, options, tables, gate, clock, logs, loggers, failures, copying, counted, copyingFaults is null ? [counted] : [counted, copyingFaults], source);
        }

        /// <summary>A second silo on plain Azurite, the same clock, logs and failures; not started, stopped when the copy is disposed.</summary>
        public BackupScheduler AnotherSilo()
        {
            var silo = Silo(Tables, Options, Clock, Loggers, Failures, Counted.CountedBlobs(), Source);
            _others.Add(silo);
            return silo;
        }

        /// <summary>The test's usual names, for <c>var (options, blobs, clock, logs, failures, copying) = copy;</c>.</summary>
        public void Deconstruct(out BackupOptions options, out BlobServiceClient blobs, out WaitedClock clock, out LogCapture logs, out RecordingListener failures, out BackupScheduler copying)
        {
            options = Options;
            blobs = Blobs;
            clock = Clock;
            logs = Logs;
            failures = Failures;
            copying = Copying;
        }

        /// <summary>Starts <see cref="Copying"/> and moves the clock to 10:00 until the copy is held inside its first table.</summary>
        public async Task InsideItsFirstTableAsync()
        {
            await Copying.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(Logs) == 1, TimeSpan.FromSeconds(20), "the copying silo waits for 10:00");
            // At rest: the schedule's wait for 10:00, then the copy's heartbeat between touches.
            await BackupScheduleFaultTests.ReachAsync(Clock, Ten, () => Gate.Entered.IsCompleted, "the copying silo inside its first table", 1, Clients);
        }

        /// <summary>
        /// The copy held inside its first table (<see cref="InsideItsFirstTableAsync"/>), a second silo
        /// (<see cref="AnotherSilo"/>) started and watching the slot (it waits for 18:00), then <see cref="Copying"/> stopped.
        /// </summary>
        public async Task StopWhileWatchedAsync()
        {
            var watching = AnotherSilo();
            await InsideItsFirstTableAsync();
            await watching.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => BackupScheduleFaultTests.Waits(Logs) == 2, TimeSpan.FromSeconds(20), "the watching silo waits for 18:00");
            await Copying.StopAsync(CancellationToken.None);
        }

        /// <summary>The 10:00 slot's claim.</summary>
        public BlobClient Claim => Blobs.GetBlobContainerClient(Options.Container).GetBlobClient("20261130-020000/claim");

        /// <summary>The copy held inside its first table (<see cref="InsideItsFirstTableAsync"/>), then <see cref="Copying"/> stopped.</summary>
        public async Task StoppedMidCopyAsync()
        {
            await InsideItsFirstTableAsync();
            await Copying.StopAsync(CancellationToken.None);
        }

        /// <summary>
        /// Moves the clock half a minute a step, while the watching silo rests (its wait for 18:00 and its watch's between
        /// looks), until the 10:00 slot is done with, and asserts its manifest complete; fails once the clock reaches <paramref name="before"/>.
        /// </summary>
        public async Task TakenLateAsync(DateTimeOffset before)
        {
            // Stepped only until the watch starts its late copy: from then on the copy's heartbeat is a timer at rest too,
            // and its table reads are not counted as under way, so the clock is left alone until it completes.
            var done = () => Logs.Lines(LogLevel.Information, "Backup 20261130-020000 complete").Count > 0 || Logs.Lines(LogLevel.Error).Count > 0;
            var takingLate = () => Logs.Lines(LogLevel.Warning, "Backup 20261130-020000 was released by a silo that stopped mid-copy; this silo takes it late").Count > 0;
            await BlobFaults.StepWhileIdleAsync(Clock, TimeSpan.FromSeconds(30), () => takingLate() || done(), before, "the 10:00 slot taken late", $"the released slot not taken late by {before:HH:mm}", 2, Clients);
            await Eventually.TrueAsync(done, TimeSpan.FromSeconds(60), "the 10:00 slot done with");
            Assert.Equal(BackupManifest.Complete, (await TableBackup.ReadManifestAsync(Blobs.GetBlobContainerClient(Options.Container), "20261130-020000", CancellationToken.None))?.Status);
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            try
            {
                foreach (var other in _others)
                {
                    await other.StopAsync(CancellationToken.None);
                    other.Dispose();
                }

                Copying.Dispose();
                await StorageClients.DeleteTableQuietlyAsync(Prefix + "GrainState");
                await Blobs.GetBlobContainerClient(Options.Container).DeleteIfExistsAsync();
            }
            finally
            {
                Loggers.Dispose();
                Logs.Dispose();
            }
        }
    }

    private static BackupScheduler Silo(TableServiceClient tables, BackupOptions options, WaitedClock clock, ILoggerFactory loggers, IBackupFailureListener listener, BlobServiceClient? blobs = null, BackupSource? source = null)
    {
        blobs ??= new BlobServiceClient(Azurite.ConnectionString);
        return new BackupScheduler(
            new TableBackup(tables, blobs, options, clock, loggers.CreateLogger<TableBackup>(), [listener, new LoggingBackupFailureListener(loggers.CreateLogger<TableBackup>())], source),
            blobs,
            Options.Create(options),
            clock,
            loggers.CreateLogger<BackupScheduler>(),
            source);
    }

    /// <summary>Holds every read of table <paramref name="table"/>'s rows until its request is cancelled: a copy in progress.</summary>
    private sealed class HeldRead(string table) : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ProcessNext(message, pipeline);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains(table + "(", StringComparison.Ordinal))
            {
                _entered.TrySetResult();
                await _never.Task.WaitAsync(message.CancellationToken);
            }

            await ProcessNextAsync(message, pipeline);
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
