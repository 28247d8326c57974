using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engagement.Api.Hosting;

/// <summary>
/// The body of <c>/health/ready</c>: why the silo is or is not ready, so <c>curl /health/ready</c> says which check
/// failed and what it saw. JSON <c>{"status":"Unhealthy","checks":{"cluster":{"status":"Unhealthy","description":"…",
/// "data":{"siloStatus":"ShuttingDown"}},"storage":{…}}}</c>; the HTTP status stays the health-check default (200
/// Healthy, 503 Unhealthy). Exceptions are not written (their messages may name hosts or accounts), only descriptions;
/// a check that threw (whose description the health-check service sets to the exception's message) is described by the
/// exception's type instead: <c>"The check failed: InvalidOperationException."</c>. Each answer is also shown to
/// <see cref="ReadinessLog"/>, which logs when readiness changes.
/// </summary>
public static class HealthResponse
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes <paramref name="report"/> as described on the type.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        if (context.RequestServices is { } services) // null for a context made outside a host
        {
            services.GetService<ReadinessLog>()?.Observe(report);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            Status = report.Status.ToString(),
            Checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { Status = e.Value.Status.ToString(), Description = Describe(e.Value), Data = e.Value.Data.Count == 0 ? null : e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json), context.RequestAborted);
    }

    private static string? Describe(HealthReportEntry entry) =>
        entry.Exception is { } ex && (entry.Description is null || entry.Description == ex.Message)
            ? $"The check failed: {ex.GetType().Name}."
            : entry.Description;
}
