using System.Text.RegularExpressions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Hosting;

/// <summary>
/// Logs readiness (<c>/health/ready</c>) once per change, not once per probe (docs/production.md "Readiness"): the
/// first probe's state as Information (the baseline: a silo still joining its cluster is not yet ready, which is no
/// fault); after the silo has once been ready, one Warning when readiness turns Unhealthy, on one line naming each
/// failing check (an Information instead when the only failing check is the cluster check seeing this silo
/// <c>ShuttingDown</c> or <c>Stopping</c>: a graceful stop, as in every rolling deploy), its description and its exception's type and message (never a stack trace); one Information when it
/// is ready again, with how long it was not (UTC durations from the host's <see cref="TimeProvider"/>, in seconds).
/// Probes that change nothing log nothing. One per process: both <c>/health/ready</c> paths share it. The health-check
/// service's own per-probe line (an Error with the check's exception) is dropped from the silo's log (its
/// <c>HealthProbeLogFilter</c>).
/// </summary>
public sealed partial class ReadinessLog(ILogger<ReadinessLog> logger, TimeProvider time)
{
    /// <summary>The name the silo registers its cluster check under (<c>cluster</c>).</summary>
    public const string ClusterCheckName = "cluster";

    private readonly Lock _gate = new();
    private bool _observed;
    private bool _everReady;
    private bool _ready;
    private DateTimeOffset _since;

    /// <summary>Notes <paramref name="report"/> (a readiness probe's answer) and logs it when readiness changed.</summary>
    public void Observe(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ready = report.Status != HealthStatus.Unhealthy;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_observed)
            {
                _observed = true;
                (_ready, _everReady, _since) = (ready, ready, now);
                if (ready)
                {
                    LogBaselineReady(logger, report.Status);
                }
                else
                {
                    var reason = Reason(report);
                    LogBaselineNotReady(logger, report.Status, reason);
                }

                return;
            }

            if (ready == _ready)
            {
                return;
            }

            var seconds = (now - _since).TotalSeconds;
            (_ready, _since) = (ready, now);
            if (!ready)
            {
                var reason = Reason(report);
                if (IsStopping(report))
                {
                    LogStopping(logger, report.Status, reason);
                }
                else
                {
                    LogTurnedUnready(logger, report.Status, reason);
                }
            }
            else if (_everReady)
            {
                LogRecovered(logger, seconds);
            }
            else
            {
                _everReady = true;
                LogFirstReady(logger, seconds);
            }
        }
    }

    /// <summary>
    /// The failing checks of <paramref name="report"/> on one line: <c>storage: Azure Storage did not answer within 3 s.
    /// (TaskCanceledException: A task was canceled.)</c>, several joined by <c>; </c>.
    /// </summary>
    public static string Reason(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Join("; ", report.Entries
            .Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => OneLine(e.Value.Exception is { } ex
                ? $"{e.Key}: {e.Value.Description} ({ex.GetType().Name}: {ex.Message})"
                : $"{e.Key}: {e.Value.Description}")));
    }

    /// <summary>
    /// Whether every failing check of <paramref name="report"/> is the cluster check seeing this silo
    /// <c>ShuttingDown</c> or <c>Stopping</c> (its <c>siloStatus</c> data): a graceful stop (a rolling deploy), no fault.
    /// </summary>
    public static bool IsStopping(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).ToList();
        return failing.Count > 0 && failing.All(e =>
            e.Key == ClusterCheckName
            && e.Value.Data.TryGetValue("siloStatus", out var status)
            && status?.ToString() is "ShuttingDown" or "Stopping");
    }

    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness at start: {Status}")]
    private static partial void LogBaselineReady(ILogger logger, HealthStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness at start: {Status}, not ready yet: {Reason}")]
    private static partial void LogBaselineNotReady(ILogger logger, HealthStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness turned Healthy {NotReadySeconds:0.0} s after the first probe")]
    private static partial void LogFirstReady(ILogger logger, double notReadySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness turned {Status}: {Reason}; /health/ready answers 503 until it recovers")]
    private static partial void LogTurnedUnready(ILogger logger, HealthStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness turned {Status}: the silo is stopping ({Reason}); /health/ready answers 503 until it is gone")]
    private static partial void LogStopping(ILogger logger, HealthStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Readiness recovered after {NotReadySeconds:0.0} s: /health/ready answers 200 again")]
    private static partial void LogRecovered(ILogger logger, double notReadySeconds);
}
