using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Infrastructure;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// What each test of the failure-reported marker (<see cref="TableBackup.ReportOnceAsync"/>) starts from: a fresh backup
/// container on Azurite (<see cref="BackupScheduleFaultTests.ContainerAsync"/>), a <see cref="FakeTimeProvider"/> pinned at
/// <see cref="Ten"/>, captured logs, and silos built on them, each a <see cref="TableBackup"/> telling one listener.
/// Disposing it removes the container, as the tests' <c>finally</c> did. Used by <c>BackupReportMarkerTests</c> and
/// <c>BackupReportMarkerAnswerLostTests</c>.
/// </summary>
internal sealed class ReportMarkerScene : IAsyncDisposable
{
    /// <summary>The backup whose failure is reported: the 10:00 (Shanghai) slot of 30 Nov 2026.</summary>
    public const string Backup = "20261130-020000";

    /// <summary>10:00 in Shanghai on 30 Nov 2026, where the clock starts.</summary>
    public static readonly DateTimeOffset Ten = new(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly ILoggerFactory _loggers;

    private ReportMarkerScene(BackupOptions options, BlobContainerClient backups)
    {
        Options = options;
        Backups = backups;
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs));
    }

    /// <summary>The test's backup options (its own container).</summary>
    public BackupOptions Options { get; }

    /// <summary>The test's backup container.</summary>
    public BlobContainerClient Backups { get; }

    /// <summary>The silos' clock, pinned at <see cref="Ten"/>.</summary>
    public FakeTimeProvider Clock { get; } = new(Ten);

    /// <summary>What every silo of the scene logged.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>A scene on a fresh container named after <paramref name="name"/>.</summary>
    public static async Task<ReportMarkerScene> StartAsync(string name)
    {
        var (options, backups) = await BackupScheduleFaultTests.ContainerAsync(name);
        return new ReportMarkerScene(options, backups);
    }

    /// <summary>The failure of <see cref="Backup"/> every silo reports: whether it is claimed could not be told.</summary>
    public static BackupFailure Failure() => new(Backup, "unused", Ten, Ten, [], new TimeoutException("whether it is claimed could not be told"));

    /// <summary>The text of the failure-reported marker of <see cref="Backup"/> as stored now.</summary>
    public async Task<string> MarkerAsync() =>
        (await Backups.GetBlobClient(TableBackup.FailureReportedBlobName(Backup)).DownloadContentAsync()).Value.Content.ToString();

    /// <summary>
    /// One silo's <see cref="TableBackup"/> on the scene's clock and logs, telling <paramref name="listener"/>, its blob
    /// requests through <paramref name="blobs"/> (plain Azurite when null).
    /// </summary>
    public TableBackup Silo(IBackupFailureListener listener, BlobServiceClient? blobs = null) =>
        new(new TableServiceClient(Azurite.ConnectionString), blobs ?? new BlobServiceClient(Azurite.ConnectionString), Options, Clock, _loggers.CreateLogger<TableBackup>(), [listener]);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Backups.DeleteIfExistsAsync();
        }
        finally
        {
            _loggers.Dispose();
            Logs.Dispose();
        }
    }
}

/// <summary>A failure listener of a <see cref="ReportMarkerScene"/> silo: keeps what it heard, and throws after if told to.</summary>
internal sealed class ReportListener(bool throws = false) : IBackupFailureListener
{
    /// <summary>The failures heard, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<BackupFailure> Failed { get; } = new();

    /// <inheritdoc />
    public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
    {
        Failed.Enqueue(failure);
        return throws ? throw new InvalidOperationException("the anomaly listener failed (the test's)") : Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
}
