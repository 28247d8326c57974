using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;
using Engagement.Contracts.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Engagement.Api.Tests;

/// <summary>
/// A storage timeout the client did not ask for (the Azure SDK's network timeout: a <see cref="TaskCanceledException"/>
/// on its own token, or an aggregate of them once its retries are used up) is "not now": 503 with Retry-After and
/// problem details, never a 500, on any endpoint (here <c>GET /audit</c>, whose trail read times out).
/// </summary>
public sealed class StorageTimeoutApiTests : IClassFixture<StorageTimeoutApiTests.TimingOutAuditHost>
{
    private readonly TimingOutAuditHost _host;

    public StorageTimeoutApiTests(TimingOutAuditHost host) => _host = host;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStorageTimeoutIs503WithRetryAfterNot500(bool aggregate)
    {
        _host.Audit.Aggregate = aggregate;
        using var support = _host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync("api/v1/audit?from=2026-11-20T00:00:00Z&to=2026-11-24T00:00:00Z");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(UnavailableProblemHandler.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(503, problem!["status"]!.GetValue<int>());
        Assert.True(_host.Audit.Reads > 0);
    }

    [Fact]
    public void ACancellationTheClientAskedForIsNotA503()
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();

        Assert.True(UnavailableProblemHandler.IsUnaskedCancellation(new TaskCanceledException("storage timeout"), CancellationToken.None));
        Assert.False(UnavailableProblemHandler.IsUnaskedCancellation(new TaskCanceledException("client left"), aborted.Token));
        Assert.False(UnavailableProblemHandler.IsUnaskedCancellation(new AggregateException(new TaskCanceledException(), new InvalidOperationException("a bug")), CancellationToken.None));
        Assert.False(UnavailableProblemHandler.IsUnaskedCancellation(new InvalidOperationException("a bug"), CancellationToken.None));
    }

    /// <summary>The real host whose audit trail's every read times out as the Azure SDK's does.</summary>
    public sealed class TimingOutAuditHost : ApiHostFixture
    {
        public TimingOutAuditLog Audit { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IAuditLog>();
                services.AddSingleton<IAuditLog>(Audit);
            });
        }
    }

    /// <summary>An audit trail whose reads throw the SDK's timeout: a cancellation on a token nobody outside it holds.</summary>
    public sealed class TimingOutAuditLog : IAuditLog
    {
        private int _reads;

        public bool Aggregate { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            using var timeout = new CancellationTokenSource();
            timeout.Cancel();
            var timedOut = new TaskCanceledException("The operation was cancelled because it exceeded the configured timeout of 0:01:40.", null, timeout.Token);
            throw Aggregate ? new AggregateException("Retry failed after 4 tries.", timedOut, timedOut) : timedOut;
        }
    }
}
