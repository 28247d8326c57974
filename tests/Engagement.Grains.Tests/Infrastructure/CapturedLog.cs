using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Tests.Infrastructure;

/// <summary>A logger for one category keeping what it was told: level, rendered message and exception.</summary>
public sealed class CapturedLog<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> _entries = new();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
