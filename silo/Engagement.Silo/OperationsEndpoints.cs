using Engagement.Api.Security;
using Engagement.Azure.Hosting;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using Scalar.AspNetCore;

namespace Engagement.Silo;

/// <summary>
/// What an operator looks at, bound from <c>Engagement:Operations</c>: Prometheus metrics at <c>/metrics</c>
/// (OpenTelemetry: the engine's meters <c>Engagement.*</c>, with the queues' depths (<see cref="QueueDepthMetrics"/>),
/// Orleans', ASP.NET Core's and the .NET runtime's), the
/// Orleans Dashboard at <c>/dashboard</c> (admin key only) and interactive API docs at <c>/docs</c>.
/// </summary>
public sealed class OperationsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Engagement:Operations";

    /// <summary>Serve the Orleans Dashboard at <c>/dashboard</c> for admin keys. Default true.</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>Serve the Prometheus scrape endpoint at <c>/metrics</c> (no key; expose it to the scraper only). Default true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// How often the silo reads the event and poison queues' message counts from storage, in the background on a timer
    /// (<see cref="QueueDepthMetrics"/>; a scrape of <c>/metrics</c> shows the latest counts read). Default 30 s; at least 1 s.
    /// </summary>
    public TimeSpan QueueDepthSampleEvery { get; set; } = QueueDepthMetrics.DefaultSampleEvery;
}

/// <summary>Registers and maps <see cref="OperationsOptions"/>' endpoints.</summary>
public static class OperationsEndpoints
{
    /// <summary>The meters exported: every engine meter, and Orleans' own.</summary>
    public static readonly string[] Meters = ["Engagement.*", "Microsoft.Orleans"];

    /// <summary>Adds OpenTelemetry metrics with the Prometheus exporter and the queue-depth gauges, and the dashboard's silo parts.</summary>
    /// <exception cref="InvalidOperationException"><see cref="OperationsOptions.QueueDepthSampleEvery"/> is under 1 second.</exception>
    public static OperationsOptions AddEngagementOperations(this WebApplicationBuilder builder, ISiloBuilder orleans)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(orleans);
        var options = builder.Configuration.GetSection(OperationsOptions.SectionName).Get<OperationsOptions>() ?? new OperationsOptions();
        if (options.Metrics)
        {
            if (options.QueueDepthSampleEvery < TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException($"{OperationsOptions.SectionName}:{nameof(OperationsOptions.QueueDepthSampleEvery)} '{options.QueueDepthSampleEvery}' must be at least 1 second.");
            }

            builder.Services.AddEngagementQueueDepthMetrics(options.QueueDepthSampleEvery);
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(Meters)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        }

        if (options.Dashboard)
        {
            orleans.AddDashboard();
        }

        return options;
    }

    /// <summary>Maps <c>/metrics</c>, <c>/dashboard</c> (admin policy) and <c>/docs</c>.</summary>
    public static WebApplication MapEngagementOperations(this WebApplication app, OperationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Metrics)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }

        if (options.Dashboard)
        {
            app.MapOrleansDashboard("/dashboard").RequireAuthorization(ApiRoles.AdminPolicy).ExcludeFromDescription();
        }

        app.MapScalarApiReference("/docs", docs => docs.WithTitle("Engagement engine API"));
        return app;
    }
}
