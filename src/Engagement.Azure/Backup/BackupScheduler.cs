using System.Globalization;
using Azure.Storage.Blobs;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Azure.Backup;

/// <summary>
/// Runs <see cref="TableBackup"/> at <see cref="BackupOptions.Times"/> in <see cref="BackupOptions.TimeZone"/>.
/// Every silo of a cluster runs this schedule; for each slot the first silo to create the blob
/// <c>{backup}/claim</c> (conditional create) takes the backup, the others skip it. A failed backup is logged as an
/// error by <see cref="TableBackup"/>, and the schedule goes on. The silo taking a backup touches its claim every
/// quarter of <see cref="BackupOptions.StalledAfter"/>; a silo that skipped it watches it until it has its manifest,
/// however many slots that takes, and if the backup has no manifest while its claim stays untouched for
/// <see cref="BackupOptions.StalledAfter"/> (its silo was killed mid-copy), records it failed and reports it
/// (<see cref="TableBackup.AbandonAsync"/>), so a lost backup is never silent. A slot that comes while a watched
/// backup is still copying is skipped with a warning: two full copies at once would double the read load. A silo
/// stopped mid-copy (its stopping token cancelled: a rolling deploy) abandons the backup without reporting it and
/// releases the claim; a silo watching the slot then takes it late (<see cref="TakeLateIfReleasedAsync"/>). A claim of
/// another cluster (<paramref name="source"/>) is skipped loudly and never watched, judged or released (<see cref="SaysForeign"/>).
/// </summary>
/// <param name="backup">Takes the backup of a slot this silo claims.</param>
/// <param name="blobs">The account that keeps the backups (claims, markers, manifests).</param>
/// <param name="options">The schedule, the container, <see cref="BackupOptions.StalledAfter"/>.</param>
/// <param name="time">The scheduler's clock (UTC).</param>
/// <param name="logger">Slots taken, skipped, watched; errors.</param>
/// <param name="source">This silo's cluster, recorded on its claims; null: none recorded, and no claim is taken for another cluster's.</param>
public sealed partial class BackupScheduler(
    TableBackup backup,
    BlobServiceClient blobs,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupScheduler> logger,
    BackupSource? source = null) : BackgroundService
{
    /// <summary>The slot of the last pass of the schedule (<see cref="ExecuteAsync"/> only).</summary>
    private DateTimeOffset? _lastSlot;

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

    /// <summary>The last scheduled moment at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset PreviousSlot(DateTimeOffset now, IReadOnlyList<TimeOnly> times, TimeZoneInfo zone)
    {
        var slot = NextSlot(now.AddDays(-2), times, zone);
        for (var next = NextSlot(slot, times, zone); next <= now; next = NextSlot(next, times, zone))
        {
            slot = next;
        }

        return slot;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);
        var times = settings.ParsedTimes();

        // A silo (re)starting watches the last slot too: if the silo that claimed it was killed mid-copy — this one,
        // in a one-silo cluster — it is reported once its claim has been quiet for StalledAfter.
        var last = PreviousSlot(time.GetUtcNow(), times, zone);
        var watches = new List<Watch> { StartWatch(settings, TableBackup.NameFor(last), last, stoppingToken) };
        await WatchUnfinishedAsync(settings, TableBackup.NameFor(last), watches, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSlotAsync(settings, zone, times, watches, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One bad slot (storage unreachable once the SDK's retries give up, as an AggregateException) must not
                // end the schedule: an exception out of ExecuteAsync stops the whole silo (StopHost). The next slot tries again.
                LogSlotFailed(logger, ex);
            }
        }

        await Task.WhenAll(watches.Select(w => w.Task));
    }

    /// <summary>
    /// Watches too the backups older than <paramref name="before"/> (the last slot) with no manifest: a cluster whose
    /// copier died more than a slot before it started again still reports them (<see cref="TableBackup.UnfinishedBeforeAsync"/>).
    /// </summary>
    private async Task WatchUnfinishedAsync(BackupOptions settings, string before, List<Watch> watches, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var name in await backup.UnfinishedBeforeAsync(before, cancellationToken))
            {
                // A stray folder name is skipped, not a FormatException that the catch below would take for a failed
                // listing, ending the scan before the names after it (UnfinishedBeforeAsync keeps backup names only).
                if (DateTimeOffset.TryParseExact(name, "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startedAt))
                {
                    watches.Add(StartWatch(settings, name, startedAt, cancellationToken));
                }
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            // An SDK timeout (TaskCanceledException, no token of ours) too: it runs before the schedule's loop, and an
            // exception out of ExecuteAsync would end the schedule and stop the silo.
            LogScanFailed(logger, ex);
        }
    }

    /// <summary>Waits for the next slot and takes its backup, skips it to another silo (and watches that), or skips it as overlapping.</summary>
    private async Task RunSlotAsync(BackupOptions settings, TimeZoneInfo zone, IReadOnlyList<TimeOnly> times, List<Watch> watches, CancellationToken stoppingToken)
    {
        var slot = NextSlot(time.GetUtcNow(), times, zone);
        if (_lastSlot is { } last)
        {
            // This silo's own copy (or its wait for another's) ran past the slots after it: they are skipped, said once each.
            for (var missed = NextSlot(last, times, zone); missed < slot; missed = NextSlot(missed, times, zone))
            {
                LogOverran(logger, TableBackup.NameFor(missed), TableBackup.NameFor(last));
            }
        }

        _lastSlot = slot;
        LogNext(logger, slot, settings.TimeZone);
        var wait = slot - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, stoppingToken);
        }

        var name = TableBackup.NameFor(slot);
        watches.RemoveAll(w => w.Task.IsCompleted);
        if (!await MayStartAsync(settings, name, slot, watches, stoppingToken))
        {
            return;
        }

        ClaimOwner? claimed;
        try
        {
            claimed = await ClaimSlotAsync(settings, name, slot, stoppingToken);
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is not ClaimReleasedException && ex is not OutOfMemoryException)
        {
            // Stopped during the claim's retries (a wait, a look at the claim, a report): the claim may be this silo's
            // (a lost answer), and left behind it would be reported stalled. Released as ClaimAsync releases it.
            LogClaimStopped(logger, name);
            await ReleaseAsync(settings.Container, name, stopping: true);
            throw;
        }

        if (claimed is null)
        {
            return;
        }

        if (claimed == ClaimOwner.Foreign)
        {
            // Another deployment's (said once, as an error): not this cluster's backup to watch or judge.
            return;
        }

        if (claimed != ClaimOwner.Mine)
        {
            if (claimed == ClaimOwner.Other)
            {
                LogSkipped(logger, name);
            }

            // Unknown: whose it is could not be read (warned already); watched, and reported if it stalls.
            watches.Add(StartWatch(settings, name, slot, stoppingToken));
            return;
        }

        await CopyAsync(settings, name, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Next backup at {Slot} ({TimeZone} schedule)")]
    private static partial void LogNext(ILogger logger, DateTimeOffset slot, string timeZone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup schedule: could not list earlier unfinished backups to watch; the last slot is still watched")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} is taken by another silo")]
    private static partial void LogSkipped(ILogger logger, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} skipped: backup {Running} of an earlier slot was still copying on this silo at its time (a full copy takes longer than the time between slots; see docs/scaling.md, \"Capacity planning\")")]
    private static partial void LogOverran(ILogger logger, string backup, string running);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup schedule: a slot failed unexpectedly; the schedule goes on with the next slot")]
    private static partial void LogSlotFailed(ILogger logger, Exception exception);
}
