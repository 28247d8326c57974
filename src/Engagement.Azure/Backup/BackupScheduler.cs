using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>
/// Runs <see cref="TableBackup"/> at <see cref="BackupOptions.Times"/> in <see cref="BackupOptions.TimeZone"/>.
/// Every silo of a cluster runs this schedule; for each slot the first silo to create the blob
/// <c>{backup}/claim</c> (conditional create) takes the backup, the others skip it. A failed backup is logged as an
/// error by <see cref="TableBackup"/>, and the schedule goes on.
/// </summary>
public sealed partial class BackupScheduler(
    TableBackup backup,
    BlobServiceClient blobs,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupScheduler> logger) : BackgroundService
{
    /// <summary>The first scheduled moment strictly after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextSlot(DateTimeOffset now, IReadOnlyList<TimeOnly> times, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        for (var day = 0; day <= 2; day++)
        {
            var date = DateOnly.FromDateTime(local.DateTime).AddDays(day);
            foreach (var t in times)
            {
                var wall = date.ToDateTime(t);
                var candidate = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
                if (candidate > now)
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("no backup time configured");
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);
        var times = settings.ParsedTimes();
        while (!stoppingToken.IsCancellationRequested)
        {
            var slot = NextSlot(time.GetUtcNow(), times, zone);
            LogNext(logger, slot, settings.TimeZone);
            var wait = slot - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }

            var name = TableBackup.NameFor(slot);
            bool claimed;
            try
            {
                claimed = await ClaimAsync(settings.Container, name, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Storage unreachable at the slot: the backup did not happen. Reported like a failed backup; the
                // schedule (and the silo) goes on.
                await backup.ReportFailureAsync(new BackupFailure(name, settings.Container, slot, time.GetUtcNow(), [], ex));
                continue;
            }

            if (!claimed)
            {
                LogSkipped(logger, name);
                continue;
            }

            try
            {
                await backup.RunAsync(name, cancellationToken: stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // TableBackup reported it to the failure listeners (the default one logs an error); the next slot tries again.
            }
        }
    }

    private async Task<bool> ClaimAsync(string containerName, string name, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(containerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await container.GetBlobClient($"{name}/claim").UploadAsync(
                BinaryData.FromString(Environment.MachineName),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Next backup at {Slot} ({TimeZone} schedule)")]
    private static partial void LogNext(ILogger logger, DateTimeOffset slot, string timeZone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} is taken by another silo")]
    private static partial void LogSkipped(ILogger logger, string backup);
}
