using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Display;
using MelLogger = Microsoft.Extensions.Logging.ILogger;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>
/// A Microsoft.Extensions.Logging logger that writes through Serilog, as the silo's does, and keeps each line as Serilog
/// renders it: Serilog adds the logger's own <c>EventId</c> to the event's properties, so a template property of that name
/// shows here (and on the silo's console) as <c>{"Id": …, "Name": …}</c>, not as the value passed.
/// </summary>
public sealed class SerilogLines : IDisposable
{
    // The message as the silo's console template writes it ({Message:lj}: strings unquoted).
    private static readonly MessageTemplateTextFormatter Format = new("{Message:lj}", CultureInfo.InvariantCulture);
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Logger _serilog;
    private readonly SerilogLoggerProvider _provider;

    public SerilogLines()
    {
        _serilog = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new Sink(_lines)).CreateLogger();
        _provider = new SerilogLoggerProvider(_serilog);
    }

    /// <summary>The logger of category <paramref name="category"/>, writing here.</summary>
    public MelLogger CreateLogger(string category) => _provider.CreateLogger(category);

    /// <summary>The rendered lines (the message only, as <c>{Message:lj}</c> writes it, culture-invariant), oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public void Dispose()
    {
        _provider.Dispose();
        _serilog.Dispose();
    }

    // Not the outer class: the Serilog logger disposes its sinks.
    private sealed class Sink(ConcurrentQueue<string> lines) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            ArgumentNullException.ThrowIfNull(logEvent);
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            Format.Format(logEvent, text);
            lines.Enqueue(text.ToString());
        }
    }
}
