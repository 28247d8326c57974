using Engagement.Grains.Campaigns;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Timers;

namespace Engagement.Grains.Tests.Campaigns;

/// <summary>
/// Test-only: the campaign grains' timers run on the fixture's fake engine clock (Orleans' own timer registry, given that
/// clock), so a test moves a timer's minute with <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider.Advance"/>
/// instead of waiting for it; every other grain's timers keep the silo's clock.
/// </summary>
public static class CampaignTimersOnEngineClock
{
    /// <summary>Replaces the silo's timer registry (registered by then) with one routing campaign grains' timers to <paramref name="clock"/>.</summary>
    public static ISiloBuilder RunCampaignTimersOn(this ISiloBuilder silo, TimeProvider clock)
    {
        var registered = silo.Services.Last(d => d.ServiceType == typeof(ITimerRegistry));
        var type = registered.ImplementationType
            ?? throw new InvalidOperationException("the silo's timer registry is not registered by type: this test helper cannot give it another clock");
        silo.Services.Remove(registered);
        silo.Services.AddSingleton<ITimerRegistry>(sp => new Routed(
            (ITimerRegistry)ActivatorUtilities.CreateInstance(sp, type),
            (ITimerRegistry)ActivatorUtilities.CreateInstance(sp, type, clock)));
        return silo;
    }

    private sealed class Routed(ITimerRegistry silo, ITimerRegistry engine) : ITimerRegistry
    {
        public IGrainTimer RegisterGrainTimer<TState>(IGrainContext grainContext, Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options) =>
            Pick(grainContext).RegisterGrainTimer(grainContext, callback, state, options);

        [Obsolete("As the interface's: use RegisterGrainTimer.")]
        public IDisposable RegisterTimer(IGrainContext grainContext, Func<object?, Task> callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Pick(grainContext).RegisterTimer(grainContext, callback, state, dueTime, period);

        private ITimerRegistry Pick(IGrainContext grainContext) => grainContext?.GrainInstance is CampaignGrain ? engine : silo;
    }
}

/// <summary>The campaign cluster with the campaign grains' timers on the engine clock (<see cref="CampaignTimersOnEngineClock"/>).</summary>
public sealed class EngineClockTimersFixture : CampaignClusterFixture
{
    protected override void ConfigureSilo(ISiloBuilder silo) => silo.RunCampaignTimersOn(Time);
}

/// <summary>Tests on <see cref="EngineClockTimersFixture"/>; not parallel with other collections, as the campaign cluster.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineClockTimersCollection : ICollectionFixture<EngineClockTimersFixture>
{
    public const string Name = "campaign cluster, campaign timers on the engine clock";
}
