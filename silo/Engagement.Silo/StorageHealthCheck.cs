using Engagement.Azure.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engagement.Silo;

/// <summary>Readiness: the table and queue services the engine writes to answer.</summary>
public sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await StorageHealth.CheckAsync(services, cancellationToken);
        return result.IsHealthy
            ? HealthCheckResult.Healthy(result.Description)
            : HealthCheckResult.Unhealthy(result.Description, result.Exception);
    }
}

public static class StorageHealthCheckExtensions
{
    public static IHealthChecksBuilder AddEngagementStorageCheck(this IHealthChecksBuilder builder, string tag) =>
        builder.AddCheck<StorageHealthCheck>("storage", tags: [tag]);
}
