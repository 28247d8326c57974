using System.Collections.Concurrent;
using Engagement.Contracts.Audit;

namespace Engagement.Console.Tests;

/// <summary>
/// The host's audit log with failures on request: the next write about a target, or the next read, throws once
/// (as a storage outage would), everything else goes to the real log.
/// </summary>
public sealed class FlakyAuditLog(IAuditLog inner) : IAuditLog
{
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _failNextAppend = new(StringComparer.Ordinal);
    private int _failNextRead;

    /// <summary>The next <see cref="AppendAsync"/> whose entry's target is <paramref name="target"/> throws, once.</summary>
    public void FailNextAppend(string target) => FailNextAppend(target, what => new IOException(what));

    /// <summary>
    /// As <see cref="FailNextAppend(string)"/>, throwing what <paramref name="fault"/> makes of the description: a
    /// <see cref="TaskCanceledException"/> is how the audit table's SDK reports a timeout.
    /// </summary>
    public void FailNextAppend(string target, Func<string, Exception> fault) => _failNextAppend[target] = fault;

    /// <summary>
    /// The next <see cref="AppendAsync"/> about <paramref name="target"/> waits until the returned source is set (a slow
    /// storage timeout), then throws, once.
    /// </summary>
    public TaskCompletionSource HoldThenFailNextAppend(string target)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _holds[target] = gate;
        FailNextAppend(target);
        return gate;
    }

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new(StringComparer.Ordinal);

    /// <summary>The next <see cref="ReadAsync"/> throws, once.</summary>
    public void FailNextRead() => Interlocked.Exchange(ref _failNextRead, 1);

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_holds.TryRemove(entry.Target, out var gate))
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_failNextAppend.TryRemove(entry.Target, out var fault))
        {
            throw fault($"test: the audit write for {entry.Target} failed");
        }

        await inner.AppendAsync(entry, cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _failNextRead, 0) == 1
            ? throw new IOException("test: the audit read failed")
            : inner.ReadAsync(from, to, limit, cancellationToken);
}
