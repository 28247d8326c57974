using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Backup;

/// <summary>
/// Told when a backup fails (scheduled or run by hand), after <see cref="TableBackup"/> wrote its <c>failed</c>
/// manifest. Every registered listener is called, in registration order; the default one,
/// <see cref="LoggingBackupFailureListener"/>, logs the error. This is the hook for the programme's
/// <c>data.anomaly</c> alert: register another listener (<c>services.AddSingleton&lt;IBackupFailureListener, …&gt;()</c>
/// beside <c>AddEngagementBackups</c>) and the backup raises it, without the backup knowing about alerts.
/// </summary>
public interface IBackupFailureListener
{
    /// <summary>
    /// Called once per failed backup. A listener must not throw for an ordinary failure of its own (log it
    /// instead); an exception it throws is logged and the other listeners still run.
    /// </summary>
    Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken);

    /// <summary>
    /// Called once per backup that completed (its manifest written), so a listener can end an episode it opened
    /// on a failure. The default does nothing.
    /// </summary>
    Task BackupCompletedAsync(string backup, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What failed, for a <see cref="IBackupFailureListener"/>.</summary>
/// <param name="Backup">Backup name (<c>yyyyMMdd-HHmmss</c>, UTC start).</param>
/// <param name="Container">Blob container it was written to.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="FailedAt">When it broke off (UTC).</param>
/// <param name="TablesCopied">Tables copied completely before the failure, in order.</param>
/// <param name="Exception">The failure.</param>
public sealed record BackupFailure(string Backup, string Container, DateTimeOffset StartedAt, DateTimeOffset FailedAt, IReadOnlyList<string> TablesCopied, Exception Exception);

/// <summary>
/// The default <see cref="IBackupFailureListener"/>: one error line,
/// <c>Backup {Backup} to container {Container} FAILED after {TablesCopied} complete tables; …</c>,
/// with the exception. Operators alert on it until the <c>data.anomaly</c> alert exists.
/// </summary>
public sealed partial class LoggingBackupFailureListener(ILogger<TableBackup> logger) : IBackupFailureListener
{
    /// <inheritdoc />
    public Task BackupFailedAsync(BackupFailure failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        LogFailed(logger, failure.Exception, failure.Backup, failure.Container, failure.TablesCopied.Count);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Backup {Backup} to container {Container} FAILED after {TablesCopied} complete tables; the last complete backup is the one to restore")]
    private static partial void LogFailed(ILogger logger, Exception exception, string backup, string container, int tablesCopied);
}
