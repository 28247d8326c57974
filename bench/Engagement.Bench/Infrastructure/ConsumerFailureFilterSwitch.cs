using Engagement.Azure.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Bench.Infrastructure;

/// <summary>
/// <c>--failure-filter on|off</c>: the silo's <c>ConsumerFailureFilter</c> (the outgoing grain call filter that keeps
/// why a stream consumer failed, for the poison reason) taken out of a queue silo, or put into the in-memory one.
/// Any outgoing filter makes Orleans run every grain call of the silo through a filter invoker, so this measures what
/// the poison reason's detail costs. The filter type is internal to Engagement.Azure: it is found by its name, and
/// a switch that finds nothing to take out fails the run rather than measure the same silo twice.
/// </summary>
internal static class ConsumerFailureFilterSwitch
{
    private const string FilterTypeName = "Engagement.Azure.Streaming.ConsumerFailureFilter";

    /// <summary>Takes the filter out of a silo composed with <c>AddEngagementQueueStreams</c>.</summary>
    public static void Remove(IServiceCollection services)
    {
        var removed = 0;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IOutgoingGrainCallFilter) && services[i].ImplementationType?.FullName == FilterTypeName)
            {
                services.RemoveAt(i);
                removed++;
            }
        }

        if (removed == 0)
        {
            throw new InvalidOperationException($"--failure-filter off: no {FilterTypeName} registered to take out");
        }
    }

    /// <summary>Adds the filter (and its <see cref="ConsumerFailures"/>) to a silo without the queue streams.</summary>
    public static void Add(IServiceCollection services)
    {
        var filter = typeof(ConsumerFailures).Assembly.GetType(FilterTypeName, throwOnError: true)!;
        services.TryAddSingleton<ConsumerFailures>();
        services.AddSingleton(typeof(IOutgoingGrainCallFilter), filter);
    }
}
