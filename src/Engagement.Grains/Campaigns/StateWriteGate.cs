using Azure;
using Orleans.Storage;

namespace Engagement.Grains.Campaigns;

/// <summary>
/// One state write at a time for an activation whose turns interleave (a timer loop and interleaved calls share the
/// state and its ETag). Turns of one activation run one at a time, so checking and setting the pending write cannot
/// race. Fails closed: once a write fails (asynchronously or by throwing at once) the activation's memory may hold
/// changes storage lacks, so the gate is <see cref="Behind"/>: it calls <c>onFailure</c> (deactivate, so the next
/// activation reads what storage holds), rethrows, and from then on refuses every write with an
/// <see cref="InconsistentStateException"/>, a writer waiting behind the failed write included: its change sits on top
/// of the unsaved one, and storing it would store a change whose caller was told it failed. Every caller of a refused
/// or failed write is told so; it (or the fan-out reminder) repeats the change against the reloaded state, where
/// member deliveries, report ids and pending grants make a repeat count nothing twice.
/// What must follow a change's storing (a log line saying it is stored) is handed to <see cref="WhenStored"/>: it runs
/// after the write that stores the change, and never when that write fails (the change is not stored by this
/// activation; the repeat logs it once stored). A write can fail and yet have committed (a timeout after the table took
/// it): the next activation then finds the change stored and repeats nothing, so nothing would log it. An action handed
/// in with a check of the stored state is kept when its write fails, and <see cref="ConfirmAfterReloadAsync"/>, run when
/// the activation goes, reads storage and runs each one whose check finds its change there.
/// </summary>
/// <param name="write">Writes the grain's current state (Orleans' <c>IPersistentState.WriteStateAsync</c>).</param>
/// <param name="onFailure">Called once, at the first failed write (the campaign grain deactivates on idle).</param>
/// <param name="onActionFailure">Reports an action handed to <see cref="WhenStored"/> that threw (logged; the others still run).</param>
internal sealed class StateWriteGate(Func<Task> write, Action onFailure, Action<Exception> onActionFailure)
{
    private Task? _writing;

    /// <summary>What the first failed write threw: the inner exception of every refusal after it.</summary>
    private Exception? _failure;

    /// <summary>Actions waiting for the change made before them to be stored, in the order they were handed in.</summary>
    private List<StoredAction> _whenStored = [];

    /// <summary>Actions with a check whose write failed or was refused: they run if a reload finds their change stored.</summary>
    private List<StoredAction> _unconfirmed = [];

    /// <summary>
    /// True once a write has failed: the activation's memory may be ahead of storage, nothing more is written from it,
    /// and no call may be answered from it (<see cref="ThrowIfBehind"/>).
    /// </summary>
    public bool Behind { get; private set; }

    /// <summary>Actions kept from failed writes, waiting for <see cref="ConfirmAfterReloadAsync"/>.</summary>
    public int Unconfirmed => _unconfirmed.Count;

    /// <summary>
    /// Runs <paramref name="action"/> once a write started after this call has succeeded (the change made before this
    /// call is then in storage). When that write fails or is refused it is dropped, unless <paramref name="foundStored"/>
    /// is given: then it is kept for <see cref="ConfirmAfterReloadAsync"/>, which runs it if
    /// <paramref name="foundStored"/>, asked of the state storage holds, says the change is there.
    /// </summary>
    /// <param name="action">What follows the storing (a log line).</param>
    /// <param name="foundStored">Whether the reloaded state holds the change (read after the reload); null: dropped on failure.</param>
    public void WhenStored(Action action, Func<bool>? foundStored = null) => _whenStored.Add(new StoredAction(action, foundStored));

    /// <summary>
    /// After a failed write (<see cref="Behind"/>), reads what storage holds (<paramref name="reload"/>) and runs every
    /// action kept from the failed writes whose check finds its change stored: a write that reported failure but had
    /// committed (an ambiguous write) gets its lines after all, once. The others are dropped: the next activation
    /// repeats their change and runs them when it stores it. Returns how many ran and how many were dropped.
    /// </summary>
    /// <param name="reload">Reads the grain's state from storage into the object the checks look at.</param>
    /// <exception cref="Exception">Whatever <paramref name="reload"/> throws (a storage failure): the kept actions are then dropped.</exception>
    public async Task<(int Found, int NotFound)> ConfirmAfterReloadAsync(Func<Task> reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        var kept = _unconfirmed;
        _unconfirmed = [];
        if (kept.Count == 0)
        {
            return (0, 0);
        }

        await reload();
        var found = 0;
        foreach (var entry in kept)
        {
            if (entry.FoundStored!())
            {
                found++;
                Run(entry.Action);
            }
        }

        return (found, kept.Count - found);
    }

    /// <summary>
    /// Throws the <see cref="InconsistentStateException"/> a refused write throws when a write has failed, with what
    /// that write threw as its inner exception (so the API maps a storage outage to 503 as it maps the failed write).
    /// </summary>
    /// <exception cref="InconsistentStateException">A write failed: this activation's memory may be ahead of storage.</exception>
    public void ThrowIfBehind()
    {
        if (Behind)
        {
            throw new InconsistentStateException("a state write of this campaign failed: its activation may hold changes storage lacks and is deactivating; try again (the next activation reads storage)", null, null, _failure);
        }
    }

    /// <summary>
    /// Waits for the writes in progress or already asked for, without writing: once it returns, every change made before
    /// this call whose writer has asked for its write is in storage, so an answer decided on it (a refusal, a repeated
    /// grant) tells the caller nothing storage does not hold. A writer asks in the turn that makes its change, and the
    /// writers waiting behind one write resume in the order they asked (one turn at a time), the first one starting its
    /// write before this call looks again; so this call also waits for a write started after it began waiting.
    /// </summary>
    /// <exception cref="InconsistentStateException">A write failed (<see cref="Behind"/>): a change may not be stored.</exception>
    public async Task SettledAsync()
    {
        await WaitForWriteInProgressAsync();
        ThrowIfBehind();
    }

    /// <summary>Waits for the write in progress, then writes the current state.</summary>
    /// <exception cref="InconsistentStateException">A write failed before this one could start (<see cref="Behind"/>).</exception>
    public async Task WriteAsync()
    {
        await WaitForWriteInProgressAsync();
        if (Behind)
        {
            // Refused: what waited for this write is dropped, those with a check kept for the reload.
            Keep(_whenStored, _failure);
            _whenStored.Clear();
            ThrowIfBehind();
        }

        // Taken in the turn that starts the write: what this write stores includes every change they follow.
        var stored = _whenStored;
        _whenStored = [];
        Task pending;
        try
        {
            pending = write();
        }
        catch (Exception ex)
        {
            Keep(stored, ex);
            Fail(ex);
            throw;
        }

        _writing = pending;
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            Keep(stored, ex);
            Fail(ex);
            throw;
        }
        finally
        {
            if (ReferenceEquals(_writing, pending))
            {
                _writing = null;
            }
        }

        foreach (var entry in stored)
        {
            Run(entry.Action);
        }
    }

    /// <summary>Runs one action of a stored change; its failure is reported, never thrown.</summary>
    private void Run(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            // One action's failure (a logging sink throwing) must not cost the others their run, nor the write's
            // caller its success: the change is stored, so a reporter that throws too is swallowed here.
            Report(ex);
        }
    }

    /// <summary>
    /// Keeps the actions with a check of a write that failed, for <see cref="ConfirmAfterReloadAsync"/>, when the
    /// failure may have committed (<see cref="MayHaveCommitted"/>); a write storage refused for certain keeps nothing,
    /// so the next activation's repeat is the one line, and no ambiguous-write warning is given.
    /// </summary>
    private void Keep(List<StoredAction> actions, Exception? failure)
    {
        if (failure is not null && MayHaveCommitted(failure))
        {
            _unconfirmed.AddRange(actions.Where(a => a.FoundStored is not null));
        }
    }

    /// <summary>
    /// False when storage refused the write for certain: an ETag conflict (Orleans' <see cref="InconsistentStateException"/>,
    /// HTTP 412) or a conflict (409), anywhere in the exception's chain. True otherwise (a timeout, a cancelled request, a
    /// 5xx or network failure: the table may have taken it).
    /// </summary>
    internal static bool MayHaveCommitted(Exception failure)
    {
        for (var ex = failure; ex is not null; ex = ex.InnerException)
        {
            if (ex is InconsistentStateException or RequestFailedException { Status: 409 or 412 })
            {
                return false;
            }

            if (ex is AggregateException aggregate && aggregate.InnerExceptions.Count > 0)
            {
                return aggregate.InnerExceptions.All(MayHaveCommitted);
            }
        }

        return true;
    }

    /// <summary>Returns once no write is in progress (a failed one marks the gate <see cref="Behind"/>); throws nothing.</summary>
    private async Task WaitForWriteInProgressAsync()
    {
        while (_writing is { } previous)
        {
            // Whatever it threw is its writer's to report (on this scheduler: the continuation stays on the activation).
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            if (ReferenceEquals(_writing, previous))
            {
                // Its writer's own continuation has not run yet: settled here, so this loop cannot spin on a finished write.
                _writing = null;
                if (!previous.IsCompletedSuccessfully)
                {
                    Fail(previous.Exception?.InnerException ?? new TaskCanceledException(previous));
                }
            }
        }
    }

    /// <summary>Hands an action's failure to <c>onActionFailure</c>; what that throws in turn is dropped (the change is stored).</summary>
    private void Report(Exception failure)
    {
        try
        {
            onActionFailure(failure);
        }
        catch (Exception)
        {
            // The reporter is a logger that failed: nothing is left to tell, and the write succeeded.
        }
    }

    /// <summary>Not stored (<paramref name="failure"/>): nothing queued runs, nothing more is written, and the activation goes (once).</summary>
    private void Fail(Exception failure)
    {
        Keep(_whenStored, failure);
        _whenStored.Clear();
        if (!Behind)
        {
            (Behind, _failure) = (true, failure);
            onFailure();
        }
    }
}

/// <summary>An action handed to <see cref="StateWriteGate.WhenStored"/>, with the check of the stored state that keeps it past a failed write.</summary>
/// <param name="Action">What follows the storing.</param>
/// <param name="FoundStored">Whether the reloaded state holds the change; null when the action is dropped on failure.</param>
internal sealed record StoredAction(Action Action, Func<bool>? FoundStored);
