using Engagement.Contracts.Programme;

namespace Engagement.Azure.Backup;

/// <summary>
/// Raises the programme's <c>data.anomaly</c> alert (CONTRACT.md §5) with source <c>backup</c> when a backup fails,
/// and resolves it when the next backup completes. Registered by the silo beside the alerts grain; the
/// stand-alone <c>Engagement.Silo backup</c> command has no cluster and keeps only the logging listener.
/// </summary>
public sealed class AnomalyBackupFailureListener(IDataAnomalyReporter anomalies) : IBackupFailureListener
{
    /// <summary>The anomaly source a backup raises and resolves.</summary>
    public const string Source = "backup";

    /// <inheritdoc />
    public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return anomalies.RaiseAsync(
            Source,
            $"backup {failure.Backup} failed after {failure.TablesCopied.Count} complete tables: {failure.Exception.GetType().Name}",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) =>
        anomalies.ResolveAsync(Source, cancellationToken);
}
