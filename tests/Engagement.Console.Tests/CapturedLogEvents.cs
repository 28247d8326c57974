using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Console.Tests;

/// <summary>
/// Every log event the host writes (a Serilog sink the host's logger reads from its services), so a test can check what
/// was logged: a message, its properties, and the exception logged with it.
/// </summary>
public sealed class CapturedLogEvents : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    /// <summary>The events written so far, oldest first.</summary>
    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Everything an event would put in a log: its rendered message, its properties and its exception.</summary>
    public static string Text(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        return string.Join(
            "\n",
            [logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture), .. logEvent.Properties.Select(p => $"{p.Key}={p.Value}"), logEvent.Exception?.ToString() ?? ""]);
    }
}
