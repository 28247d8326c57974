using Engagement.Domain.Members;
using Engagement.Domain.Members.Effects;
using Engagement.Domain.Metrics;
using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using System.Diagnostics.Metrics;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// The outbox retry's schedule on its own (<see cref="MemberOutboxRetry"/>), its timers on a <see cref="FakeTimeProvider"/>:
/// 5 s, 15 s, 1 min, then every 5 min, through the write gate, until the receiver takes the effect.
/// </summary>
public sealed class MemberOutboxRetryTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AFailedEmitIsRetriedAfterFiveSecondsFifteenSecondsAMinuteThenEveryFiveMinutesUntilItIsTaken()
    {
        var time = new FakeTimeProvider(At);
        var journal = new FailingJournal(failures: 5);
        var (state, gate) = Gate(time, [], journal);
        using var pendingAfterRetries = new PendingAfterRetry();

        await gate.ChangeAsync(async () =>
        {
            state.State.Member.Outbox.Add(new JournalWinBackStep(At, "winback.level", 1, At));
            await gate.CommitAsync(changed: true);
        });
        Assert.Equal(1, journal.Attempts);

        TimeSpan[] delays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)];
        foreach (var delay in delays)
        {
            var before = journal.Attempts;
            time.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(before, journal.Attempts);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(before + 1, journal.Attempts);
        }

        // Four retries failed with the one effect pending (counted on this test's flow only), the fifth took it.
        Assert.Equal(4, pendingAfterRetries.Sum);

        // The sixth attempt was taken: nothing pending, and no retry is armed any more.
        Assert.Equal(1, journal.Taken);
        Assert.Equal(0, state.State.Member.Outbox.Count);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(6, journal.Attempts);
    }

    [Fact]
    public async Task ARunOfFailedRetriesWarnsOnTheFirstFailureAndWhenTheDelayReachesItsCapDebugOtherwise()
    {
        var time = new FakeTimeProvider(At);
        var journal = new FailingJournal(failures: 5);
        var log = new LevelLog();
        var (state, gate) = Gate(time, [], journal, log: log);
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));
        Assert.Equal(1, log.Count(LogLevel.Warning));

        // Retries after 5 s and 15 s: Debug (the emitter's line and the retry's), then after 1 min the delay reaches 5 min: Warning.
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, log.Count(LogLevel.Warning));
        Assert.Equal(4, log.Count(LogLevel.Debug));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, log.Count(LogLevel.Warning));

        // Every 5 min after that: Debug again, until the journal takes it.
        time.Advance(TimeSpan.FromMinutes(5));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(3, log.Count(LogLevel.Warning));
        Assert.Equal(6, log.Count(LogLevel.Debug));
        Assert.Equal(1, journal.Taken);
    }

    [Fact]
    public async Task AMemberWhoseEffectsWentOutHoldsNoRetry()
    {
        var time = new FakeTimeProvider(At);
        var journal = new FailingJournal(failures: 1);
        var (state, gate) = Gate(time, [], journal);
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At.AddSeconds(-1)));
        Assert.True(gate.HasRetry);

        var (taken, healthy) = Gate(time, [], new FailingJournal(failures: 0));
        await ChangeAsync(taken, healthy, new JournalWinBackStep(At, "winback.level", 1, At));
        Assert.Equal(0, taken.State.Member.Outbox.Count);
        Assert.False(healthy.HasRetry);
    }

    [Fact]
    public void TheDelayIsCappedAtFiveMinutes()
    {
        var delays = new MemberOutboxOptions().EffectiveRetryDelays;
        Assert.Equal(TimeSpan.FromSeconds(5), MemberOutboxRetry.DelayAfter(delays, 0));
        Assert.Equal(TimeSpan.FromMinutes(5), MemberOutboxRetry.DelayAfter(delays, 3));
        Assert.Equal(TimeSpan.FromMinutes(5), MemberOutboxRetry.DelayAfter(delays, 1000));
    }

    [Fact]
    public void RetryDelaysAreValidatedAndDefaultWhenUnset()
    {
        Assert.True(new MemberOutboxOptions().RetryDelaysValid);
        Assert.Equal(MemberOutboxOptions.DefaultRetryDelays, new MemberOutboxOptions { RetryDelays = [] }.EffectiveRetryDelays);
        Assert.True(new MemberOutboxOptions { RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1)] }.RetryDelaysValid);
        Assert.False(new MemberOutboxOptions { RetryDelays = [TimeSpan.Zero] }.RetryDelaysValid);
        Assert.False(new MemberOutboxOptions { RetryDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromHours(2)] }.RetryDelaysValid);
    }

    [Fact]
    public void TheWakeDelayGrowsWithAJitterFixedPerMemberThenStops()
    {
        TimeSpan[] delays = [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(4)];
        for (var wakes = 0; wakes < delays.Length; wakes++)
        {
            var delay = MemberOutboxRetry.WakeDelay("M1", wakes)!.Value;
            Assert.InRange(delay, delays[wakes], delays[wakes] * 1.2);
            Assert.Equal(delay, MemberOutboxRetry.WakeDelay("M1", wakes));
        }

        Assert.Null(MemberOutboxRetry.WakeDelay("M1", delays.Length));
        var members = Enumerable.Range(0, 50).Select(i => MemberOutboxRetry.WakeDelay($"M{i}", 0)).Distinct().Count();
        Assert.True(members > 10, $"only {members} distinct wake delays for 50 members");
    }

    [Fact]
    public async Task AMemberCollectedAgainAndAgainWithEffectsPendingIsWokenLaterEachTimeThenOnlyByItsPeriod()
    {
        // The journal stays down: each activation the reminder wakes retries, fails, and is collected again.
        var time = new FakeTimeProvider(At);
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var journal = new FailingJournal(failures: int.MaxValue);
        var (state, gate) = Gate(time, registered, journal);
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));
        var dues = new List<TimeSpan>();
        for (var collected = 0; collected < 5; collected++)
        {
            if (collected > 0)
            {
                // The reminder fires when stored, and wakes a new activation over the same storage.
                time.SetUtcNow(state.State.NextReminderAt!.Value);
                gate = Gate(time, registered, journal, state: state).Gate;
                await gate.ChangeAsync(gate.RecoverOutboxAsync);
            }

            var before = registered.Count;
            await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
            dues.Add(registered.Count > before ? registered[^1].Due : TimeSpan.Zero);
        }

        Assert.Equal(4, state.State.OutboxWakes);
        Assert.Equal([5, 15, 60, 240], dues.Take(4).Select(Bucket));
        Assert.Equal(TimeSpan.Zero, dues[4]);
        Assert.Equal(MemberOutboxRetry.WakeDelay("M1", 2), dues[2]);

        // Once the journal takes it, the outbox drains and the count starts over.
        journal.Heal();
        gate = Gate(time, registered, journal, state: state).Gate;
        await gate.ChangeAsync(gate.RecoverOutboxAsync);
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.Equal(0, state.State.Member.Outbox.Count);
        Assert.Equal(0, state.State.OutboxWakes);
    }

    /// <summary>The nominal wake delay (minutes) a jittered one belongs to.</summary>
    private static int Bucket(TimeSpan due) => new[] { 5, 15, 60, 240 }.Last(m => due >= TimeSpan.FromMinutes(m));

    [Fact]
    public async Task AMemberCollectedWithEffectsPendingMovesItsReminderToFiveMinutesFromNowAndStoresIt()
    {
        var time = new FakeTimeProvider(At);
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate) = Gate(time, registered, new FailingJournal(failures: int.MaxValue));
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));
        var writes = state.Writes;

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));

        var wake = MemberOutboxRetry.WakeDelay("M1", 0)!.Value;
        Assert.InRange(wake, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
        Assert.Equal((wake, TimeSpan.FromDays(1)), registered[^1]);
        Assert.Equal(At + wake, state.State.NextReminderAt);
        Assert.Equal(1, state.State.OutboxWakes);
        Assert.Equal(writes + 2, state.Writes); // the count before the move, the schedule after it
        Assert.Equal(1, state.State.Member.Outbox.Count);
    }

    [Fact]
    public async Task ASiloShuttingDownWithOnlyMetricContributionsLeftMovesNoReminder()
    {
        // The last silo to stop sends no contribution on purpose: the member's next activation does.
        var time = new FakeTimeProvider(At);
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate) = Gate(time, registered, new SilentAggregators());
        await ChangeAsync(state, gate, new RecordMetrics("e:1", [new MetricContribution { Id = "M1|e:1", MemberId = "M1", RegionId = "east", Day = new DateOnly(2026, 6, 1), Counters = new Dictionary<string, long> { ["dau"] = 1 } }]));

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ShuttingDown, "stop"));

        Assert.Empty(registered);
        Assert.Equal(1, state.State.Member.Outbox.Count);
    }

    [Fact]
    public async Task ARetryWhoseReloadTimesOutIsArmedAgain()
    {
        // The Azure SDK reports a timeout as a TaskCanceledException: it is a failure of the retry, not a cancellation.
        var time = new FakeTimeProvider(At);
        var journal = new FailingJournal(failures: 1);
        var (state, gate) = Gate(time, [], journal);
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));
        Assert.Equal(1, journal.Attempts);

        // A later change's write fails: memory is ahead of storage, so the retry first reloads, and that read times out.
        state.FailNextWrite = true;
        state.TimeOutNextRead = true;
        await Assert.ThrowsAsync<IOException>(() => gate.ChangeAsync(() => gate.CommitAsync(changed: true)));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, state.Reads);

        time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(2, state.Reads);
        Assert.Equal(2, journal.Attempts);
        Assert.Equal(1, journal.Taken);
        Assert.Equal(0, state.State.Member.Outbox.Count);
    }

    [Fact]
    public async Task AReminderTableTimeoutOnDeactivationIsLoggedNotThrown()
    {
        var time = new FakeTimeProvider(At);
        var (state, gate) = Gate(time, [], new FailingJournal(failures: int.MaxValue), () => throw new TaskCanceledException("the reminder table timed out"));
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));

        Assert.Equal(1, state.State.Member.Outbox.Count);
    }

    [Fact]
    public async Task AStateWriteTimeoutOnDeactivationIsLoggedNotThrown()
    {
        // The Azure SDK reports a timeout as a TaskCanceledException: no caller cancelled the deactivation.
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate) = await PendingStepAsync(new FakeTimeProvider(At), registered, new FailingJournal(failures: int.MaxValue));
        state.WriteFault = () => new TaskCanceledException("the state table timed out");
        state.FailNextWrite = true;

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"), CancellationToken.None);

        // The count's write failed, so nothing moved.
        Assert.Empty(registered);
        Assert.Equal(0, state.Written!.OutboxWakes);
    }

    [Fact]
    public async Task AStateWriteTimeoutConfirmingWhatAnActivationRecoveredIsLoggedNotThrown()
    {
        // Woken for a step the journal refused: the journal takes it now, and the write that confirms it times out (the
        // Azure SDK's TaskCanceledException; activation passes no token). Thrown, it would fail the activation.
        var (time, journal) = (new FakeTimeProvider(At), new FailingJournal(failures: 1));
        var (state, _) = await PendingStepAsync(time, [], journal);
        state.WriteFault = () => new TaskCanceledException("the state table timed out");
        state.FailNextWrite = true;

        var gate = Gate(time, [], journal, state: state).Gate;
        await gate.ChangeAsync(gate.RecoverOutboxAsync);

        // Storage still lists the step as pending: the next write confirms it (re-emitting it is harmless).
        Assert.Equal(1, journal.Taken);
        Assert.Single(state.Written!.Member.Outbox.Pending);
    }

    [Fact]
    public async Task AStateWriteTimeoutConfirmingADeadLetterFailsNeitherTheChangeNorItsWrite()
    {
        var (state, gate) = Gate(new FakeTimeProvider(At), [], new DeadLetters());
        state.WriteFault = () => new TaskCanceledException("the state table timed out");
        state.FailWriteAfter = 1;

        await ChangeAsync(state, gate, new DeadLetterRefund(new HeldRefund { EventId = "r-1", OrderId = "O-1", Amount = 3m }, "refund r-1: too much"));

        // The change's write stored the letter as pending; its confirmation waits for the next write.
        Assert.Single(state.Written!.Member.Outbox.Pending);
        Assert.Equal(0, state.State.Member.Outbox.Count);
    }

    [Fact]
    public async Task AMemberCollectedAfterAFailedWriteIsWokenSoonForWhatStorageHoldsAndTheDroppedChangeIsNotStored()
    {
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate, writes) = await AheadOfStorageAsync(registered);

        // Collected with memory ahead of storage: storage is read back once and the reminder moved for its pending step.
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));

        var wake = MemberOutboxRetry.WakeDelay("M1", 0)!.Value;
        Assert.Equal(1, state.Reads);
        Assert.NotEmpty(registered);
        Assert.Equal((wake, TimeSpan.FromDays(1)), registered[^1]);
        Assert.Equal(writes + 2, state.Writes);
        var stored = state.Written!;
        Assert.Equal(At + wake, stored.NextReminderAt);
        Assert.Equal(1, stored.OutboxWakes);
        Assert.Equal("winback.level", Assert.IsType<JournalWinBackStep>(Assert.Single(stored.Member.Outbox.Pending)).Kind);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public async Task AMemberCollectedAfterAFailedWriteWhoseStateIsNotReadBackInTimeWritesNothingAndDoesNotThrow(bool timeoutPassed, int reads)
    {
        // The read back times out, or Orleans' deactivation timeout has passed already: then nothing is read.
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate, writes) = await AheadOfStorageAsync(registered);
        state.TimeOutNextRead = !timeoutPassed;

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"), new CancellationToken(timeoutPassed));

        Assert.Equal(reads, state.Reads);
        Assert.Empty(registered);
        Assert.Equal(writes, state.Writes);
    }

    [Fact]
    public async Task AReadBackThatNeverAnswersIsAbandonedWhenTheDeactivationTimeoutPasses()
    {
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate, writes) = await AheadOfStorageAsync(registered);
        state.HoldReads = new TaskCompletionSource();
        using var timeout = new CancellationTokenSource();

        var deactivation = gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"), timeout.Token);
        Assert.Equal(1, state.Reads);
        Assert.False(deactivation.IsCompleted);
        await timeout.CancelAsync();

        // Orleans' timeout is thrown (as any other cancellation of the deactivation), promptly: the bound only guards the test.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deactivation.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(registered);
        Assert.Equal(writes, state.Writes);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public async Task ADeactivationWhoseTimeoutPassedMovesNoReminderAndWritesNothingMore(bool inCountWrite, int countWrites)
    {
        // Orleans' deactivation timeout passes while the journal refuses the step, or while the wake count is stored:
        // Orleans no longer waits, a new activation may start, and an old move could override that activation's reminder.
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: int.MaxValue));
        var (state, gate) = await PendingStepAsync(time, registered, journal);
        var writes = state.Writes;
        using var timeout = new CancellationTokenSource();
        if (inCountWrite)
        {
            state.Wrote = timeout.Cancel;
        }
        else
        {
            journal.Attempted = timeout.Cancel;
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"), timeout.Token));

        // At worst the stored count is one too high (the next wake a step later); nothing moved.
        Assert.Empty(registered);
        Assert.Equal(writes + countWrites, state.Writes);
        Assert.Equal(countWrites, state.Written!.OutboxWakes);
    }

    [Fact]
    public async Task AMemberCollectedAgainAndAgainWhileStateWritesFailIsNotWokenEarlyAgainAndAgain()
    {
        // The journal is down, and so are the state table's writes; its reads and the reminder table work. A move whose
        // count cannot be stored would wake each activation at the first step again, for as long as the outage lasts.
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: int.MaxValue));
        var (state, gate) = await PendingStepAsync(time, registered, journal);
        state.FailWrites = true;
        for (var collected = 0; collected < 3; collected++)
        {
            if (collected > 0)
            {
                // An event an hour later activates the member again over what storage holds.
                time.Advance(TimeSpan.FromHours(1));
                await state.ReadStateAsync();
                gate = Gate(time, registered, journal, state: state).Gate;
                await gate.ChangeAsync(gate.RecoverOutboxAsync);
            }

            await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        }

        Assert.Empty(registered);

        // Writes work again: the next collection wakes it at the first step, counted in storage.
        state.FailWrites = false;
        await CollectedAgainIsWokenAtTheFirstStepAsync(time, registered, journal, state);
    }

    [Fact]
    public async Task ADeactivationWhoseReminderMoveFailedIsNotCountedSoTheNextWakeIsStillTheFirstStep()
    {
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: int.MaxValue));
        var reminderDown = true;
        var register = () => reminderDown ? throw new IOException("the reminder table did not answer") : Task.CompletedTask;
        var (state, gate) = await PendingStepAsync(time, registered, journal, register);

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.Equal(0, state.State.OutboxWakes);

        // The next activation (an event) is collected with the step still pending: the reminder table is back.
        reminderDown = false;
        await CollectedAgainIsWokenAtTheFirstStepAsync(time, registered, journal, state, register);
    }

    [Fact]
    public async Task AFailedMoveWhoseCountCannotBeTakenBackLeavesItOneTooHighInStorage()
    {
        // The count is stored, the reminder table fails the move, and the write taking the count back fails too.
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: int.MaxValue));
        var (state, gate) = await PendingStepAsync(time, registered, journal, () => throw new IOException("the reminder table did not answer"));
        state.FailWriteAfter = 1;

        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));

        // The documented worst case: the next wake comes a step later (about 15 min rather than 5).
        Assert.Equal(0, state.State.OutboxWakes);
        Assert.Equal(1, state.Written!.OutboxWakes);
    }

    [Fact]
    public async Task AWakeCountResetByAnOutboxThatDrainedWithoutAnEmitIsStoredSoTheNextWakeIsTheFirstStep()
    {
        // Collected with a step the journal refused: woken in about 5 min, the count stored as 1.
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: int.MaxValue));
        var (state, gate) = await PendingStepAsync(time, registered, journal);
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.Equal(1, state.Written!.OutboxWakes);

        // The activation that wake starts withdraws the step (as an opt-out withdraws a waiting touch): the outbox
        // drains, nothing is emitted.
        time.SetUtcNow(state.State.NextReminderAt!.Value);
        gate = Gate(time, registered, journal, state: state).Gate;
        await gate.ChangeAsync(async () =>
        {
            Assert.True(state.State.Member.Outbox.Withdraw(state.State.Member.Outbox.Pending[0]));
            await gate.CommitAsync(changed: true);
        });
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.Equal(0, state.Written!.OutboxWakes);

        // A later activation (reading storage) collected with a new step pending is woken at the first step again.
        await state.ReadStateAsync();
        gate = Gate(time, registered, journal, state: state).Gate;
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.won", 1, At));
        var before = registered.Count;
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.True(registered.Count > before);
        Assert.Equal(MemberOutboxRetry.WakeDelay("M1", 0), registered[^1].Due);
    }

    [Fact]
    public async Task AStaleWakeCountWithAnEmptyStoredOutboxIsResetOnTheNextDeactivation()
    {
        // An older silo stored a wake count with an outbox that has since drained (a rolling deploy): the activation
        // finds nothing to emit and writes nothing, but the count it reset is owed to storage.
        var (time, registered, journal) = (new FakeTimeProvider(At), new List<(TimeSpan Due, TimeSpan Period)>(), new FailingJournal(failures: 0));
        var state = new JsonMemberState();
        state.State.OutboxWakes = 2;
        await state.WriteStateAsync();

        var gate = Gate(time, registered, journal, state: state).Gate;
        await gate.ChangeAsync(gate.RecoverOutboxAsync);
        var writes = state.Writes;
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));

        Assert.Equal(writes + 1, state.Writes);
        Assert.Equal(0, state.Written!.OutboxWakes);
    }

    [Fact]
    public async Task ATickAfterAFailedDeactivationWriteResyncsTheStoredScheduleSoADeferredTouchIsNotLate()
    {
        // Storage knows the reminder (a day's period) and its next tick at 04:00, two hours away.
        var time = new FakeTimeProvider(At);
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var (state, gate) = Gate(time, registered, new FailingJournal(failures: int.MaxValue));
        var storedNext = At.AddHours(2);
        state.State.ReminderPeriod = TimeSpan.FromDays(1);
        state.State.NextReminderAt = storedNext;
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));

        // Collected with the journal down: the count is stored, the reminder moves to W (about 5 min), but the write that
        // records the move fails.
        state.FailWriteAfter = 1;
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        var w = At + registered[^1].Due;
        Assert.True(w < storedNext);
        state.State.NextReminderAt = storedNext; // what the next activation reads: the write failed

        // The reminder fires at W: the next tick is a period from W now, not 04:00, and the tick writes that.
        time.SetUtcNow(w);
        var wakeUps = new MemberWakeUps(new MemberActivation(state, "M1", Services(time, new FailingJournal(0))), (due, period) =>
        {
            registered.Add((due, period));
            return Task.CompletedTask;
        });
        Assert.True(wakeUps.Advance(w));
        Assert.Equal(w + TimeSpan.FromDays(1), state.State.NextReminderAt);

        // A touch deferred to 05:00 moves the reminder to it instead of trusting a tick at 04:00 that never comes.
        var before = registered.Count;
        Assert.True(await wakeUps.WakeAtAsync(At.AddHours(3), w));
        Assert.Equal(before + 1, registered.Count);
        Assert.Equal(At.AddHours(3), state.State.NextReminderAt);
    }

    [Fact]
    public void AResyncTakesTheConfiguredPeriodTheMoveRegisteredNotAnEarlierStoredOne()
    {
        // Storage still holds an earlier registration's period (an hour) and a tick two hours away; the move whose write
        // failed registered the reminder with the configured period, so the real next tick is that period from now.
        var time = new FakeTimeProvider(At);
        var state = new JsonMemberState();
        state.State.ReminderPeriod = TimeSpan.FromHours(1);
        state.State.NextReminderAt = At.AddHours(2);
        var activation = new MemberActivation(state, "M1", Services(time, new FailingJournal(0)));
        var configured = activation.Options.Lifecycle.ReminderPeriod;
        Assert.NotEqual(TimeSpan.FromHours(1), configured);
        var wakeUps = new MemberWakeUps(activation, (_, _) => Task.CompletedTask);

        Assert.True(wakeUps.Advance(At));
        Assert.Equal(configured, state.State.ReminderPeriod);
        Assert.Equal(At + configured, state.State.NextReminderAt);
    }

    [Fact]
    public void ATickAtItsStoredInstantOnlyMovesItOn()
    {
        var time = new FakeTimeProvider(At);
        var state = new JsonMemberState();
        state.State.ReminderPeriod = TimeSpan.FromDays(1);
        state.State.NextReminderAt = At;
        var wakeUps = new MemberWakeUps(new MemberActivation(state, "M1", Services(time, new FailingJournal(0))), (_, _) => Task.CompletedTask);

        Assert.False(wakeUps.Advance(At.AddSeconds(30)));
        Assert.Equal(At.AddDays(1), state.State.NextReminderAt);
    }

    /// <summary>A member whose stored change left a win-back step pending: <paramref name="journal"/> refused it.</summary>
    private static async Task<(JsonMemberState State, MemberWriteGate Gate)> PendingStepAsync(FakeTimeProvider time, List<(TimeSpan Due, TimeSpan Period)> registered, FailingJournal journal, Func<Task>? register = null)
    {
        var (state, gate) = Gate(time, registered, journal, register);
        await ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.level", 1, At));
        return (state, gate);
    }

    /// <summary>
    /// A stored change leaves its win-back step pending (the journal is down), then a later change fails to store: memory
    /// is ahead of storage. Returns the writes that succeeded.
    /// </summary>
    private static async Task<(JsonMemberState State, MemberWriteGate Gate, int Writes)> AheadOfStorageAsync(List<(TimeSpan Due, TimeSpan Period)> registered)
    {
        var (state, gate) = await PendingStepAsync(new FakeTimeProvider(At), registered, new FailingJournal(failures: int.MaxValue));
        state.FailNextWrite = true;
        await Assert.ThrowsAsync<IOException>(() => ChangeAsync(state, gate, new JournalWinBackStep(At, "winback.won", 1, At)));
        return (state, gate, state.Writes);
    }

    /// <summary>
    /// A new activation over what <paramref name="state"/> stores, with its step still pending, is collected: the reminder
    /// wakes it at the first step, and storage counts that wake.
    /// </summary>
    private static async Task CollectedAgainIsWokenAtTheFirstStepAsync(FakeTimeProvider time, List<(TimeSpan Due, TimeSpan Period)> registered, FailingJournal journal, JsonMemberState state, Func<Task>? register = null)
    {
        await state.ReadStateAsync();
        var gate = Gate(time, registered, journal, register, state).Gate;
        await gate.ChangeAsync(gate.RecoverOutboxAsync);
        await gate.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, "idle"));
        Assert.Equal(MemberOutboxRetry.WakeDelay("M1", 0), registered[^1].Due);
        Assert.Equal(1, state.Written!.OutboxWakes);
    }

    /// <summary>One change that queues <paramref name="effect"/> and commits (one write, then the emit).</summary>
    private static Task ChangeAsync(JsonMemberState state, MemberWriteGate gate, MemberEffect effect) => gate.ChangeAsync(async () =>
    {
        state.State.Member.Outbox.Add(effect);
        await gate.CommitAsync(changed: true);
    });

    private static (JsonMemberState State, MemberWriteGate Gate) Gate(FakeTimeProvider time, List<(TimeSpan Due, TimeSpan Period)> registered, IMemberEffectHandler handler, Func<Task>? register = null, JsonMemberState? state = null, LevelLog? log = null)
    {
        state ??= new JsonMemberState();
        var activation = new MemberActivation(state, "M1", Services(time, handler, log));
        var wakeUps = new MemberWakeUps(activation, (due, period) =>
        {
            registered.Add((due, period));
            return register?.Invoke() ?? Task.CompletedTask;
        });
        return (state, new MemberWriteGate(activation, null, wakeUps));
    }

    private static MemberGrainServices Services(FakeTimeProvider time, IMemberEffectHandler handler, LevelLog? log = null)
    {
        var emitter = new MemberEffectEmitter([handler], Options.Create(new MemberOutboxOptions()), (ILogger<MemberEffectEmitter>?)log ?? NullLogger<MemberEffectEmitter>.Instance);
        return new MemberGrainServices(
            Options.Create(new ProgramOptions()), Options.Create(new OffersOptions()), ConfiguredMemberRules.Instance, time, ReminderClock.RealTime, emitter, (ILogger<MemberGrain>?)log ?? NullLogger<MemberGrain>.Instance)
        {
            RetryTimers = (tick, due) => time.CreateTimer(_ => tick(), null, due, Timeout.InfiniteTimeSpan),
        };
    }

    /// <summary>
    /// <c>engagement.outbox.pending_after_retry</c> as added on this test's async flow only: the counter is process-wide
    /// and other tests retry beside this one. The timers here fire inside <see cref="FakeTimeProvider.Advance"/>, on the
    /// test's flow, so its measurements are the ones seen.
    /// </summary>
    private sealed class PendingAfterRetry : IDisposable
    {
        private static readonly AsyncLocal<PendingAfterRetry?> Current = new();
        private readonly MeterListener _listener = new();
        private long _sum;

        public PendingAfterRetry()
        {
            Current.Value = this;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Engagement.Grains.Diagnostics.MemberMetrics.MeterName && instrument.Name == "engagement.outbox.pending_after_retry")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                if (Current.Value == this)
                {
                    Interlocked.Add(ref _sum, value);
                }
            });
            _listener.Start();
        }

        public long Sum => Interlocked.Read(ref _sum);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The levels of what the member grain and its emitter log, Debug included.</summary>
    private sealed class LevelLog : ILogger<MemberGrain>, ILogger<MemberEffectEmitter>
    {
        private readonly List<LogLevel> _levels = [];

        public int Count(LogLevel level) => _levels.Count(l => l == level);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => _levels.Add(logLevel);
    }

    /// <summary>A journal that refuses the first <c>failures</c> appends (synchronously, as the timers here fire).</summary>
    private sealed class FailingJournal(int failures) : MemberEffectHandler<JournalWinBackStep>
    {
        private int _failures = failures;

        /// <summary>From now on every append is taken.</summary>
        public void Heal() => _failures = 0;

        /// <summary>Called at each append, before it fails or is taken.</summary>
        public Action? Attempted { get; set; }

        public int Attempts { get; private set; }

        public int Taken { get; private set; }

        protected override Task<int> EmitAsync(string memberId, List<JournalWinBackStep> effects)
        {
            Attempted?.Invoke();
            if (++Attempts <= _failures)
            {
                throw new IOException("the journal table did not answer");
            }

            Taken += effects.Count;
            return Task.FromResult(effects.Count);
        }
    }

    /// <summary>A poison queue that takes every letter.</summary>
    private sealed class DeadLetters : MemberEffectHandler<DeadLetterRefund>
    {
        protected override Task<int> EmitAsync(string memberId, List<DeadLetterRefund> effects) => Task.FromResult(effects.Count);
    }

    /// <summary>Aggregators that never answer: contributions stay unconfirmed, as when the last silo stops.</summary>
    private sealed class SilentAggregators : IMemberEffectHandler
    {
        public bool ConfirmsInBackground => true;

        public bool Handles(MemberEffect effect) => effect is RecordMetrics;

        public Task<int> EmitAsync(string memberId, IReadOnlyList<MemberEffect> effects) => Task.FromResult(0);
    }
}
