namespace Engagement.Grains.Campaigns;

/// <summary>
/// One state write at a time for an activation whose turns interleave (a timer loop and interleaved calls share the
/// state and its ETag). Turns of one activation run one at a time, so checking and setting the pending write cannot
/// race. A write that fails calls <c>onFailure</c> (deactivate: memory may be ahead of storage) and rethrows.
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
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The writer that failed reports it; this one writes the newer state (or fails the same way).
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
