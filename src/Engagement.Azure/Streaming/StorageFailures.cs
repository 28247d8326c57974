namespace Engagement.Azure.Streaming;

/// <summary>
/// Which exceptions of a storage call the ingestion path treats as "the call failed, carry on": every one except
/// the caller's own cancellation (and out-of-memory). A single <c>RequestFailedException</c> is not enough: once the
/// Azure SDK's retries are used up on a network error, it throws an <see cref="AggregateException"/> of them, and an
/// HTTP timeout arrives as a <see cref="TaskCanceledException"/> nobody asked for. Such an exception escaping a
/// receiver would lose the batch being admitted, or end the loop that renews held messages.
/// </summary>
internal static class StorageFailures
{
    /// <summary>True when <paramref name="exception"/> is a failed storage call, not a cancellation by <paramref name="cancellationToken"/>.</summary>
    public static bool IsFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OutOfMemoryException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
