using Engagement.Console.Hosting;
using Serilog.Events;

namespace Engagement.Silo;

/// <summary>
/// The level of the silo's one line per HTTP request (Serilog's request logging, docs/production.md "Readiness"):
/// health probes (<c>/health/*</c> and <c>/api/v1/health/*</c>) at Debug whatever they answer, so a <c>/health/ready</c>
/// answering 503 every few seconds during a storage freeze logs nothing at the default level (readiness changes are
/// logged once each by <see cref="Engagement.Api.Hosting.ReadinessLog"/>); a console circuit request (<c>/_blazor</c>)
/// refused (503) or aborted by a stopping silo (marked <see cref="ConsoleCircuitShutdown.ClosedForStopItem"/>) at
/// Information, since a rolling stop with console tabs open is routine; every other request keeps Serilog's default:
/// Error when it threw or answered 500 or more, Information otherwise.
/// </summary>
public static class RequestLogLevel
{
    /// <summary>The level of the request line of <paramref name="context"/>; <paramref name="elapsedMs"/> (milliseconds) is not used.</summary>
    public static LogEventLevel Of(HttpContext context, double elapsedMs, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/api/v1/health", StringComparison.OrdinalIgnoreCase))
        {
            return LogEventLevel.Debug;
        }

        if (context.Items.ContainsKey(ConsoleCircuitShutdown.ClosedForStopItem))
        {
            return LogEventLevel.Information;
        }

        return exception is not null || context.Response.StatusCode > 499 ? LogEventLevel.Error : LogEventLevel.Information;
    }
}
