using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>Every log line of a test silo (all categories), so a test can find the one its fault should cause.</summary>
public sealed class SiloLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> _lines = new();

    /// <summary>The lines at <paramref name="level"/> whose message contains <paramref name="text"/>.</summary>
    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Exception)> Lines(LogLevel level, string text) =>
        [.. _lines.Where(l => l.Level == level && l.Message.Contains(text, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(SiloLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._lines.Enqueue((category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
