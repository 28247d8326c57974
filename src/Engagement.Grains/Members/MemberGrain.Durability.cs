using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Grains.Diagnostics;

namespace Engagement.Grains.Members;

/// <summary>
/// Keeping memory no further ahead than storage (ARCHITECTURE.md, "The member hot path"), the one write and the
/// outbox's emit, and the lifecycle reminder.
/// </summary>
/// <remarks>
/// The domain changes <see cref="MemberGrainState"/> in place. Every entry point that may change it runs inside
/// <see cref="ChangeAsync{T}"/>: if anything fails between the change and a successful write (the reminder table,
/// the state write, a bug in a rule), the activation marks its memory as ahead of storage and rethrows; the next call,
/// whatever it is, first reloads the state from storage (<see cref="EnsureCurrentAsync"/>) and fails while storage
/// cannot be read. The grain is not reentrant, and its [ReadOnly] calls interleave only with each other, so no caller
/// ever reads or builds on a change that storage does not hold: a retried event is applied again, not answered as a
/// duplicate. (The activation is not deactivated instead: a call that arrives while it deactivates is rejected
/// after two forwards, which would turn one failure into several.)
/// </remarks>
public sealed partial class MemberGrain
{
    /// <summary>Orleans' smallest reminder period; also how close "due" must be before the reminder is moved.</summary>
    private static readonly TimeSpan WakeTolerance = TimeSpan.FromMinutes(1);

    /// <summary>True while memory may hold what storage does not: during a change, and after one failed until reloaded.</summary>
    private bool _aheadOfStorage;

    /// <summary>Failed state writes of this activation, counted so a change can tell that one of its writes failed even when the failure was logged and swallowed.</summary>
    private int _failedWrites;

    /// <summary>How deep in <see cref="ChangeAsync{T}"/> the current call is: only the outermost one checks and settles.</summary>
    private int _changeDepth;

    /// <summary>Effects were confirmed since the last write: storage still lists them as pending (re-emitting them is harmless).</summary>
    private bool _confirmedSinceWrite;

    /// <summary>
    /// On the way out: ledger entries waiting for a batch are archived, and an outbox emptier than storage's is stored.
    /// A failure leaves them pending in storage, where the next activation finds them.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_aheadOfStorage)
        {
            try
            {
                if (Member.Outbox.Count > 0)
                {
                    await EmitAsync(everything: true);
                }

                if (_confirmedSinceWrite)
                {
                    await PersistAsync();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogDeactivationWriteFailed(ex, MemberId);
            }
        }
    }

    /// <summary>Reloads the state from storage if a failed change left memory ahead of it. Throws while storage cannot be read.</summary>
    private async Task EnsureCurrentAsync()
    {
        if (!_aheadOfStorage)
        {
            return;
        }

        await state.ReadStateAsync();
        _aheadOfStorage = false;
        LogReloaded(MemberId);
    }

    /// <summary>
    /// Runs one change of the member (event, redemption, consent, tick, campaign delivery, effects). On any exception,
    /// or when one of its writes failed (even one that was logged and swallowed), the in-memory state is
    /// marked as ahead of storage, so the next call reloads it before anything reads it.
    /// </summary>
    private async Task<T> ChangeAsync<T>(Func<Task<T>> change)
    {
        if (_changeDepth > 0)
        {
            return await change();
        }

        await EnsureCurrentAsync();
        var failedWritesBefore = _failedWrites;
        _aheadOfStorage = true;
        _changeDepth++;
        try
        {
            var result = await change();
            if (_failedWrites == failedWritesBefore)
            {
                _aheadOfStorage = false;
            }

            return result;
        }
        catch (Exception ex)
        {
            LogChangeDiscarded(ex, MemberId);
            throw;
        }
        finally
        {
            _changeDepth--;
        }
    }

    private async Task ChangeAsync(Func<Task> change) => await ChangeAsync(async () =>
    {
        await change();
        return true;
    });

    /// <summary>The end of every change: one write when the member changed (none otherwise), then the outbox's emit.</summary>
    private async Task CommitAsync(bool changed)
    {
        if (changed)
        {
            await PersistAsync();
        }

        await EmitAsync();
    }

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
            _confirmedSinceWrite = false;
        }
        catch
        {
            // Memory is ahead of storage now: the next call starts over from what storage holds (see ChangeAsync).
            _failedWrites++;
            _aheadOfStorage = true;
            throw;
        }
    }

    /// <summary>
    /// Drains the outbox. Confirmations ride on the next write (re-emitting is idempotent), except those whose receiver
    /// does not drop repeats (<see cref="MemberEffect.ConfirmDurably"/>): they are stored at once.
    /// </summary>
    /// <param name="everything">Also what may wait for a batch (ledger entries): before the ledger is read, on deactivation.</param>
    private async Task EmitAsync(bool everything = false)
    {
        var emitted = await emitter.EmitAsync(MemberId, Member.Outbox, everything);
        if (emitted.Durable)
        {
            try
            {
                await PersistAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The change itself is stored; the next call reloads and may report once more.
                LogConfirmWriteFailed(ex, MemberId);
                return;
            }

            // Stored now: the receivers may forget what they remembered to drop these effects' repeats.
            if (Member.Outbox.HasFollowUps)
            {
                await EmitAsync(everything);
            }
        }
        else if (emitted.Any)
        {
            _confirmedSinceWrite = true;
        }
    }

    /// <summary>On activation: a previous one may have crashed after its write but before its emit; older state kept backlogs beside the member.</summary>
    private async Task RecoverOutboxAsync()
    {
        var oldArchive = state.State.PendingArchive ?? [];
        var oldJournal = state.State.PendingJournal ?? [];
        var legacy = oldArchive.Count + oldJournal.Count;
        MemberDecider.AdoptLegacy(Member, oldArchive, oldJournal.Select(j => new JournalWinBackStep(j.At, j.Kind, j.Level, j.EpisodeStartedAt)));
        state.State.PendingArchive = null;
        state.State.PendingJournal = null;
        var emitted = await emitter.EmitAsync(MemberId, Member.Outbox);
        if (legacy > 0 || emitted.Any)
        {
            try
            {
                await PersistAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogConfirmWriteFailed(ex, MemberId);
            }
        }
    }

    /// <summary>
    /// Registers the lifecycle reminder once per member (and again only if the configured period changes): never per event.
    /// Called before the state write that records it, so stored state never claims a reminder that is not there; a
    /// failure here fails the change (see <see cref="ChangeAsync{T}"/>) and the retry registers again.
    /// </summary>
    private async Task EnsureLifecycleReminderAsync(DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (state.State.ReminderPeriod == period)
        {
            return;
        }

        await this.RegisterOrUpdateReminder(LifecycleReminder, period, period);
        state.State.ReminderPeriod = period;
        state.State.NextReminderAt = now + reminderClock.ToEngine(period);
        MemberMetrics.ReminderRegistered();
    }

    /// <summary>Moves the reminder earlier when something falls due before its next tick. Returns true when it did.</summary>
    private async Task<bool> WakeAtAsync(DateTimeOffset? due, DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (due is not { } at || state.State.NextReminderAt is not { } next || at >= next - WakeTolerance || period <= TimeSpan.Zero)
        {
            return false;
        }

        var dueTime = at - now < WakeTolerance ? WakeTolerance : at - now;
        await this.RegisterOrUpdateReminder(LifecycleReminder, reminderClock.ToReal(dueTime), period);
        state.State.NextReminderAt = now + dueTime;
        MemberMetrics.ReminderRegistered();
        LogWake(MemberId, now + dueTime);
        return true;
    }

    private void AdvanceReminderSchedule(DateTimeOffset now)
    {
        var period = _options.Lifecycle.ReminderPeriod;
        if (state.State.NextReminderAt is not { } next || period <= TimeSpan.Zero)
        {
            return;
        }

        while (next <= now)
        {
            next += reminderClock.ToEngine(period);
        }

        state.State.NextReminderAt = next;
    }
}
