using Engagement.Domain.Offers;
using Engagement.Domain.Program;
using Engagement.Grains.Hosting;
using Engagement.Grains.Members;
using Engagement.Grains.Members.Effects;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Engagement.Grains.Tests.Members;

/// <summary>
/// When the member's lifecycle reminder is moved earlier (<see cref="MemberWakeUps"/>): its next tick is worked out
/// from the stored one by whole periods, since ticks that change nothing are not written and storage keeps an older
/// instant (the reminder itself keeps its period).
/// </summary>
public sealed class MemberWakeUpsTests
{
    /// <summary>The member's reminder was registered Monday 2026-11-23 10:00 Shanghai; its period is one day.</summary>
    private static readonly DateTimeOffset Registered = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void AStoredNextTickInThePastMovesOnByWholePeriodsPastNow()
    {
        var stored = Registered + Day; // Tuesday 10:00, written by the first tick; the ticks after it changed nothing
        var now = new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero); // Thursday 22:00 Shanghai

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero), MemberWakeUps.NextTick(stored, now, Day));
        Assert.Equal(stored + Day, MemberWakeUps.NextTick(stored, stored, Day)); // a tick at now has happened: the next one
        Assert.Equal(stored, MemberWakeUps.NextTick(stored, stored - TimeSpan.FromTicks(1), Day));
        Assert.Null(MemberWakeUps.NextTick(null, now, Day));
    }

    [Fact]
    public void ADeferredTouchDueBeforeTheRealNextTickMovesTheReminderEvenWhenStorageHoldsAnOldTick()
    {
        // Thursday 22:00 Shanghai: a campaign touch waits for the end of quiet hours, Friday 09:00 (01:00 UTC). Storage
        // still holds Tuesday 10:00: compared with that, 09:00 Friday looked later than the next tick and the touch
        // waited for Friday's 10:00 tick.
        var stored = Registered + Day;
        var now = new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero);
        var due = new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);

        var next = MemberWakeUps.NextTick(stored, now, Day);

        Assert.Equal(TimeSpan.FromHours(11), MemberWakeUps.WakeIn(due, next, now));
    }

    [Fact]
    public void NothingMovesWhenTheNextTickComesSoonEnoughOrNothingIsDue()
    {
        var now = Registered + TimeSpan.FromHours(3);
        var next = Registered + Day;

        Assert.Null(MemberWakeUps.WakeIn(next + TimeSpan.FromHours(1), next, now)); // after the tick: the tick meets it
        Assert.Null(MemberWakeUps.WakeIn(next - TimeSpan.FromSeconds(30), next, now)); // within Orleans' minute of it
        Assert.Null(MemberWakeUps.WakeIn(null, next, now));
        Assert.Null(MemberWakeUps.WakeIn(now + TimeSpan.FromHours(1), null, now)); // no reminder registered yet
    }

    [Fact]
    public void ADueTimeAlreadyPastFiresInOrleansSmallestDueTime() =>
        Assert.Equal(TimeSpan.FromMinutes(1), MemberWakeUps.WakeIn(Registered - TimeSpan.FromHours(1), Registered + Day, Registered));

    [Fact]
    public async Task ANewReminderPeriodKeepsAWakeMovedEarlierForATouchDueAtNine()
    {
        // Thursday 22:00 Shanghai: the reminder (period one day) was moved to Friday 09:00 for a deferred touch. Then the
        // operator sets the period to 12 hours and an event re-registers it: registered a period from now, it fired at
        // Friday 10:00 and the touch went out an hour late.
        var now = new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero);
        var nine = new DateTimeOffset(2026, 11, 27, 1, 0, 0, TimeSpan.Zero);
        var program = new ProgramOptions();
        program.Lifecycle.ReminderPeriod = TimeSpan.FromHours(12);
        var state = new InMemoryState();
        state.State.ReminderPeriod = Day;
        state.State.NextReminderAt = nine;
        var registered = new List<(TimeSpan Due, TimeSpan Period)>();
        var emitter = new MemberEffectEmitter([], Options.Create(new MemberOutboxOptions()), NullLogger<MemberEffectEmitter>.Instance);
        var services = new MemberGrainServices(
            Options.Create(program), Options.Create(new OffersOptions()), ConfiguredMemberRules.Instance, new FakeTimeProvider(now), ReminderClock.RealTime, emitter, NullLogger<MemberGrain>.Instance);
        var wakeUps = new MemberWakeUps(new MemberActivation(state, "M1", services), (due, period) =>
        {
            registered.Add((due, period));
            return Task.CompletedTask;
        });

        await wakeUps.EnsureRegisteredAsync(now);

        Assert.Equal((TimeSpan.FromHours(11), TimeSpan.FromHours(12)), Assert.Single(registered));
        Assert.Equal((TimeSpan.FromHours(12), nine), (state.State.ReminderPeriod, state.State.NextReminderAt));
    }

    private sealed class InMemoryState : IPersistentState<MemberGrainState>
    {
        public MemberGrainState State { get; set; } = new();

        public string? Etag => null;

        public bool RecordExists => true;

        public Task ClearStateAsync() => Task.CompletedTask;

        public Task WriteStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync() => Task.CompletedTask;
    }
}
