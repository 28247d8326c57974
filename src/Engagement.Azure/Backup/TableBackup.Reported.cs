using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Engagement.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// A slot whose only record is its failure-reported marker (<see cref="FailureReportedBlobName"/>: never started, its
/// failure reported once across the silos) is a failed backup, not an unfinished one: listed <c>failed</c> with the
/// reported reason, and not watched again when a silo starts.
/// </summary>
public sealed partial class TableBackup
{
    /// <summary>
    /// Whether backup <paramref name="name"/> (no manifest) is reported only (<see cref="ReportedOnlyAsync"/>); null,
    /// with a warning, when storage cannot say (the scan then counts it unfinished: its watch looks again).
    /// </summary>
    private async Task<bool?> IsReportedOnlyAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await ReportedOnlyAsync(container, name, cancellationToken) is not null;
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
        {
            LogReportedLookFailed(logger, ex, name);
            return null;
        }
    }

    /// <summary>
    /// The metadata of a failure-reported marker (<see cref="ReportOnceAsync"/>) or an on-demand backup's claim
    /// (<see cref="ReserveNameAsync"/>, and each touch of it) this writes: <paramref name="writer"/>
    /// (<see cref="CreateOnceAsync"/>) and this cluster's source (<see cref="BackupSource.ToMetadata"/>; none when this
    /// has none), so a marker says whose failure it reports (<see cref="ReportedOnlyAsync"/>) and a claim whose backup it
    /// is (a schedule's silo of another cluster sharing the container never watches or judges it).
    /// </summary>
    private Dictionary<string, string> MarkerStamp(string writer)
    {
        var metadata = new Dictionary<string, string>(source?.ToMetadata() ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        metadata[WriterMetadata] = writer;
        return metadata;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backup {Backup}: could not look at its blobs for a failure report; counted as unfinished, so it is watched, and so are the newer backups after it, without a look (each watch looks at its manifest first)")]
    private static partial void LogReportedLookFailed(ILogger logger, Exception exception, string backup);

    /// <summary>
    /// The <c>failed</c> record of backup <paramref name="name"/> when its only blob is its failure-reported marker: no
    /// tables, started at the instant its name spells (UTC), finished at the marker's stamp (UTC; the blob's last write
    /// when the stamp cannot be read), <see cref="BackupManifest.Error"/> the reason the marker carries (null when it
    /// carries none), <see cref="BackupManifest.Source"/> the cluster the marker records (null when it records none). Null when the backup has other blobs (a claim, tables: a copy that may still run) or none.
    /// Not a manifest in storage: nothing is written.
    /// </summary>
    /// <exception cref="RequestFailedException">Storage could not say (an SDK timeout too).</exception>
    internal static async Task<BackupManifest?> ReportedOnlyAsync(BlobContainerClient container, string name, CancellationToken cancellationToken)
    {
        var marker = FailureReportedBlobName(name);
        var found = false;
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{name}/", cancellationToken))
        {
            if (item.Name != marker)
            {
                return null;
            }

            found = true;
        }

        if (!found)
        {
            return null;
        }

        BlobDownloadResult read;
        try
        {
            read = (await container.GetBlobClient(marker).DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        // "{reporting|reported} {writer} {time:O} {machine}: {reason}" (ReportOnceAsync).
        var parts = read.Content.ToString().Split(' ', 4);
        var finished = parts.Length >= 3 && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var stamped) ? stamped : read.Details.LastModified;
        var colon = parts.Length == 4 ? parts[3].IndexOf(": ", StringComparison.Ordinal) : -1;
        return new BackupManifest
        {
            Name = name,
            Status = BackupManifest.Failed,
            StartedAt = BackupListing.StartOf(name, null) ?? finished,
            FinishedAt = finished,
            Error = colon >= 0 ? parts[3][(colon + 2)..] : null,
            Source = BackupSource.FromMetadata(read.Details.Metadata),
            Tables = [],
        };
    }

    /// <summary>
    /// What <see cref="TakeReportAsync"/> returns for a failure-reported marker of another cluster's: a sentinel, never
    /// an ETag storage gives.
    /// </summary>
    private static readonly ETag AnotherClustersMarker = new("another-cluster's marker");

    /// <summary>
    /// Whether the failure-reported marker of backup <paramref name="name"/>, with blob <paramref name="metadata"/>, records
    /// another cluster than this one (<see cref="BackupSource.ForeignTo"/>): another deployment sharing the container
    /// reported its own failure of that name, which is not this cluster's report. Said as an error naming both clusters.
    /// A marker recording no cluster, or this one with no source, counts as this cluster's: false.
    /// </summary>
    private bool ReportedByAnotherCluster(string name, IDictionary<string, string> metadata)
    {
        if (BackupSource.ForeignTo(source, metadata) is not { } other)
        {
            return false;
        }

        LogAnotherClustersMarker(logger, name, other.ToString(), source!.ToString());
        return true;
    }

    /// <summary>Whether <paramref name="marker"/> says <c>reported</c> by <paramref name="writer"/>; false when storage cannot say.</summary>
    private static async Task<bool> MarkedReportedAsync(BlobClient marker, string writer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(RecordTimeout);
            return (await marker.DownloadContentAsync(timeout.Token)).Value.Content.ToString().StartsWith($"{ReportedMark} {writer} ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Backup}: its failure-reported marker records another deployment ({Other}), not this one ({Own}); the backup container is shared by two deployments and must not be (docs/backups.md, \"Where the backups are kept\": one container per deployment). This silo reports its own failure anyway and leaves that marker as it is")]
    private static partial void LogAnotherClustersMarker(ILogger logger, string backup, string other, string own);
}
