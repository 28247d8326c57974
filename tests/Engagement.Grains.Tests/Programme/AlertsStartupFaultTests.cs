using Engagement.Grains.Programme;
using Engagement.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Engagement.Grains.Tests.Programme;

/// <summary>
/// The alerts grain's start when the silo becomes active: a grain that cannot start (a storage timeout in its
/// activation) is logged and the silo starts without it; only a cancellation of the silo's own start stops the start.
/// </summary>
public sealed class AlertsStartupFaultTests
{
    [Fact]
    public async Task An_alerts_grain_whose_activation_times_out_on_storage_does_not_stop_the_silo_starting()
    {
        // Its activation's storage call timed out: a TaskCanceledException the silo's start never asked for.
        var (grains, calls) = FailingGrains.StorageTimeout();
        var log = new CapturedLog<ProgrammeHostingExtensions.AlertsStartup>();
        var lifecycle = new RecordingLifecycle();
        new ProgrammeHostingExtensions.AlertsStartup(grains, log).Participate(lifecycle);

        using var starting = new CancellationTokenSource();
        await lifecycle.Observer!.OnStart(starting.Token);

        Assert.Equal(ServiceLifecycleStage.Active, lifecycle.Stage);
        Assert.Equal(1, calls.Calls);
        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.IsType<TaskCanceledException>(warning.Exception);
    }

    [Fact]
    public async Task A_start_cancelled_by_the_silo_is_not_taken_for_a_failure()
    {
        var (grains, _) = FailingGrains.Create(() => new TaskCanceledException("test: the silo's start was cancelled"));
        var log = new CapturedLog<ProgrammeHostingExtensions.AlertsStartup>();
        var lifecycle = new RecordingLifecycle();
        new ProgrammeHostingExtensions.AlertsStartup(grains, log).Participate(lifecycle);

        using var starting = new CancellationTokenSource();
        await starting.CancelAsync();
        await Assert.ThrowsAsync<TaskCanceledException>(() => lifecycle.Observer!.OnStart(starting.Token));
        Assert.Empty(log.Entries);
    }

    /// <summary>A silo lifecycle that only keeps the one observer subscribed, for the test to start by hand.</summary>
    private sealed class RecordingLifecycle : ISiloLifecycle
    {
        public ILifecycleObserver? Observer { get; private set; }

        public int Stage { get; private set; }

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            (Observer, Stage) = (observer, stage);
            return new Unsubscriber();
        }

        private sealed class Unsubscriber : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
