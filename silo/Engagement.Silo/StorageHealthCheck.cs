using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Engagement.Azure.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Engagement.Silo;

/// <summary>The readiness probe's storage check, bound from <c>Engagement:Health</c>.</summary>
public sealed class StorageHealthCheckOptions
{
    public const string SectionName = "Engagement:Health";

    /// <summary>
    /// How long one storage probe may take; past it readiness answers 503 "storage did not answer within …".
    /// Default 3 s, allowed 100 ms to 30 s. Keep it under the orchestrator's probe timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:00:30")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Readiness: the table and queue services the engine writes to answer within
/// <see cref="StorageHealthCheckOptions.StorageTimeout"/>. The probe has its own clients, without the SDK's retries
/// (whose back-off would hold a probe for many seconds while storage is down) and with the timeout as network timeout,
/// so during an outage every call answers 503 within the timeout, and 200 again as soon as storage answers.
/// </summary>
public sealed class StorageHealthCheck : IHealthCheck
{
    private readonly TimeSpan _timeout;
    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;

    public StorageHealthCheck(IOptions<EngagementStorageOptions> storage, IOptions<StorageHealthCheckOptions> options)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        _timeout = options.Value.StorageTimeout;
        var connectionString = storage.Value.ConnectionString;
        var tableOptions = new TableClientOptions();
        var queueOptions = new QueueClientOptions();
        foreach (var retry in new[] { tableOptions.Retry, queueOptions.Retry })
        {
            retry.MaxRetries = 0;
            retry.NetworkTimeout = _timeout;
        }

        _tables = new TableServiceClient(connectionString, tableOptions);
        _queues = new QueueServiceClient(connectionString, queueOptions);
    }

    /// <summary>Healthy when both services answered in time; unhealthy (503 on <c>/health/ready</c>) otherwise. Never throws for storage failures.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            var result = await StorageHealth.CheckAsync(_tables, _queues, timeout.Token);
            return result.IsHealthy
                ? HealthCheckResult.Healthy(result.Description)
                : HealthCheckResult.Unhealthy(result.Description, result.Exception);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Azure Storage did not answer within {_timeout.TotalSeconds:0.###} s.", ex);
        }
    }
}

public static class StorageHealthCheckExtensions
{
    /// <summary>
    /// Adds <see cref="StorageHealthCheck"/> (one instance, so its clients are reused) with its options validated at start,
    /// and <see cref="HealthProbeLogFilter"/>.
    /// </summary>
    public static IHealthChecksBuilder AddEngagementStorageCheck(this IHealthChecksBuilder builder, string tag)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StorageHealthCheckOptions>()
            .BindConfiguration(StorageHealthCheckOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<StorageHealthCheck>();
        HealthProbeLogFilter.AddTo(builder.Services); // a failing probe is logged once per change, not per probe
        return builder.AddCheck<StorageHealthCheck>("storage", tags: [tag]);
    }
}
