using System.Text.Json;
using Engagement.Api.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Engagement.Api.Tests.Operations;

/// <summary><c>/health/ready</c>'s body never carries an exception's message (it may name a host), also for a check that threw.</summary>
public sealed class HealthResponseTests
{
    [Fact]
    public async Task AThrowingChecksMessageIsReplacedByItsExceptionType()
    {
        const string secret = "storage-account-7.queue.core.windows.net refused";
        var thrown = new InvalidOperationException(secret);
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                // What the health-check service records for a check that threw: the exception's message as description.
                ["cluster"] = new(HealthStatus.Unhealthy, thrown.Message, TimeSpan.FromMilliseconds(3), thrown, null),
                ["storage"] = new(HealthStatus.Healthy, "Azure Storage tables and queues answered.", TimeSpan.FromMilliseconds(2), null, null),
            },
            TimeSpan.FromMilliseconds(5));
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await HealthResponse.WriteAsync(context, report);

        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        Assert.DoesNotContain("core.windows.net", text, StringComparison.Ordinal);
        var checks = JsonDocument.Parse(text).RootElement.GetProperty("checks");
        Assert.Equal("The check failed: InvalidOperationException.", checks.GetProperty("cluster").GetProperty("description").GetString());
        Assert.Equal("Azure Storage tables and queues answered.", checks.GetProperty("storage").GetProperty("description").GetString());
    }
}
