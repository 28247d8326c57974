using Engagement.Contracts.Members;
using Engagement.Contracts.Storage;
using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Members;

/// <summary>
/// Keeps a member activation's memory no further ahead than storage (ARCHITECTURE.md, "The member hot path"): the one
/// write per change and the outbox's emit after it.
/// </summary>
/// <remarks>
/// The domain changes <see cref="MemberGrainState"/> in place. Every grain entry point that may change it runs inside
/// <see cref="ChangeAsync{T}"/>: if anything fails between the change and a successful write (the reminder table,
/// the state write, a bug in a rule), the gate marks memory as ahead of storage and rethrows; the next call,
/// whatever it is, first reloads the state from storage (<see cref="EnsureCurrentAsync"/>) and fails while storage
/// cannot be read. The grain is not reentrant, and its [ReadOnly] calls interleave only with each other, so no caller
/// ever reads or builds on a change that storage does not hold: a retried event is applied again, not answered as a
/// duplicate. (The activation is not deactivated instead: a call that arrives while it deactivates is rejected
/// after two forwards, which would turn one failure into several.) One gate per activation; not thread-safe.
/// Effects an emit could not send are sent again by a <see cref="MemberOutboxRetry"/>, through this gate, without
/// waiting for the member's next call; it is made when first needed.
/// </remarks>
/// <param name="member">The activation whose state the gate guards.</param>
/// <param name="grain">The member grain, whose timers run the retries (null only in tests: see <see cref="MemberGrainServices.RetryTimers"/>).</param>
/// <param name="wakeUps">The member's lifecycle reminder, moved when it deactivates with effects pending.</param>
internal sealed partial class MemberWriteGate(MemberActivation member, IGrainBase? grain, MemberWakeUps wakeUps)
{
    private ILogger Logger => member.Logger;

    /// <summary>The outbox retry; null until an emit first leaves something pending (most members never need one).</summary>
    private MemberOutboxRetry? _retry;

    private MemberOutboxRetry Retry => _retry ??= new MemberOutboxRetry(member, grain, wakeUps, this);

    /// <summary>True once this activation made its outbox retry (an emit left something pending, or it deactivates).</summary>
    internal bool HasRetry => _retry is not null;

    /// <summary>Drains the outbox (archive rows, journal rows, touches, index rows, metric contributions, coupon records).</summary>
    private MemberEffectEmitter Emitter => member.Services.Emitter;

    /// <summary>True while memory may hold what storage does not: during a change, and after one failed until reloaded.</summary>
    private bool _aheadOfStorage;

    /// <summary>Failed state writes of this activation, counted so a change can tell that one of its writes failed even when the failure was logged and swallowed.</summary>
    private int _failedWrites;

    /// <summary>Failed state writes of this activation so far: a caller compares before and after to tell that its own write failed (and only that).</summary>
    internal int FailedWrites => _failedWrites;

    /// <summary>How deep in <see cref="ChangeAsync{T}"/> the current call is: only the outermost one checks and settles.</summary>
    private int _changeDepth;

    /// <summary>
    /// Memory holds what storage lacks but need not have at once, so deactivation writes it: effects confirmed since the
    /// last write (storage still lists them as pending; re-emitting them is harmless), or the wake count reset when the
    /// outbox drained (<see cref="Drained"/>).
    /// </summary>
    private bool _writeOwed;

    /// <summary>
    /// <see cref="MemberState.OrderSummariesDropped"/> as storage holds it (null until the activation first looks): a write
    /// that stores a higher count reports the difference once (<see cref="MemberLog.LogOrdersLostEarly"/>), whichever
    /// change dropped them (an event, a tick, a redemption, ...); a failed write reports nothing, so its retry is not counted twice.
    /// </summary>
    private long? _storedDropped;

    private MemberState Member => member.Member;

    /// <summary>
    /// Reloads the state from storage if a failed change left memory ahead of it, then takes the rules in force now
    /// (<see cref="MemberActivation.UseCurrentRulesAsync"/>: value classes by rank, the metrics settings), so that every
    /// call decides and answers with them, the first call of an activation too, whatever it is (an event, a campaign
    /// delivery, a coupon command, a view). Throws while storage cannot be read.
    /// </summary>
    public async Task EnsureCurrentAsync()
    {
        if (_aheadOfStorage)
        {
            await ReloadAsync();
        }

        _storedDropped ??= Member.OrderSummariesDropped;
        _failedWritesAtCall = _failedWrites;
        await member.UseCurrentRulesAsync();
    }

    /// <summary>Reads the state back from storage, dropping what memory held beyond it (a change still running stays marked ahead). Throws when storage cannot be read.</summary>
    private async Task ReloadAsync(bool afterFailure = true)
    {
        await member.State.ReadStateAsync();
        _aheadOfStorage = _changeDepth > 0;
        _writeOwed = false;
        _storedDropped = Member.OrderSummariesDropped;
        if (afterFailure) Logger.LogReloaded(member.MemberId); else Logger.LogReadAgain(member.MemberId);
    }

    /// <summary>
    /// Runs one change of the member (event, redemption, consent, tick, campaign delivery, effects); with the outbox past
    /// its bound it emits everything first, and refuses the change when that leaves it past (<see cref="EmitFirstAsync"/>). On any exception,
    /// or when one of its writes failed (even one that was logged and swallowed), the in-memory state is
    /// marked as ahead of storage, so the next call reloads it before anything reads it. Rethrows what
    /// <paramref name="change"/> throws. A change inside a change runs as part of the outer one.
    /// </summary>
    public Task<T> ChangeAsync<T>(Func<Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return ChangeAsync(static run => run(), change);
    }

    /// <summary>
    /// <see cref="ChangeAsync{T}(Func{Task{T}})"/> with what the change needs passed as <paramref name="argument"/>: a
    /// static lambda then makes no closure and no delegate per call (the member's events: ~96 bytes each).
    /// </summary>
    public async Task<T> ChangeAsync<TArgument, T>(Func<TArgument, Task<T>> change, TArgument argument)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_changeDepth > 0)
        {
            return await change(argument);
        }

        await EnsureCurrentAsync();
        var failedWritesBefore = _failedWrites;
        _aheadOfStorage = true;
        _changeDepth++;
        try
        {
            await EmitFirstAsync();
            var result = await change(argument);
            if (_failedWrites == failedWritesBefore)
            {
                _aheadOfStorage = false;
            }

            return result;
        }
        catch (Exception ex) when (ex is not MemberBacklogException)
        {
            Logger.LogChangeFailed(ex, member.MemberId);
            throw;
        }
        finally
        {
            _changeDepth--;
        }
    }

    /// <summary>A change with no answer; see <see cref="ChangeAsync{T}"/>.</summary>
    public async Task ChangeAsync(Func<Task> change) => await ChangeAsync(async () =>
    {
        await change();
        return true;
    });

    /// <summary>
    /// The end of every change: one write when the member changed (none otherwise), then the outbox's emit. Throws when
    /// the write fails. The write leaves out what receivers confirmed in the background since the last emit.
    /// </summary>
    public async Task CommitAsync(bool changed)
    {
        if (changed)
        {
            Emitter.TakeConfirmed(member.MemberId, Member.Outbox);
            if (Member.Outbox.Count == 0)
            {
                Drained();
            }

            await PersistAsync();
        }

        await EmitAsync();
    }

    /// <summary>
    /// Drains the outbox. Confirmations ride on the next write (re-emitting is idempotent), except those whose receiver
    /// does not drop repeats (<see cref="MemberEffect.ConfirmDurably"/>): they are stored at once (a failure of that
    /// write is logged, not thrown: the change itself is stored).
    /// </summary>
    /// <param name="everything">Also what may wait for a batch (ledger entries): before the ledger is read, on deactivation.</param>
    /// <param name="failures">The level a handler's failure is logged at (Debug for most retries: see <see cref="RetryEmitAsync"/>).</param>
    /// <param name="cancellationToken">The caller's (deactivation's); its cancellation is the one failure of a handler that is thrown.</param>
    public async Task EmitAsync(bool everything = false, LogLevel failures = LogLevel.Warning, CancellationToken cancellationToken = default)
    {
        var emitted = await Emitter.EmitAsync(member.MemberId, Member.Outbox, everything, failures, cancellationToken);
        if (_retry is not null || emitted.Left > 0)
        {
            Retry.Emitted(emitted.Left, everything);
        }

        if (Member.Outbox.Count == 0)
        {
            Drained();
        }

        if (emitted.Durable)
        {
            try
            {
                await PersistAsync();
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                // The change itself is stored; the next call reloads and may report once more. Any failure of this
                // write (an OrleansException wrapping the storage's, or a TaskCanceledException nobody here asked for).
                Logger.LogConfirmFailed(ex, member.MemberId);
                return;
            }

            // Stored now: the receivers may forget what they remembered to drop these effects' repeats.
            if (Member.Outbox.HasFollowUps)
            {
                await EmitAsync(everything, failures, cancellationToken);
            }
        }
        else if (emitted.Any)
        {
            _writeOwed = true;
        }
    }

    /// <summary>
    /// A retry of <see cref="MemberOutboxRetry"/>: one change that emits everything pending (ledger entries waiting for
    /// a batch too), a handler's failure logged at <paramref name="failures"/>. Throws only when storage cannot be read
    /// (<see cref="EnsureCurrentAsync"/>).
    /// </summary>
    public Task RetryEmitAsync(LogLevel failures) => EmitOnlyAsync(() => EmitAsync(everything: true, failures: failures));

    /// <summary>
    /// On activation: a previous one may have crashed after its write but before its emit, or deactivated with effects
    /// a receiver refused; older state kept backlogs beside the member. What is still pending after this emit is owed a
    /// retry (<see cref="MemberOutboxRetry.Owe"/>), which sends everything. A failure of the write that stores what it
    /// emitted (a storage timeout too) is logged, never thrown: the activation goes on and its next call reloads.
    /// </summary>
    public async Task RecoverOutboxAsync()
    {
        var stored = member.State.State;
        var oldArchive = stored.PendingArchive ?? [];
        var oldJournal = stored.PendingJournal ?? [];
        var legacy = oldArchive.Count + oldJournal.Count;
        MemberDecider.AdoptLegacy(Member, oldArchive, oldJournal.Select(j => new JournalWinBackStep(j.At, j.Kind, j.Level, j.EpisodeStartedAt)));
        stored.PendingArchive = null;
        stored.PendingJournal = null;
        var emitted = await Emitter.EmitAsync(member.MemberId, Member.Outbox);
        if (Member.Outbox.Count > 0)
        {
            Retry.Owe();
        }
        else
        {
            Drained();
        }

        if (legacy > 0 || emitted.Any)
        {
            try
            {
                await PersistAsync();
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, CancellationToken.None))
            {
                // No caller's token here: a cancellation is a TaskCanceledException nobody here asked for (e.g. Orleans'
                // activation timeout, or a port's SDK timeout in a callee), a failure like an OrleansException wrapping
                // the storage's, which must not fail the activation (often the wake meant to retry these effects).
                Logger.LogConfirmFailed(ex, member.MemberId);
            }
        }
    }

    /// <summary>
    /// The outbox is empty: the wakes of deactivations that left effects pending start over
    /// (<see cref="MemberGrainState.OutboxWakes"/>). The reset is owed to storage (the change's own write, else the
    /// deactivation's): an outbox can drain with no write after it (a change that withdrew the last effect, contributions
    /// confirmed in the background), and a count left stored would give the next deactivation with effects pending a
    /// later wake than its first step, or none once <see cref="MemberOutboxRetry.WakeDelays"/> are used up.
    /// </summary>
    private void Drained()
    {
        var stored = member.State.State;
        if (stored.OutboxWakes != 0)
        {
            stored.OutboxWakes = 0;
            _writeOwed = true;
        }
    }

    private async Task PersistAsync()
    {
        try
        {
            await member.State.WriteStateAsync();
            _writeOwed = false;
        }
        catch
        {
            // Memory is ahead of storage now: the next call starts over from what storage holds (see ChangeAsync).
            _failedWrites++;
            _aheadOfStorage = true;
            throw;
        }

        var dropped = Member.OrderSummariesDropped;
        if (_storedDropped is { } before)
        {
            Logger.LogOrdersLostEarly(member.MemberId, before, dropped);
        }

        _storedDropped = dropped;
    }
}
