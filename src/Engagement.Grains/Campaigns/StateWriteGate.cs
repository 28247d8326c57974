using Engagement.Contracts.Storage;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// One state write at a time for an activation whose turns interleave (a timer loop and interleaved calls share the
/// state and its ETag). Turns of one activation run one at a time, so checking and setting the pending write cannot
/// race. A write that fails calls <c>onFailure</c> (deactivate: memory may be ahead of storage) and rethrows.
/// A writer waiting behind a failed write writes the newer state all the same, whatever that write threw: a
/// cancellation out of a write (which has no token) is storage giving up (<see cref="StorageFailures"/>), not a
/// cancellation of the waiting change. Through <c>IPersistentState</c> Orleans' storage bridge already wraps every
/// provider exception in an <c>OrleansException</c>; the gate does not rely on it.
/// What must follow a change's storing (a log line saying it is stored) is handed to <see cref="WhenStored"/>: it runs
/// after the first write that stores the change, whichever writer's that is, since a failed write's change is stored
/// by the next writer's write when one comes before the activation deactivates (and never, when none does: the
/// activation then reloads storage, which lacks the change, and whoever made it makes it again).
/// </summary>
internal sealed class StateWriteGate(Func<Task> write, Action onFailure)
{
    private Task? _writing;

    /// <summary>Actions waiting for the change made before them to be stored, in the order they were handed in.</summary>
    private List<Action> _whenStored = [];

    /// <summary>
    /// Runs <paramref name="action"/> once a write started after this call has succeeded (the change made before this
    /// call is then in storage); kept for the next write when that one fails; dropped with the activation if none succeeds.
    /// </summary>
    public void WhenStored(Action action) => _whenStored.Add(action);

    /// <summary>Waits for the write in progress, then writes the current state.</summary>
    public async Task WriteAsync()
    {
        while (_writing is { } previous)
        {
            try
            {
                await previous;
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // The writer that failed reports it; this one writes the newer state (or fails the same way). A write
                // has no token of its own: every cancellation out of it is storage giving up (an SDK timeout).
            }
        }

        // Taken in the turn that starts the write: what this write stores includes every change they follow.
        var stored = _whenStored;
        _whenStored = [];
        var pending = write();
        _writing = pending;
        try
        {
            await pending;
        }
        catch
        {
            // Not stored: the next write (a waiting writer's, run before this activation deactivates) stores the change.
            _whenStored.InsertRange(0, stored);
            onFailure();
            throw;
        }
        finally
        {
            if (ReferenceEquals(_writing, pending))
            {
                _writing = null;
            }
        }

        foreach (var action in stored)
        {
            action();
        }
    }
}
