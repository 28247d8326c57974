using System.Collections.Concurrent;
using Engagement.Api.Hosting;
using Microsoft.Extensions.Logging;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// How work that outlived its 503 ends is logged once, without a stack trace for a transient fault (a storage freeze
/// abandons many requests), and as a Warning when it was a command that failed.
/// </summary>
public sealed class MemberDeadlineLogTests
{
    [Theory]
    [InlineData(MemberDeadlineKind.Read, LogLevel.Information)]
    [InlineData(MemberDeadlineKind.Command, LogLevel.Warning)]
    public async Task ATransientFaultAfterThe503IsItsTypeAndMessageWithoutTheException(MemberDeadlineKind kind, LogLevel level)
    {
        var entry = await FinishLateAsync(kind, work => work.SetException(new TimeoutException("Response did not arrive on time in 00:00:30.")));

        Assert.Equal(level, entry.Level);
        Assert.Null(entry.Exception);
        Assert.Contains("TimeoutException: Response did not arrive on time in 00:00:30.", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommandThatFailedForAnotherReasonIsAWarningWithItsException()
    {
        var entry = await FinishLateAsync(MemberDeadlineKind.Command, work => work.SetException(new InvalidOperationException("a bug")));

        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public async Task ACommandThatCompletedAfterThe503IsAnInformation()
    {
        var entry = await FinishLateAsync(MemberDeadlineKind.Command, work => work.SetResult("applied"));

        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Null(entry.Exception);
        Assert.EndsWith(": completed", entry.Message, StringComparison.Ordinal);
    }

    private static async Task<(LogLevel Level, string Message, Exception? Exception)> FinishLateAsync(MemberDeadlineKind kind, Action<TaskCompletionSource<object>> end)
    {
        var logger = new ListLogger();
        var work = new TaskCompletionSource<object>();
        Assert.Null(await MemberDeadlines.WithinAsync(work.Task, TimeSpan.FromMilliseconds(1), logger, "PUT /api/v1/catalogue/R1/stock", kind));
        end(work);
        await Poll.UntilAsync<string>(() => Task.FromResult<string?>(logger.Entries.IsEmpty ? null : "logged"), _ => true);
        return Assert.Single(logger.Entries);
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
