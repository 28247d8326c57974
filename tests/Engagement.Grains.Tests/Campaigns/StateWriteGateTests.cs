using Engagement.Grains.Campaigns;
using Orleans.Storage;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// The campaign grain's one-write-at-a-time gate on its own. It fails closed: a write that fails deactivates the grain
/// and fails its caller, and every write after it (a writer that waited behind it included) is refused, as the memory
/// it would store may hold the failed change; what follows a change's storing (<see cref="StateWriteGate.WhenStored"/>)
/// runs only after the write that stores it, each action on its own.
/// </summary>
public sealed class StateWriteGateTests
{
    [Fact]
    public Task A_change_waiting_behind_a_write_that_timed_out_is_refused_not_written() => OneTurnAtATime(async () =>
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var failures = 0;
        var gate = new StateWriteGate(
            async () =>
            {
                if (++writes == 1)
                {
                    await first.Task;
                }
            },
            () => failures++,
            ex => throw new InvalidOperationException("no action runs here", ex));

        // The fan-out's checkpoint is being written; a pause changes the state meanwhile and waits for its own write.
        var checkpoint = gate.WriteAsync();
        var pause = gate.WriteAsync();
        Assert.False(pause.IsCompleted);

        // The checkpoint's write fails with a TaskCanceledException no token of ours cancelled (an SDK timeout).
        first.SetException(new TaskCanceledException("test: the storage call timed out"));
        await Assert.ThrowsAsync<TaskCanceledException>(() => checkpoint);

        // The pause's state holds the checkpoint's unsaved change: refused, not written; the grain deactivates once.
        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => pause);
        Assert.IsType<TaskCanceledException>(refused.InnerException);
        await Assert.ThrowsAsync<InconsistentStateException>(gate.WriteAsync);
        Assert.Equal((1, 1, true), (writes, failures, gate.Behind));
        Assert.Throws<InconsistentStateException>(gate.ThrowIfBehind);
    });

    [Fact]
    public Task What_follows_a_change_runs_once_it_is_stored_and_never_for_a_change_whose_write_failed() => OneTurnAtATime(async () =>
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failing = false;
        var ran = new List<string>();
        var gate = new StateWriteGate(
            async () =>
            {
                if (failing)
                {
                    await held.Task;
                }
            },
            () => { },
            ex => throw new InvalidOperationException("no action throws here", ex));

        // Stored: its line runs after the write, not before.
        gate.WhenStored(() => ran.Add("counted"));
        var counted = gate.WriteAsync();
        await counted;
        Assert.Equal(["counted"], ran);

        // A page's checkpoint (its line to follow it) fails; another page's, waiting behind it, is refused.
        failing = true;
        gate.WhenStored(() => ran.Add("failed page"));
        var checkpoint = gate.WriteAsync();
        gate.WhenStored(() => ran.Add("next page"));
        var next = gate.WriteAsync();
        Assert.Equal(["counted"], ran);
        held.SetException(new InvalidOperationException("test: the storage write failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => checkpoint);
        await Assert.ThrowsAsync<InconsistentStateException>(() => next);

        // Neither change is stored, so neither line runs, ever.
        gate.WhenStored(() => ran.Add("later"));
        await Assert.ThrowsAsync<InconsistentStateException>(gate.WriteAsync);
        Assert.Equal(["counted"], ran);
    });

    [Fact]
    public Task An_action_that_throws_costs_the_others_nothing_and_leaves_the_gate_writing() => OneTurnAtATime(async () =>
    {
        var writes = 0;
        var ran = new List<string>();
        var thrown = new List<Exception>();
        var gate = new StateWriteGate(() => { writes++; return Task.CompletedTask; }, () => { }, thrown.Add);

        gate.WhenStored(() => ran.Add("first"));
        gate.WhenStored(() => throw new FormatException("test: a log sink threw"));
        gate.WhenStored(() => ran.Add("third"));
        await gate.WriteAsync();
        Assert.Equal(["first", "third"], ran);
        Assert.IsType<FormatException>(Assert.Single(thrown));

        gate.WhenStored(() => ran.Add("after"));
        await gate.WriteAsync();
        Assert.Equal(["first", "third", "after"], ran);
        Assert.Equal((2, false), (writes, gate.Behind));
    });

    [Fact]
    public Task A_failure_reporter_that_throws_neither_fails_the_stored_write_nor_skips_the_other_actions() => OneTurnAtATime(async () =>
    {
        var ran = new List<string>();
        var reported = 0;
        var gate = new StateWriteGate(() => Task.CompletedTask, () => { }, ex =>
        {
            reported++;
            throw new InvalidOperationException("test: the logger threw too", ex);
        });

        gate.WhenStored(() => throw new FormatException("test: a log sink threw"));
        gate.WhenStored(() => ran.Add("second"));
        await gate.WriteAsync();

        Assert.Equal(["second"], ran);
        Assert.Equal((1, false), (reported, gate.Behind));
    });

    [Fact]
    public Task A_write_that_throws_at_once_fails_its_caller_and_leaves_the_gate_refusing_not_stuck() => OneTurnAtATime(async () =>
    {
        var writes = 0;
        var failures = 0;
        var ran = new List<string>();
        var gate = new StateWriteGate(
            () =>
            {
                writes++;
                throw new InvalidOperationException("test: the provider threw before returning a task");
            },
            () => failures++,
            ex => throw new InvalidOperationException("no action runs here", ex));

        gate.WhenStored(() => ran.Add("not stored"));
        await Assert.ThrowsAsync<InvalidOperationException>(gate.WriteAsync);

        // Not stuck behind a write that never started: the next writer is answered at once, refused.
        var next = gate.WriteAsync();
        Assert.True(next.IsCompleted);
        await Assert.ThrowsAsync<InconsistentStateException>(() => next);
        Assert.Equal((1, 1, true), (writes, failures, gate.Behind));
        Assert.Empty(ran);
    });

    [Fact]
    public Task After_a_failed_write_a_reload_runs_once_each_kept_action_whose_change_storage_holds_and_drops_the_rest() => OneTurnAtATime(async () =>
    {
        // Storage as a string: the write stores the live state, then (ambiguously) reports failure.
        var (live, stored) = ("counting", "counting");
        var ran = new List<string>();
        var reloads = 0;
        var gate = new StateWriteGate(
            () =>
            {
                stored = live;
                throw new TaskCanceledException("test: timed out after the table took the write");
            },
            () => { },
            ex => throw new InvalidOperationException("no action throws here", ex));

        live = "running";
        gate.WhenStored(() => ran.Add("counted"), () => stored == "running");
        gate.WhenStored(() => ran.Add("unchecked"));
        await Assert.ThrowsAsync<TaskCanceledException>(gate.WriteAsync);

        // A change made after the failed write began, never written: kept with its check, found missing, dropped.
        live = "completed";
        gate.WhenStored(() => ran.Add("completed"), () => stored == "completed");
        await Assert.ThrowsAsync<InconsistentStateException>(gate.WriteAsync);
        Assert.Empty(ran);
        Assert.Equal(2, gate.Unconfirmed);

        Assert.Equal((1, 1), await gate.ConfirmAfterReloadAsync(() => { reloads++; return Task.CompletedTask; }));
        Assert.Equal(["counted"], ran);

        // Once: a second reload has nothing left to confirm and reads nothing.
        Assert.Equal((0, 0), await gate.ConfirmAfterReloadAsync(() => { reloads++; return Task.CompletedTask; }));
        Assert.Equal(["counted"], ran);
        Assert.Equal((1, 0), (reloads, gate.Unconfirmed));
    });

    [Theory]
    [InlineData("etag")]
    [InlineData("412")]
    [InlineData("409")]
    public Task A_write_storage_refused_for_certain_keeps_nothing_for_the_reload(string refusal) => OneTurnAtATime(async () =>
    {
        // An ETag conflict or a conflict did not commit: the next activation repeats the change and logs it, once; keeping
        // the line here would log it twice (and warn of an ambiguous write that was not one) if the repeat is stored first.
        Exception refused = refusal switch
        {
            "etag" => new InconsistentStateException("test: etag mismatch", "stored", "current", new Azure.RequestFailedException(412, "precondition failed")),
            "412" => new Azure.RequestFailedException(412, "precondition failed"),
            _ => new Azure.RequestFailedException(409, "conflict"),
        };
        var ran = new List<string>();
        var reloads = 0;
        var gate = new StateWriteGate(() => throw refused, () => { }, ex => throw new InvalidOperationException("no action throws here", ex));
        gate.WhenStored(() => ran.Add("completed"), () => true);
        var thrown = await Assert.ThrowsAnyAsync<Exception>(gate.WriteAsync);

        Assert.Same(refused, thrown);
        Assert.Equal((true, 0), (gate.Behind, gate.Unconfirmed));
        Assert.Equal((0, 0), await gate.ConfirmAfterReloadAsync(() => { reloads++; return Task.CompletedTask; }));
        Assert.Equal(0, reloads);
        Assert.Empty(ran);
    });

    [Theory]
    [InlineData("timeout")]
    [InlineData("500")]
    [InlineData("aggregate")]
    public void A_failure_that_may_have_committed_is_kept_for_the_reload(string failure)
    {
        Exception ex = failure switch
        {
            "timeout" => new TaskCanceledException("test: timed out"),
            "500" => new Azure.RequestFailedException(500, "server busy"),
            _ => new AggregateException(new Azure.RequestFailedException(503, "unavailable"), new TimeoutException()),
        };

        Assert.True(StateWriteGate.MayHaveCommitted(ex));
        Assert.False(StateWriteGate.MayHaveCommitted(new AggregateException(new Azure.RequestFailedException(412, "precondition failed"))));
    }

    /// <summary>Runs <paramref name="test"/> as on a grain activation's scheduler: one turn at a time, in the order they were queued.</summary>
    internal static Task OneTurnAtATime(Func<Task> test) =>
        Task.Factory.StartNew(test, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();
}
