namespace Engagement.Contracts.Storage;

/// <summary>
/// Which exceptions of a storage call are treated as "the call failed, carry on": every one except the caller's own
/// cancellation (and out-of-memory). A single <c>RequestFailedException</c> is not enough: once the Azure SDK's retries
/// are used up on a network error, it throws an <see cref="AggregateException"/> of them, and an HTTP timeout arrives
/// as a <see cref="TaskCanceledException"/> nobody asked for. On the ingestion path (Engagement.Azure's queue receivers)
/// such an exception escaping would lose the batch being admitted, or end the loop that renews held messages; in the
/// member grain it would fail a deactivation, an activation, or a change whose own write had succeeded; on the console's
/// pages it would end the operator's circuit. In Contracts so the silo's projects and the console share the one rule.
/// </summary>
public static class StorageFailures
{
    /// <summary>
    /// True when <paramref name="exception"/> is a failed storage call (a timeout's <see cref="TaskCanceledException"/>
    /// too), not a cancellation by <paramref name="cancellationToken"/>; false for <see cref="OutOfMemoryException"/>.
    /// With no caller's token (<see cref="CancellationToken.None"/>) every cancellation is a failure.
    /// </summary>
    /// <param name="exception">What the storage call (or the work around it) threw.</param>
    /// <param name="cancellationToken">The caller's token, whose own cancellation is not a failure.</param>
    public static bool IsFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not OutOfMemoryException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
