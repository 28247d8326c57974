using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Engagement.Bench.Infrastructure;

/// <summary>Grain-storage operations counted by <see cref="CountingGrainStorage"/>.</summary>
internal sealed class StorageStats
{
    private long _reads;
    private long _writes;
    private long _clears;

    public long Reads => Interlocked.Read(ref _reads);

    public long Writes => Interlocked.Read(ref _writes);

    public long Clears => Interlocked.Read(ref _clears);

    public void Read() => Interlocked.Increment(ref _reads);

    public void Wrote() => Interlocked.Increment(ref _writes);

    public void Cleared() => Interlocked.Increment(ref _clears);
}

/// <summary>
/// Wraps the grain storage a silo registered under a name: counts reads and writes, tells an observer when a
/// write has completed (the state is durable then), and in <see cref="Discard"/> mode keeps nothing, so the
/// memory a footprint run measures is the activations' own and not an in-process copy of the database.
/// </summary>
internal sealed class CountingGrainStorage(IGrainStorage inner, StorageStats stats, Action<GrainId, object?>? written, bool discard)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public bool Discard => discard;

    /// <summary>Replaces the keyed <see cref="IGrainStorage"/> called <paramref name="name"/> with a counting wrapper around it.</summary>
    public static void Decorate(IServiceCollection services, string name, StorageStats stats, Action<GrainId, object?>? written = null, bool discard = false)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"no grain storage called '{name}' is registered");
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) =>
            new CountingGrainStorage(Create(original, sp, key), stats, written, discard));
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        stats.Read();
        if (discard)
        {
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (discard)
        {
            grainState.ETag = "discarded";
            grainState.RecordExists = true;
        }
        else
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        stats.Wrote();
        written?.Invoke(grainId, grainState.State);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        stats.Cleared();
        if (discard)
        {
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        return inner.ClearStateAsync(stateName, grainId, grainState);
    }

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static IGrainStorage Create(ServiceDescriptor descriptor, IServiceProvider services, object? key) =>
        descriptor switch
        {
            { KeyedImplementationFactory: { } factory } => (IGrainStorage)factory(services, key),
            { KeyedImplementationInstance: IGrainStorage instance } => instance,
            { KeyedImplementationType: { } type } => (IGrainStorage)ActivatorUtilities.CreateInstance(services, type),
            _ => throw new InvalidOperationException("unsupported grain storage registration"),
        };
}
