namespace Engagement.Azure.Streaming;

/// <summary>One receiver's hand-back: completed once, at the end of its shutdown.</summary>
public sealed class QueueHandBack
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly QueueHandBacks _owner;

    internal QueueHandBack(string queue, QueueHandBacks owner)
    {
        Queue = queue;
        _owner = owner;
    }

    /// <summary>The storage queue the receiver read.</summary>
    public string Queue { get; }

    internal Task Completion => _done.Task;

    /// <summary>The receiver has handed back (its totals are logged): it is no longer waited for. Idempotent.</summary>
    public void Complete()
    {
        _owner.Remove(this);
        _done.TrySetResult();
    }
}
