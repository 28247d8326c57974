using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Engagement.Azure.Storage;

/// <summary>
/// Grain storage decorator in front of the official Azure table provider: a state whose JSON is over the bound is
/// refused with a <see cref="GrainStateTooLargeException"/> naming the grain and the state, before anything is
/// written. The measuring itself happens in <see cref="BoundedJsonGrainStateSerializer"/>, which the provider calls
/// first, so the state is serialized once; this decorator gives the refusal its grain and state name.
/// </summary>
/// <param name="inner">The provider being guarded.</param>
public sealed class GrainStateSizeGuard(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The guarded provider.</summary>
    public IGrainStorage Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Replaces the keyed grain storage <paramref name="name"/> already registered with a guarded one.</summary>
    /// <exception cref="InvalidOperationException">No grain storage of that name is registered.</exception>
    public static void Decorate(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"no grain storage called '{name}' is registered");
        if (original.KeyedImplementationFactory is not { } factory)
        {
            throw new InvalidOperationException($"grain storage '{name}' is not registered by a factory");
        }

        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new GrainStateSizeGuard((IGrainStorage)factory(sp, key)));
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Inner.ReadStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    /// <exception cref="GrainStateTooLargeException">The state's JSON is over the bound; nothing was written.</exception>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var etag = grainState.ETag;
        try
        {
            await Inner.WriteStateAsync(stateName, grainId, grainState);
        }
        catch (GrainStateTooLargeException ex)
        {
            grainState.ETag = etag;
            throw new GrainStateTooLargeException(ex.ActualBytes, ex.LimitBytes, $"state '{stateName}' of {grainId}");
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Inner.ClearStateAsync(stateName, grainId, grainState);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) => (Inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
