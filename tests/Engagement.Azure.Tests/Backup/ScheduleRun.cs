using Azure.Storage.Blobs;
using Engagement.Azure.Backup;
using Engagement.Azure.Tests.Streaming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// One silo's backup schedule, started for a test: its logs captured, on the test's pinned <see cref="FakeTimeProvider"/>
/// and the blob client it varies (a <see cref="BlobFaults"/> one, or plain Azurite). Disposing it stops the silo and removes
/// what the test made (<see cref="BackupScheduleFaultTests.StopAndCleanUpAsync"/>), as a test's <c>finally</c> did.
/// </summary>
internal sealed class ScheduleRun : IAsyncDisposable
{
    private readonly BackupOptions _options;
    private readonly BlobContainerClient _backups;
    private readonly ILoggerFactory _loggers;

    private ScheduleRun(BackupOptions options, BlobContainerClient backups, LogCapture logs, ILoggerFactory loggers, BackupScheduler silo)
    {
        _options = options;
        _backups = backups;
        Logs = logs;
        _loggers = loggers;
        Silo = silo;
    }

    /// <summary>What the silo logged.</summary>
    public LogCapture Logs { get; }

    /// <summary>The started scheduler.</summary>
    public BackupScheduler Silo { get; }

    /// <summary>
    /// Starts one silo's schedule on <paramref name="blobs"/> with <paramref name="clock"/> (already pinned by the test),
    /// its backups told to <paramref name="listeners"/>; <paramref name="options"/> and <paramref name="backups"/> are the
    /// test's (<see cref="BackupScheduleFaultTests.ContainerAsync"/>), removed when the run is disposed.
    /// </summary>
    public static async Task<ScheduleRun> StartAsync(BackupOptions options, BlobContainerClient backups, FakeTimeProvider clock, BlobServiceClient blobs, params IBackupFailureListener[] listeners)
    {
        var logs = new LogCapture();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var silo = BackupScheduleFaultTests.Silo(options, clock, loggers, blobs, listeners);
        var run = new ScheduleRun(options, backups, logs, loggers, silo);
        await silo.StartAsync(CancellationToken.None);
        return run;
    }

    /// <summary>The run's logs and silo, for <c>var (logs, silo) = run;</c>.</summary>
    public void Deconstruct(out LogCapture logs, out BackupScheduler silo)
    {
        logs = Logs;
        silo = Silo;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await BackupScheduleFaultTests.StopAndCleanUpAsync(Silo, _options, _backups);
        }
        finally
        {
            _loggers.Dispose();
            Logs.Dispose();
        }
    }
}
