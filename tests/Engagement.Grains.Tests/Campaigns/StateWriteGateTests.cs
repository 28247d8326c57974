using Engagement.Grains.Campaigns;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The campaign grain's one-write-at-a-time gate on its own: a write that fails deactivates the grain and fails its
/// caller; a writer that waited behind it still writes the newer state, whatever the failed write threw; what follows a
/// change's storing (<see cref="StateWriteGate.WhenStored"/>) runs after the write that stores it, whichever writer's.
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

    [Fact]
    public Task What_follows_a_change_whose_write_failed_runs_once_the_waiting_writers_write_stores_it() => OneTurnAtATime(async () =>
    {
        TaskCompletionSource[] held = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        var writes = 0;
        var ran = new List<string>();
        var gate = new StateWriteGate(
            async () =>
            {
                if (++writes <= held.Length)
                {
                    await held[writes - 1].Task;
                }
            },
            () => { });

        // A page's checkpoint (its given-up line to follow it) is being written; another page's waits behind it.
        gate.WhenStored(() => ran.Add("failed page"));
        var checkpoint = gate.WriteAsync();
        gate.WhenStored(() => ran.Add("next page"));
        var next = gate.WriteAsync();

        // The failed write runs nothing, nor does the next one until it is stored; then both run, in order, once.
        held[0].SetException(new InvalidOperationException("test: the storage write failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoint);
        Assert.Empty(ran);
        held[1].SetResult();
        await next;
        Assert.Equal(["failed page", "next page"], ran);
        await gate.WriteAsync();
        Assert.Equal((3, 2), (writes, ran.Count));
    });

    /// <summary>Runs <paramref name="test"/> as on a grain activation's scheduler: one turn at a time, in the order they were queued.</summary>
    private static Task OneTurnAtATime(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();
}
