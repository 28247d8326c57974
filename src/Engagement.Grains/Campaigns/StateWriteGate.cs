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
/// </summary>
internal sealed class StateWriteGate(Func<Task> write, Action onFailure)
{
    private Task? _writing;

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

        var pending = write();
        _writing = pending;
        try
        {
            await pending;
        }
        catch
        {
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
    }
}
