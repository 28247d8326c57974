using Engagement.Contracts.Programme;
using Engagement.Contracts.Storage;
using Engagement.Domain.Metrics;
using Engagement.Grains.Members.Effects;
using Engagement.Grains.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Grains.Programme;

/// <summary>Registers programme metrics and alerts in a silo (CONTRACT.md §5).</summary>
public static partial class ProgrammeHostingExtensions
{
    /// <summary>
    /// Binds <see cref="MetricsOptions"/> (<c>Engagement:Metrics</c>) and <see cref="AlertOptions"/>
    /// (<c>Engagement:Alerts</c>), validated at start; adds the metrics sink the member outbox calls
    /// (<see cref="IProgrammeMetricsSink"/>, through <see cref="MetricContributionHandler"/>), the members' rules source
    /// (<see cref="MemberMetricsSource"/>: members record contributions only on silos that have it), the <see cref="IDataAnomalyReporter"/>, in-memory aggregator rows (<see cref="IAggregatorRowStore"/>) unless storage registered its table, an in-memory
    /// <see cref="IAlertPublisher"/> unless storage registered the queue one, and starts the alerts grain (its reminder)
    /// when the silo becomes active unless <paramref name="startAlerts"/> is false.
    /// </summary>
    public static ISiloBuilder AddEngagementProgramme(this ISiloBuilder builder, IConfiguration configuration, bool startAlerts = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        services.AddEngagementProgrammeOptions(configuration);
        services.TryAddSingleton<IProgrammeMetricsSink, GrainProgrammeMetricsSink>();
        services.TryAddSingleton<IAggregatorRowStore, InMemoryAggregatorRowStore>();
        services.TryAddSingleton<MemberMetricsSource>();
        services.TryAddSingleton<MetricContributionHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemberEffectHandler, MetricContributionHandler>(sp => sp.GetRequiredService<MetricContributionHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, MetricContributionHandler>(sp => sp.GetRequiredService<MetricContributionHandler>()));
        services.TryAddSingleton<IDataAnomalyReporter, GrainDataAnomalyReporter>();
        services.TryAddSingleton<InMemoryAlertPublisher>();
        services.TryAddSingleton<IAlertPublisher>(sp => sp.GetRequiredService<InMemoryAlertPublisher>());
        if (startAlerts)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, AlertsStartup>());
        }

        return builder;
    }

    /// <summary>
    /// The options and the health reader (<see cref="IProgrammeDaysReader"/>, <see cref="ProgrammeDaysReader"/>) alone, for
    /// hosts that read metrics without a silo (e.g. the API's views over an Orleans client).
    /// </summary>
    public static IServiceCollection AddEngagementProgrammeOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton<IProgrammeDaysReader, ProgrammeDaysReader>();
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName)).ValidateOnStart();
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, Validator<MetricsOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, Validator<AlertOptions>>());
        return services;
    }

    private sealed class Validator<T> : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = options switch
            {
                MetricsOptions m => m.Validate().Select(e => MetricsOptions.SectionName + ": " + e),
                AlertOptions a => a.Validate().Select(e => AlertOptions.SectionName + ": " + e),
                _ => [],
            };
            var list = errors.ToList();
            return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
        }
    }

    /// <summary>
    /// Activates the alerts grain once the silo is active, so its evaluation reminder exists. A grain that cannot start
    /// is logged and the silo serves without alerts until the grain's next activation: its activation calls storage
    /// (the reminder table, the alert publisher's queue), whose SDK timeout reaches here as a
    /// <see cref="TaskCanceledException"/> no one asked for, a failure like any other. Only the silo's own start being
    /// cancelled (the lifecycle's token) propagates.
    /// </summary>
    internal sealed partial class AlertsStartup(IGrainFactory grains, ILogger<AlertsStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(AlertsStartup), ServiceLifecycleStage.Active, StartAsync);

        private async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await grains.GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Open, 1);
            }
            catch (Exception ex) when (StorageFailures.IsFailure(ex, cancellationToken))
            {
                // The silo serves without alerts rather than not at all; the next call to the grain activates it.
                // A storage timeout in the grain's activation (TaskCanceledException) included: an escape would fail the silo's start.
                LogNotStarted(ex);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "The alerts grain did not start; alert evaluation waits for its next activation")]
        private partial void LogNotStarted(Exception exception);
    }
}
