using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The campaign grain's one-write-at-a-time gate on its own: a write that fails deactivates the grain and fails its
/// caller; a writer that waited behind it still writes the newer state, whatever the failed write threw.
/// </summary>
public sealed class StateWriteGateTests
{
    [Fact]
    public async Task A_change_waiting_behind_a_write_that_timed_out_is_still_written()
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var failures = 0;
        var gate = new StateWriteGate(
            async () =>
            {
                if (Interlocked.Increment(ref writes) == 1)
                {
                    await first.Task;
                }
            },
            () => Interlocked.Increment(ref failures));

        // The fan-out's checkpoint is being written; a pause changes the state meanwhile and waits for its own write.
        var checkpoint = gate.WriteAsync();
        var pause = gate.WriteAsync();
        Assert.False(pause.IsCompleted);

        // The checkpoint's write fails with a TaskCanceledException no token of ours cancelled (e.g. Orleans'
        // activation timeout, or a port's SDK timeout in a callee; grain-state storage failures arrive wrapped in an
        // OrleansException, which the gate treats the same).
        first.SetException(new TaskCanceledException("test: the storage call timed out"));

        await Assert.ThrowsAsync<TaskCanceledException>(() => checkpoint);
        Assert.Equal(1, failures);

        // The pause is not taken for a cancellation: its newer state (the checkpoint's changes too) is written.
        await pause;
        Assert.Equal(2, writes);
        Assert.Equal(1, failures);
    }
}
