using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Azure.Reminders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// The gauge that says backups stopped happening, which no failure report can (a schedule that never runs reports
/// nothing): <c>engagement.backup.newest_complete_age</c> on the <c>Engagement.Azure</c> meter, in seconds, the time
/// since the newest <c>complete</c> manifest of this silo's own cluster in <see cref="BackupOptions.Container"/> finished (its
/// <see cref="BackupManifest.FinishedAt"/>, UTC, against this silo's <see cref="TimeProvider"/>), tagged
/// <c>container</c>. Own: a manifest whose <see cref="BackupManifest.Source"/> is the same cluster on the same account
/// (<see cref="BackupSource.IsSameCluster"/>), or that has no source (written before backups recorded it: counted as own,
/// so the gauge goes on after an upgrade; such backups age out as newer ones are taken). Another cluster's backups in a
/// shared container (a restore drill's) never count, so they cannot hide this cluster's stopped backups. Storage is read at most once per <see cref="RefreshEvery"/>, in the background: an observation
/// returns the cached value and starts a read when the cache is older than that. No measurement until the first read
/// answered, nor while the container holds no complete backup; a read that fails is logged as a warning and the cached
/// value goes on ageing (storage trouble must not make a stale backup look fresh). Alert when it exceeds the
/// schedule's longest gap between slots plus <see cref="BackupOptions.StalledAfter"/> (docs/monitoring.md "Backup freshness").
/// </summary>
public sealed partial class BackupFreshness : IHostedService, IDisposable
{
    /// <summary>The gauge's name.</summary>
    public const string NewestCompleteAgeName = "engagement.backup.newest_complete_age";

    /// <summary>How often at most the newest complete manifest is read from storage.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(1);

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly ILogger<BackupFreshness> _logger;
    private readonly Meter _meter = new(EngagementAzureMetrics.MeterName);
    private readonly KeyValuePair<string, object?> _tag;
    private readonly BackupSource? _own;
    private readonly Lock _gate = new();
    private DateTimeOffset? _newestFinished;
    private DateTimeOffset? _readStartedAt;
    private Task _reading = Task.CompletedTask;

    /// <summary>
    /// Creates the gauge for the backups of <paramref name="own"/> (this silo's cluster and data account; null: every
    /// backup counts) in <paramref name="options"/>' container on <paramref name="blobs"/>.
    /// </summary>
    public BackupFreshness(BlobServiceClient blobs, BackupOptions options, TimeProvider time, ILogger<BackupFreshness> logger, BackupSource? own = null)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        _container = blobs.GetBlobContainerClient(options.Container);
        _time = time;
        _logger = logger;
        _own = own;
        _tag = new KeyValuePair<string, object?>("container", options.Container);
        _meter.CreateObservableGauge(NewestCompleteAgeName, Observe, unit: "s", description: "Seconds since the newest complete backup finished.");
    }

    /// <summary>The read in flight or last finished (for tests).</summary>
    internal Task Reading
    {
        get
        {
            lock (_gate)
            {
                return _reading;
            }
        }
    }

    private IEnumerable<Measurement<double>> Observe()
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? newest;
        lock (_gate)
        {
            if (_reading.IsCompleted && (_readStartedAt is not { } at || now - at >= RefreshEvery))
            {
                _readStartedAt = now;
                _reading = Task.Run(RefreshAsync);
            }

            newest = _newestFinished;
        }

        return newest is { } finished ? [new Measurement<double>(Math.Max(0, (now - finished).TotalSeconds), _tag)] : [];
    }

    private async Task RefreshAsync()
    {
        try
        {
            var finished = await NewestCompleteAsync();
            lock (_gate)
            {
                _newestFinished = finished ?? _newestFinished;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage unreachable (an SDK timeout too) or a manifest that does not read: the next observation past
            // RefreshEvery reads again.
            LogReadFailed(_logger, ex, _container.Name);
        }
    }

    /// <summary>The newest complete backup's finish: manifests read newest first until one is complete and own.</summary>
    private async Task<DateTimeOffset?> NewestCompleteAsync()
    {
        if (!await _container.ExistsAsync())
        {
            return null;
        }

        var names = new List<string>();
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", null, CancellationToken.None))
        {
            if (item.IsPrefix && TableBackup.IsBackupName(item.Prefix.TrimEnd('/')))
            {
                names.Add(item.Prefix.TrimEnd('/'));
            }
        }

        foreach (var name in names.OrderByDescending(n => n, StringComparer.Ordinal))
        {
            if (await TableBackup.ReadManifestAsync(_container, name, CancellationToken.None) is { Status: BackupManifest.Complete } manifest
                && (_own is null || manifest.Source is null || _own.IsSameCluster(manifest.Source)))
            {
                return manifest.FinishedAt;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup freshness: could not read the newest complete backup in container {Container}; its age is reported from the last read")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string container);
}
