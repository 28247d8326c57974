namespace Engagement.Azure.Storage;

/// <summary>
/// Runs an idempotent async setup step (create a table or queue if missing) once, shared by all callers;
/// a failed or cancelled attempt is retried by the next caller. Two racing first callers may both run it,
/// which is harmless for "create if not exists".
/// </summary>
internal sealed class AsyncOnce(Func<Task> action)
{
    private Task? _task;

    public Task RunAsync(CancellationToken cancellationToken = default)
    {
        var current = Volatile.Read(ref _task);
        if (current is null || current.IsFaulted || current.IsCanceled)
        {
            var started = action();
            var previous = Interlocked.CompareExchange(ref _task, started, current);
            current = ReferenceEquals(previous, current) ? started : previous!;
        }

        return current.IsCompletedSuccessfully ? Task.CompletedTask : current.WaitAsync(cancellationToken);
    }
}
