using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Api.Tests.Operations;

/// <summary>For the host fixtures that read their own log: a sink that keeps every event the host's Serilog logger writes.</summary>
internal static class HostLogEvents
{
    /// <summary>
    /// Registers a sink that adds each event to <paramref name="events"/>, in order (the host's Serilog logger also writes
    /// to the sinks registered as services).
    /// </summary>
    public static IServiceCollection AddLogEventQueue(this IServiceCollection services, ConcurrentQueue<LogEvent> events) =>
        services.AddSingleton<ILogEventSink>(new QueueSink(events));

    private sealed class QueueSink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }
}
