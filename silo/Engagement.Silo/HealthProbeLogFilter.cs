using Microsoft.Extensions.DependencyInjection.Extensions;
using Serilog.Core;
using Serilog.Events;

namespace Engagement.Silo;

/// <summary>
/// Drops the health-check service's per-probe line for a check that answered Degraded or Unhealthy (ASP.NET Core's
/// <c>DefaultHealthCheckService</c>, event <c>HealthCheckEnd</c>: a Warning or an Error with the check's exception and
/// its stack trace, at every probe, every few seconds per silo during a storage outage). Readiness changes are logged
/// once each instead, with the reason and no stack trace (<see cref="Engagement.Api.Hosting.ReadinessLog"/>). A check
/// that throws (<c>HealthCheckError</c>, a defect) is still logged as an Error, and so is everything else.
/// </summary>
public sealed class HealthProbeLogFilter : ILogEventFilter
{
    /// <summary>The health-check service's logger category.</summary>
    public const string Category = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>The id of its <c>HealthCheckEnd</c> event.</summary>
    public const int HealthCheckEndEventId = 103;

    /// <inheritdoc/>
    public bool IsEnabled(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        return !(logEvent.Level >= LogEventLevel.Warning
            && logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: Category }
            && logEvent.Properties.TryGetValue("EventId", out var id) && id is StructureValue structure
            && structure.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: HealthCheckEndEventId }));
    }

    /// <summary>Adds the filter to the host's Serilog logger (read from the services by <c>ReadFrom.Services</c>), once.</summary>
    internal static void AddTo(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILogEventFilter, HealthProbeLogFilter>());
}
