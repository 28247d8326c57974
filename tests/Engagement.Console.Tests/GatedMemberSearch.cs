using System.Collections.Concurrent;
using Engagement.Contracts.Search;

namespace Engagement.Console.Tests;

/// <summary>
/// The host's member search, where a test can hold the search for one query until it lets it go (a slow read), or make
/// it fail once (a timeout).
/// </summary>
public sealed class GatedMemberSearch(IMemberSearch inner) : IMemberSearch
{
    private readonly ConcurrentDictionary<string, Hold> _holds = new(StringComparer.Ordinal);

    /// <summary>The next search for <paramref name="query"/> waits until <see cref="Hold.Release"/> (or its cancellation).</summary>
    public Hold HoldNext(string query) => _holds[query] = new Hold();

    private readonly ConcurrentDictionary<string, Func<string, Exception>> _failures = new(StringComparer.Ordinal);

    /// <summary>
    /// The next search for <paramref name="query"/> throws what <paramref name="fault"/> makes of its description, once: a
    /// <see cref="TaskCanceledException"/> is how the index table's SDK reports a timeout.
    /// </summary>
    public void FailNext(string query, Func<string, Exception> fault) => _failures[query] = fault;

    private readonly ConcurrentQueue<(string Query, int Limit)> _asked = new();

    /// <summary>The limits of the searches for <paramref name="query"/> so far, in order.</summary>
    public IReadOnlyList<int> LimitsAskedFor(string query) => [.. _asked.Where(a => a.Query == query).Select(a => a.Limit)];

    public async Task<IReadOnlyList<MemberSearchHit>> SearchAsync(string query, int limit, CancellationToken cancellationToken = default)
    {
        _asked.Enqueue((query, limit));
        if (_failures.TryRemove(query, out var fault))
        {
            // Without the query: it may be a phone number, and the page logs the exception (tests must not make that normal).
            throw fault("test: the member search timed out");
        }

        if (_holds.TryRemove(query, out var hold))
        {
            hold.Entered.TrySetResult();
            try
            {
                await hold.Released.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                hold.Cancelled.TrySetResult();
                throw;
            }
        }

        return await inner.SearchAsync(query, limit, cancellationToken);
    }

    /// <summary>One held search: when it started, whether its caller cancelled it, and the release.</summary>
    public sealed class Hold
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => Released.TrySetResult();

        /// <summary>Lets the held search go by throwing <paramref name="failure"/> (a timeout that came late).</summary>
        public void Fail(Exception failure) => Released.TrySetException(failure);
    }
}
