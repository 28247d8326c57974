using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// The schedule's clusters: a claim records the cluster that wrote it (<see cref="BackupSource.ToMetadata"/>), and a claim
/// of another cluster in this silo's container — two deployments (production and a restore drill, say) writing backups to
/// one container, which docs/backups.md "Where the backups are kept" says must not be — is skipped loudly, never touched.
/// </summary>
public sealed partial class BackupScheduler
{
    /// <summary>The backups (slot names) whose claim of another cluster this silo has logged already: one error per slot.</summary>
    private readonly ConcurrentDictionary<string, byte> _foreignSaid = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the claim of backup <paramref name="name"/>, with blob <paramref name="metadata"/>, records another cluster
    /// than this silo's (<see cref="BackupSource.IsSameCluster"/>). Such a claim is not this cluster's to copy under, watch,
    /// judge stalled or failed, or release; the first time per slot it is logged as an error naming both clusters. A claim
    /// recording no cluster (written before claims recorded it), or a silo given none, counts as this cluster's: false.
    /// </summary>
    /// <param name="name">The backup (its slot's name).</param>
    /// <param name="metadata">The claim's or marker's blob metadata.</param>
    /// <param name="releasedMarker">The metadata is of the slot's released marker, not its claim: said so in the error.</param>
    private bool SaysForeign(string name, IDictionary<string, string>? metadata, bool releasedMarker = false)
    {
        if (BackupSource.ForeignTo(source, metadata) is not { } found)
        {
            return false;
        }

        if (_foreignSaid.TryAdd(name, 0))
        {
            if (releasedMarker)
            {
                LogForeignReleased(logger, name, found.ToString(), source!.ToString());
            }
            else
            {
                LogForeignClaim(logger, name, found.ToString(), source!.ToString());
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Backup} skipped: its slot is claimed by another deployment ({Other}), not this one ({Own}); the backup container is shared by two deployments and must not be (docs/backups.md, \"Where the backups are kept\": one container per deployment). This silo neither backs up this slot nor watches or judges the other deployment's backup")]
    private static partial void LogForeignClaim(ILogger logger, string backup, string other, string own);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Backup} skipped: its slot's released marker was written by another deployment ({Other}), not this one ({Own}); the backup container is shared by two deployments and must not be (docs/backups.md, \"Where the backups are kept\": one container per deployment). This silo neither takes that slot late nor judges the other deployment's backup")]
    private static partial void LogForeignReleased(ILogger logger, string backup, string other, string own);
}
