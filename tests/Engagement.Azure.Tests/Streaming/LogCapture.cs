using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Engagement.Azure.Tests.Streaming;

/// <summary>Keeps every formatted log line written through it (a logger and a provider, for a silo's logging).</summary>
public sealed class LogCapture : ILogger, ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> _lines = new();
    private readonly string _category;

    public LogCapture()
        : this("test")
    {
    }

    private LogCapture(string category, ConcurrentQueue<(LogLevel, string, string)>? lines = null)
    {
        _category = category;
        _lines = lines ?? _lines;
    }

    /// <summary>The lines at <paramref name="level"/> or above that contain every one of <paramref name="parts"/>.</summary>
    public IReadOnlyList<string> Lines(LogLevel level, params string[] parts) =>
        _lines.Where(l => l.Level >= level && parts.All(p => l.Text.Contains(p, StringComparison.Ordinal)))
            .Select(l => $"{l.Category}: {l.Text}")
            .ToList();

    public ILogger CreateLogger(string categoryName) => new LogCapture(categoryName, _lines);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            _lines.Enqueue((logLevel, _category, formatter(state, exception)));
        }
    }

    public void Dispose()
    {
    }
}
