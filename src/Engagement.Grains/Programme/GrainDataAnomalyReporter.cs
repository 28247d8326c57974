using Engagement.Contracts.Programme;
using Engagement.Contracts.Storage;
using Engagement.Domain.Metrics;
using Engagement.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Programme;

/// <summary>
/// Reports data anomalies (CONTRACT.md §5 <c>data.anomaly</c>: backups, storage checks) to the alerts grain, one report
/// at a time. A report the grain could not take (its write of the alert book failed: a storage fault; a publish that
/// failed after the write is retried too, harmlessly, raise and resolve being idempotent) is thrown back to the caller as
/// before and is not dropped: it is logged as a Warning naming the rule, the source (its alert's region id) and the
/// exception's type, and tried again on the engine clock (<see cref="PendingAnomalyReports"/>: 1 minute later, then 2,
/// 4 … at most an hour apart, the latest report of a source replacing an earlier one) until written; a retry that
/// succeeds is logged at Information. After <see cref="PendingAnomalyReports.MaxTries"/> (10) failed tries, some 4 hours,
/// or when more than <see cref="PendingAnomalyReports.MaxSources"/> sources wait, a report is given up with an Error
/// naming the rule and the source. Reports refused for want of room are the grain's to record
/// (<see cref="AlertRaisesRefused"/>), not retried here. The waiting reports live in this silo's memory: a silo that
/// stops first drops them, said in its log with their sources; and reports of the same source sent by another silo are
/// not ordered with them here: each report carries when it was observed (<see cref="AnomalyReport.ObservedAt"/>, this
/// silo's engine clock when first sent) and the alerts grain ignores a report observed before the latest report of the
/// other kind it holds of its source (<see cref="AnomalyResolves"/>), so a raise retried here after another silo resolved
/// the source does not reopen it, nor a resolve retried here after another silo raised it again close it. The reports go by <see cref="IAlertsGrain.RaiseObservedAnomalyAsync"/> and
/// <see cref="IAlertsGrain.ResolveObservedAnomalyAsync"/> (Orleans aliases <c>alerts.*-anomaly.v2</c>); during a rolling
/// upgrade a report reaching the grain on a silo of the previous release, which lacks them, fails and is retried as above
/// until the grain lives on an upgraded silo.
/// </summary>
public sealed partial class GrainDataAnomalyReporter(
    IGrainFactory grains,
    [FromKeyedServices(EngagementTime.Key)] TimeProvider time,
    ILogger<GrainDataAnomalyReporter> logger)
    : IDataAnomalyReporter, IDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly PendingAnomalyReports _pending = new();
    private ITimer? _timer;
    private bool _disposed;

    /// <inheritdoc />
    /// <exception cref="Exception">The alerts grain could not take it (kept and tried again, see the type).</exception>
    public Task RaiseAsync(string source, string message, CancellationToken cancellationToken = default) =>
        SendAsync(new AnomalyReport(source, true, message ?? "") { ObservedAt = time.GetUtcNow() }, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="Exception">The alerts grain could not take it (kept and tried again, see the type).</exception>
    public Task ResolveAsync(string source, CancellationToken cancellationToken = default) =>
        SendAsync(new AnomalyReport(source, false, null) { ObservedAt = time.GetUtcNow() }, cancellationToken);

    private async Task SendAsync(AnomalyReport report, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(report.Source);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            _pending.Replace(report.Source); // a later report of the source replaces the one waiting
            await CallAsync(report);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Sends <paramref name="report"/>; on a failure keeps it to be tried again, logs it and throws.</summary>
    private async Task CallAsync(AnomalyReport report)
    {
        try
        {
            var alerts = grains.GetGrain<IAlertsGrain>(0);
            await (report.Raise ? alerts.RaiseObservedAnomalyAsync(report.Source, report.Message ?? "", report.ObservedAt) : alerts.ResolveObservedAnomalyAsync(report.Source, report.ObservedAt));
        }
        catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None) && ex is not ArgumentException)
        {
            var (tried, givenUp) = _pending.Failed(report, time.GetUtcNow());
            Schedule(); // before the log line: its next try is set when the failure is told
            if (ReferenceEquals(givenUp, tried))
            {
                LogGivenUpAfterTries(ex, AlertRules.DataAnomaly, report.Source, report.Change, tried.Tries, tried.FirstFailedAt, ex.GetType().Name);
            }
            else
            {
                LogNotWritten(ex, AlertRules.DataAnomaly, report.Source, report.Change, tried.Tries, ex.GetType().Name, tried.NextAt);
                if (givenUp is not null)
                {
                    LogGivenUp(AlertRules.DataAnomaly, givenUp.Report.Source, givenUp.Report.Change, givenUp.Tries, givenUp.FirstFailedAt, PendingAnomalyReports.MaxSources);
                }
            }

            throw;
        }
    }

    private void Schedule()
    {
        if (_disposed || _pending.NextAt is not { } next)
        {
            return;
        }

        var due = next - time.GetUtcNow();
        var delay = due > TimeSpan.Zero ? due : TimeSpan.Zero;
        if (_timer is null)
        {
            _timer = time.CreateTimer(_ => _ = RetryAsync(), null, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RetryAsync()
    {
        await _sending.WaitAsync(); // never disposed: Dispose stops the timer only
        try
        {
            foreach (var report in _pending.Due(time.GetUtcNow()))
            {
                var tries = _pending.Of(report.Source)?.Tries ?? 0;
                try
                {
                    await CallAsync(report);
                    _pending.Written(report);
                    LogWrittenLate(AlertRules.DataAnomaly, report.Source, report.Change, tries + 1);
                }
                catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
                {
                    // Logged (with its type) and kept or given up by CallAsync.
                }
            }

            Schedule();
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Stops the retries; reports still waiting are logged as dropped.</summary>
    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
        if (_pending.Count > 0)
        {
            LogDropped(AlertRules.DataAnomaly, _pending.Count, _pending.Sources);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Rule} in {RegionId}: its {Change} was not written to the alert book (try {Tries}): {ExceptionType}; tried again at {RetryAt:O} UTC until written, replaced by a later report of its source or given up")]
    private partial void LogNotWritten(Exception exception, string rule, string regionId, string change, int tries, string exceptionType, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Rule} in {RegionId}: its {Change} is given up after {Tries} failed tries since {FirstFailedAt:O} UTC, the last {ExceptionType}; it is raised again when its source reports again")]
    private partial void LogGivenUpAfterTries(Exception exception, string rule, string regionId, string change, int tries, DateTimeOffset firstFailedAt, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Rule} in {RegionId}: its {Change} was written to the alert book at try {Tries}")]
    private partial void LogWrittenLate(string rule, string regionId, string change, int tries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Rule} in {RegionId}: its {Change} is given up after {Tries} failed tries since {FirstFailedAt:O} UTC, more than {MaxSources} sources waiting; it is raised again when its source reports again")]
    private partial void LogGivenUp(string rule, string regionId, string change, int tries, DateTimeOffset firstFailedAt, int maxSources);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} {Rule} reports not yet written to the alert book are dropped as the silo stops, of sources {Sources}; each is raised again when its source reports again")]
    private partial void LogDropped(string rule, int count, IReadOnlyList<string> sources);
}
