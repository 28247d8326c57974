using Engagement.Contracts.Events;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Silo;

/// <summary>
/// Readiness, the cluster side: this silo is an <see cref="SiloStatus.Active"/> member of its Orleans cluster, and
/// its event-queue readers (the pulling agents of stream provider <see cref="StreamNames.Provider"/>) run. Both facts
/// are Orleans' own: the local silo's status in the membership oracle (<see cref="ISiloStatusOracle.CurrentStatus"/>:
/// <c>Created</c> or <c>Joining</c> while it starts, <c>ShuttingDown</c> or <c>Stopping</c> while it stops,
/// <c>Dead</c> once stopped or declared dead by the others), and the agents' run state as the stream provider reports
/// it (<see cref="PersistentStreamProviderCommand.GetAgentsState"/>). The answer names the check that failed and the
/// status it saw, in its description and data (<c>siloStatus</c>, <c>queueReaders</c>, <c>queuesRead</c>).
/// </summary>
/// <remarks>
/// <para>A started silo may read no queue at all (more silos than queues: the lease balancer gives it none); that is
/// ready. A silo without the queue provider is judged on its membership only. The queue readers are asked only while
/// the silo is Active; both questions share one deadline, <see cref="AgentsTimeout"/> in all (on the unkeyed
/// <see cref="TimeProvider"/>, Orleans' clock), and a cancelled request cancels them.</para>
/// <para>Orleans 10.4.2 offers no read of the agents' state other than these two commands
/// (<see cref="IControllable.ExecuteCommand"/>; its pulling-agent manager is internal). The manager numbers every
/// command, queries included, and skips a queued <c>StartAgents</c>/<c>StopAgents</c> once a later command has arrived:
/// a probe landing while an operator's Start/StopAgents still waits behind a queue rebalance can make Orleans skip it.
/// Check <c>queueReaders</c> after such a command, and send it again if it did not take.</para>
/// <para>In the start-up window between the silo becoming Active and the provider starting its pulling-agent manager,
/// Orleans logs a Warning for each probe ("Got command GetAgentsState with arg …, but PullingAgentManager is not
/// initialized yet. Ignoring the command.") and the check answers "not started"; expected, and over within seconds.</para>
/// </remarks>
public sealed class ClusterHealthCheck(ISiloStatusOracle membership, IServiceProvider services) : IHealthCheck
{
    /// <summary>How long the pulling-agent manager may take to answer both questions (local calls, normally well under a millisecond).</summary>
    public static readonly TimeSpan AgentsTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Healthy when the silo is Active and its queue readers are started; unhealthy (503 on <c>/health/ready</c>)
    /// naming the silo status or the readers' state otherwise. Never throws for a failed probe; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled (the request went away).
    /// </summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentStatus;
        var data = new Dictionary<string, object> { ["siloStatus"] = status.ToString() };
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy(
                $"The silo is {status} in its Orleans cluster, not Active (starting, stopping, or declared dead).", data: data);
        }

        if (services.GetKeyedService<IStreamProvider>(StreamNames.Provider) is not IControllable provider)
        {
            data["queueReaders"] = "none (this silo has no queue provider)";
            return HealthCheckResult.Healthy("The silo is Active in its Orleans cluster.", data);
        }

        using var timeout = new CancellationTokenSource(AgentsTimeout, services.GetService<TimeProvider>() ?? TimeProvider.System);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var state = await provider.ExecuteCommand((int)PersistentStreamProviderCommand.GetAgentsState, null).WaitAsync(deadline.Token);
            var running = await provider.ExecuteCommand((int)PersistentStreamProviderCommand.GetNumberRunningAgents, null).WaitAsync(deadline.Token);
            data["queueReaders"] = state?.ToString() ?? "unknown";
            data["queuesRead"] = running ?? 0;
            return state is StreamLifecycleOptions.RunState.AgentsStarted
                ? HealthCheckResult.Healthy($"The silo is Active in its Orleans cluster and its queue readers run ({running ?? 0} queues).", data)
                : HealthCheckResult.Unhealthy($"The silo's queue readers are {state}, not AgentsStarted: it reads no events.", data: data);
        }
        catch (ArgumentException ex)
        {
            // Orleans' answer before the provider has started its pulling-agent manager.
            data["queueReaders"] = "not started";
            return HealthCheckResult.Unhealthy("The silo's queue readers have not started yet.", ex, data);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            data["queueReaders"] = "no answer";
            return HealthCheckResult.Unhealthy($"The silo's queue readers did not say their state within {AgentsTimeout.TotalSeconds:0} s.", ex, data);
        }
        catch (Exception ex) when (ex is OrleansException or InvalidOperationException or TimeoutException)
        {
            data["queueReaders"] = "no answer";
            return HealthCheckResult.Unhealthy($"The silo's queue readers did not say their state: {ex.GetType().Name}.", ex, data);
        }
    }
}

/// <summary>Registration of <see cref="ClusterHealthCheck"/>.</summary>
public static class ClusterHealthCheckExtensions
{
    /// <summary>Adds <see cref="ClusterHealthCheck"/> as check <c>cluster</c> with <paramref name="tag"/> (the readiness tag), and <see cref="HealthProbeLogFilter"/>.</summary>
    public static IHealthChecksBuilder AddEngagementClusterCheck(this IHealthChecksBuilder builder, string tag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        HealthProbeLogFilter.AddTo(builder.Services); // a failing probe is logged once per change, not per probe
        return builder.AddCheck<ClusterHealthCheck>("cluster", tags: [tag]);
    }
}
