using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Engagement.Api.Security;

namespace Engagement.Api.Tests.Operations;

/// <summary>Issue 14: metrics, the dashboard, API docs, hashed keys and the per-key rate limit on the real host.</summary>
[Collection(OperationsHostCollection.Name)]
public sealed class OperationsTests(OperationsHostFixture host)
{
    [Fact]
    public async Task MetricsExposeTheIngestCountersOrleansAspNetCoreAndTheRuntime()
    {
        using var admin = host.Client(OperationsHostFixture.AdminKey);
        var memberId = "OPS-" + Guid.NewGuid().ToString("N")[..8];
        using var posted = await admin.PostAsJsonAsync("api/v1/events", new
        {
            eventId = memberId + "-e1", type = "purchase", memberId, occurredAt = host.Clock.GetUtcNow().AddMinutes(-5),
            orderId = "O1", amount = 120.5m, currency = "CNY",
        });
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        using var scraper = host.Client(null);
        var text = "";
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!text.Contains("engagement_events_accepted", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            text = await scraper.GetStringAsync("metrics");
            if (!text.Contains("engagement_events_accepted", StringComparison.Ordinal))
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
                await timer.WaitForNextTickAsync();
            }
        }

        Assert.Contains("engagement_events_accepted", text, StringComparison.Ordinal);
        Assert.Contains("engagement_queue_receives_total{", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);
        Assert.Contains("orleans_", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDashboardRefusesASupportKeyAndServesAnAdminKey()
    {
        using var anonymous = host.Client(null);
        using var support = host.Client(OperationsHostFixture.SupportKey);
        using var admin = host.Client(OperationsHostFixture.AdminKey);

        using var none = await anonymous.GetAsync("dashboard");
        using var refused = await support.GetAsync("dashboard");
        using var served = await admin.GetAsync("dashboard");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Basic", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("Orleans Dashboard", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrowserOpensTheDashboardWithTheAdminKeyAsItsBasicPassword()
    {
        using var browser = host.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:" + OperationsHostFixture.AdminKey)));

        using var served = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("Orleans Dashboard", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InteractiveApiDocsAreServed()
    {
        using var anonymous = host.Client(null);

        using var docs = await anonymous.GetAsync("docs");

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var html = await docs.Content.ReadAsStringAsync();
        Assert.Contains("Engagement engine API", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        var document = await anonymous.GetStringAsync("openapi/v1.json");
        Assert.Contains("/api/v1/members/{memberId}", document, StringComparison.Ordinal);
        Assert.DoesNotContain("/dashboard", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyConfiguredOnlyByItsSha256IsAcceptedWithItsRole()
    {
        using var hashed = host.Client(OperationsHostFixture.HashedKey);
        using var wrong = host.Client(OperationsHostFixture.HashedKey + "x");

        using var read = await hashed.GetAsync("api/v1/members/OPS-NEVER-SEEN");
        using var write = await hashed.PostAsJsonAsync("api/v1/events", new { });
        using var unknown = await wrong.GetAsync("api/v1/members/OPS-NEVER-SEEN");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeyHashes.Hash("test"));
    }

    [Fact]
    public async Task AKeyOverItsLimitGets429WithRetryAfterWhileOtherKeysGoOn()
    {
        using var limited = host.Client(OperationsHostFixture.LimitedKey);
        using var other = host.Client(OperationsHostFixture.SupportKey);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < OperationsHostFixture.PermitsPerMinute + 2; i++)
        {
            var response = await limited.GetAsync("api/v1/members/OPS-NEVER-SEEN");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using (refused)
        {
            Assert.Equal(OperationsHostFixture.PermitsPerMinute, statuses.Count(s => s == HttpStatusCode.NotFound));
            Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
            Assert.NotNull(refused);
            var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using var stillServed = await other.GetAsync("api/v1/members/OPS-NEVER-SEEN");
        Assert.Equal(HttpStatusCode.NotFound, stillServed.StatusCode);
    }
}
