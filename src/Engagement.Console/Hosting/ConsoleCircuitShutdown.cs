using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Console.Hosting;

/// <summary>
/// Lets a silo with console pages open stop in seconds. When the host stops, SignalR closes the circuits' connections
/// (<c>/_blazor</c>) it tracks, and each open page reconnects at once; a reconnect that reaches the server before it
/// stops listening opens a connection SignalR no longer closes, and the server's stop waits for it for tens of seconds
/// (measured once before this fix: ~32 s on a silo, 30.7 s in the console test host): dotnet/aspnetcore#58947, still
/// open in .NET 10. So once <see cref="IHostApplicationLifetime.ApplicationStopping"/>
/// has fired, a <c>/_blazor</c> request is answered 503 (the page shows its reconnect prompt and, behind a load
/// balancer, reconnects to another silo and reloads there, still signed in), and a <c>/_blazor</c> connection still open
/// is aborted. Nothing else is touched: an API request in flight, or one that arrives while the server still listens,
/// runs to its end as before; the work of a circuit's own action in flight (a grain call) is not cancelled, only the
/// page's connection to it. Refused and aborted requests are marked (<see cref="ClosedForStopItem"/>) so the silo logs
/// them as routine; the stop is logged (Information) only when it finds circuit requests open.
/// </summary>
public static partial class ConsoleCircuitShutdown
{
    /// <summary>The path of the circuits' SignalR connections (negotiation, WebSocket, fallbacks).</summary>
    public const string CircuitPath = "/_blazor";

    /// <summary>
    /// The <see cref="HttpContext.Items"/> key set (value <see langword="true"/>) on a <c>/_blazor</c> request this
    /// middleware refused (503) or aborted because the host is stopping: a routine part of a stop, which the silo's
    /// request line logs at Information rather than as a failed request (Engagement.Silo's RequestLogLevel).
    /// </summary>
    public const string ClosedForStopItem = "Engagement.Console.CircuitClosedForStop";

    /// <summary>
    /// Adds the middleware; call before the console's endpoints are mapped (<see cref="ConsoleHostingExtensions.MapEngagementConsole"/> does).
    /// </summary>
    public static IApplicationBuilder UseConsoleCircuitShutdown(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleCircuitShutdown));
        // The open circuit requests, counted and aborted by one stop callback: counted first, so the line names every
        // request the stop closes, however soon an aborted request ends and leaves the set.
        var open = new ConcurrentDictionary<HttpContext, byte>();
        stopping.Register(() =>
        {
            var closing = open.Keys.ToArray();
            if (closing.Length > 0)
            {
                LogStopping(logger, closing.Length);
            }

            foreach (var context in closing)
            {
                AbortForStop(context);
            }
        });
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(CircuitPath))
            {
                await next(context);
                return;
            }

            if (stopping.IsCancellationRequested)
            {
                RefuseForStop(context);
                return;
            }

            open.TryAdd(context, 0);
            try
            {
                // A stop that fired between the check above and the add may have missed this request: refused here.
                if (stopping.IsCancellationRequested)
                {
                    RefuseForStop(context);
                    return;
                }

                await next(context);
            }
            finally
            {
                open.TryRemove(context, out _);
            }
        });
    }

    private static void RefuseForStop(HttpContext context)
    {
        context.Items[ClosedForStopItem] = true;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    }

    private static void AbortForStop(HttpContext context)
    {
        context.Items[ClosedForStopItem] = true;
        context.Abort();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closing {OpenCircuitRequests} open console circuit requests and refusing new ones (503), so the stop does not wait for them")]
    private static partial void LogStopping(ILogger logger, int openCircuitRequests);
}
