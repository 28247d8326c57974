using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// How a backup taken on demand (<see cref="RunAsync"/> without a name: <c>Engagement.Silo backup</c>) gets its name:
/// its UTC start second, or, when that name is taken already (another on-demand backup, anything already under it) or
/// is a scheduled slot's own name (claimed yet or not), the next free second, claimed before anything is copied.
/// </summary>
public sealed partial class TableBackup
{
    /// <summary>
    /// How many seconds from its start an on-demand backup tries for a free name (<see cref="ReserveNameAsync"/>) before it
    /// refuses to start.
    /// </summary>
    internal const int NameTries = 60;

    /// <summary>
    /// Claims a name for an on-demand backup started at <paramref name="startedAt"/> (UTC): the first second from it, up to
    /// <see cref="NameTries"/> seconds, that is not a scheduled slot's (<see cref="SlotNamesWithin"/>: skipped, said as
    /// information, so a slot keeps its name for the silos that take it), under which there is no blob yet and whose claim (<c>{name}/claim</c>, the one the
    /// schedule's silos claim a slot with) this call creates (If-None-Match: *, carrying a writer id, so a create whose
    /// answer was lost and whose retry meets it is still this call's, and this cluster's source, as the schedule's claims
    /// do: <see cref="MarkerStamp"/>). A name taken is said (information) and skipped.
    /// </summary>
    /// <exception cref="BackupNamesTakenException">Every name of those <see cref="NameTries"/> seconds was taken or a slot's.</exception>
    /// <exception cref="RequestFailedException">Storage refused a look or the claim (an SDK timeout too).</exception>
    private async Task<OnDemandClaim> ReserveNameAsync(BlobContainerClient container, DateTimeOffset startedAt, NameReservation reservation, CancellationToken cancellationToken)
    {
        var writer = reservation.Writer;
        var holder = $"on demand: {Environment.MachineName} ({writer[..8]})";
        var slots = SlotNamesWithin(startedAt);
        for (var second = 0; second < NameTries; second++)
        {
            var name = NameFor(startedAt.AddSeconds(second));
            if (slots.Contains(name))
            {
                // A scheduled slot's own name, free or not: an on-demand backup in it would make the slot's silos skip it
                // (claimed by another), and, stopped, leave the slot with no backup and no report.
                var after = NameFor(startedAt.AddSeconds(second + 1));
                LogSlotSkipped(logger, name, after);
                continue;
            }

            var claim = container.GetBlobClient(ClaimBlobName(name));
            reservation.Trying = claim;
            if (!await HoldsAnythingAsync(container, name, cancellationToken)
                && await CreateOnceAsync(claim, BinaryData.FromString(holder), writer, cancellationToken, MarkerStamp(writer)))
            {
                return new OnDemandClaim(name, claim, holder, MarkerStamp(writer));
            }

            var next = NameFor(startedAt.AddSeconds(second + 1));
            LogNameTaken(logger, name, next);
        }

        throw new BackupNamesTakenException(
            $"backup not started: every name from {NameFor(startedAt)} to {NameFor(startedAt.AddSeconds(NameTries - 1))} is taken by another backup or kept for a scheduled slot; try again");
    }

    /// <summary>
    /// The names of the schedule's slots (<see cref="BackupOptions.Times"/> in <see cref="BackupOptions.TimeZone"/>,
    /// <see cref="BackupScheduler.NextSlot"/>) among the <see cref="NameTries"/> seconds from <paramref name="startedAt"/>;
    /// none when the options name no known zone or a time that does not parse (the silos refuse those at start).
    /// </summary>
    private HashSet<string> SlotNamesWithin(DateTimeOffset startedAt)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<TimeOnly> times;
        try
        {
            times = options.ParsedTimes();
        }
        catch (FormatException)
        {
            return names;
        }

        if (times.Count == 0 || !TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out var zone))
        {
            return names;
        }

        // Slots fall on whole seconds: the first strictly after the second before the start is the first from its second.
        var from = startedAt.AddTicks(-(startedAt.UtcTicks % TimeSpan.TicksPerSecond));
        for (var slot = BackupScheduler.NextSlot(from.AddTicks(-1), times, zone); slot < from.AddSeconds(NameTries); slot = BackupScheduler.NextSlot(slot, times, zone))
        {
            names.Add(NameFor(slot));
        }

        return names;
    }

    /// <summary>The claim blob of backup <paramref name="name"/>: the schedule's slot claim, and an on-demand backup's.</summary>
    internal static string ClaimBlobName(string name) => $"{name}/claim";

    /// <summary>Whether any blob is under <paramref name="name"/> (a backup, a claim, a report marker of that name).</summary>
    internal static async Task<bool> HoldsAnythingAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{name}/", cancellationToken).AsPages(pageSizeHint: 1))
        {
            return page.Values.Count > 0;
        }

        return false;
    }

    /// <summary>
    /// Touches <paramref name="claim"/>'s blob every quarter of <see cref="BackupOptions.StalledAfter"/> until
    /// <paramref name="cancellationToken"/> is cancelled, as the schedule's copier touches its slot's claim: a silo watching
    /// the name (it is a slot's, or the silo restarted and watches every earlier backup without a manifest) takes a quiet
    /// claim for a dead copy. A touch that fails is logged as a warning and the next one tried a quarter later.
    /// </summary>
    private async Task TouchAsync(OnDemandClaim claim, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(options.StalledAfter / 4, time, cancellationToken);
                // Its stamp again (writer, source): an upload replaces the blob's metadata too.
                await claim.Blob.UploadAsync(BinaryData.FromString(claim.Holder), new BlobUploadOptions { Metadata = claim.Stamp }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                LogTouchFailed(logger, ex, claim.Name);
            }
        }
    }

    /// <summary>
    /// Deletes the claim of an on-demand backup abandoned (cancelled) before its manifest, so no watcher reports it stalled:
    /// abandoned backups are not failures. On no caller's token, bounded by <see cref="RecordTimeout"/>; a delete that fails
    /// is logged as a warning (the claim stays, and a silo that watches it may report it failed).
    /// </summary>
    private async Task ReleaseOnDemandAsync(OnDemandClaim claim)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RecordTimeout);
            await claim.Blob.DeleteIfExistsAsync(DeleteSnapshotsOption.None, conditions: null, timeout.Token);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            LogReleaseFailed(logger, ex, claim.Name);
        }
    }

    /// <summary>
    /// Deletes <paramref name="claim"/> when it carries <paramref name="writer"/> (<see cref="WrittenByAsync"/>): the create
    /// of an on-demand backup cancelled (stopped) or failed (an SDK timeout) while it was under way landed, its answer lost, so
    /// <see cref="ReserveNameAsync"/> never returned it; left there, a silo watching the name would report a backup that
    /// was abandoned, or reported failed already, as stalled. Another writer's claim, or none, is left alone (If-Match on the ETag read); on no caller's
    /// token, bounded by <see cref="RecordTimeout"/>; a delete that fails is logged as a warning.
    /// </summary>
    private async Task ReleaseLandedAsync(BlobClient claim, string writer)
    {
        try
        {
            if (await WrittenByAsync(claim, writer) is { } mine)
            {
                using var timeout = new CancellationTokenSource(RecordTimeout);
                await claim.DeleteIfExistsAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = mine }, timeout.Token);
            }
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            var backup = claim.Name.Split('/')[0];
            LogReleaseFailed(logger, ex, backup);
        }
    }

    /// <summary>
    /// What <see cref="ReserveNameAsync"/> is doing, for a caller cancelled meanwhile: the writer id its creates carry and
    /// the claim it is creating or last created.
    /// </summary>
    private sealed class NameReservation
    {
        /// <summary>The writer id of every claim create of this reservation (<see cref="CreateOnceAsync"/>).</summary>
        public string Writer { get; } = NewWriter();

        /// <summary>The claim blob being created now, or last; null before the first.</summary>
        public BlobClient? Trying { get; set; }
    }

    /// <summary>An on-demand backup's claimed name (<see cref="ReserveNameAsync"/>), its claim blob, what that holds and its metadata (<see cref="MarkerStamp"/>).</summary>
    private sealed record OnDemandClaim(string Name, BlobClient Blob, string Holder, Dictionary<string, string> Stamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} is taken already (another backup started in that second, or something is under that name); this on-demand backup tries {Next}")]
    private static partial void LogNameTaken(ILogger logger, string backup, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backup {Backup} is a scheduled slot's name, kept for the schedule; this on-demand backup tries {Next}")]
    private static partial void LogSlotSkipped(ILogger logger, string backup, string next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not touch its claim; a silo watching it may take it for stalled")]
    private static partial void LogTouchFailed(ILogger logger, Exception exception, string backup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup} abandoned, and deleting its claim failed; a silo that watches it may report it failed")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string backup);
}

/// <summary>
/// An on-demand backup (<see cref="TableBackup.RunAsync"/> without a name) found every name of the minute from its start
/// taken (<c>yyyyMMdd-HHmmss</c>, UTC): it copied nothing and reported nothing; try again. Serialized with its message
/// under a stable alias should it cross silos.
/// </summary>
[GenerateSerializer, Alias("engagement.backup-names-taken.v1")]
public sealed class BackupNamesTakenException(string message) : InvalidOperationException(message);
