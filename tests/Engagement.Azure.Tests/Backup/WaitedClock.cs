using Microsoft.Extensions.Time.Testing;

namespace Engagement.Azure.Tests.Backup;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers armed on it and not yet fired or disposed
/// (<see cref="Waiting"/>): a silo's waits on its clock (<c>Task.Delay</c> by this provider: the schedule's wait for the
/// next slot, a watch's quarter of StalledAfter between looks, a heartbeat's) and its timeouts by it (a release
/// attempt's 8 s). A test steps the clock only once the silos wait on as many timers as they do at rest and no request
/// of theirs is under way (<see cref="BlobFaults.StepWhileIdleAsync"/>), so a step never lands inside a look or a
/// release, however slowly the host runs: real time (a starved CPU) no longer decides where the silo's instants fall.
/// </summary>
/// <param name="start">The instant the clock starts at.</param>
internal sealed class WaitedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _waiting;

    /// <summary>Timers armed now: created or changed with a due time, not yet fired (one-shot) and not disposed.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Counted(this, period);
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(timer.Fire(callback), state, dueTime, period);
        return timer;
    }

    /// <summary>One timer of the clock's, counted while armed.</summary>
    private sealed class Counted(WaitedClock clock, TimeSpan period) : ITimer
    {
        private readonly Lock _gate = new();
        private bool _armed;
        private TimeSpan _period = period;

        public ITimer? Inner { get; set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                Disarm();
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    _armed = true;
                    Interlocked.Increment(ref clock._waiting);
                }
            }
        }

        public TimerCallback Fire(TimerCallback callback) => state =>
        {
            lock (_gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    Disarm();
                }
            }

            callback(state);
        };

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                Disarm();
            }

            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Disarm()
        {
            if (_armed)
            {
                _armed = false;
                Interlocked.Decrement(ref clock._waiting);
            }
        }
    }
}
