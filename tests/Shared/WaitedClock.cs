using Microsoft.Extensions.Time.Testing;

namespace Engagement.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers armed on it and not yet fired or disposed
/// (<see cref="Waiting"/>): the waits of the code under test on its clock (<c>Task.Delay</c> or <c>Task.WaitAsync</c> by
/// this provider, a <c>CancellationTokenSource</c> timeout by it). A test steps the clock only once that code waits on as
/// many timers as it does at rest (and, for the backup tests, no request of its is under way:
/// <c>BlobFaults.StepWhileIdleAsync</c>), so a step never lands inside a look or a release, however slowly the host
/// runs: real time (a starved CPU) no longer decides where the code's instants fall. A periodic timer stays counted
/// until disposed. Shared by the test projects (linked from tests/Shared, as <see cref="TestPorts"/> is).
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
