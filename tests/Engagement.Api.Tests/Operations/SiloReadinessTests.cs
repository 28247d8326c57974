using System.Net;
using System.Text.Json;
using Engagement.Contracts.Events;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Engagement.Api.Tests.Operations;

/// <summary>
/// <c>/health/ready</c> on the real silo host is 503 while the silo is not an Active cluster member or its queue
/// readers are stopped, and its body says which check failed and what status it saw; 200 again once they run.
/// Each test starts and stops a host of its own (it stops parts of it).
/// </summary>
[Collection(SiloStopHostCollection.Name)]
public sealed class SiloReadinessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StoppedQueueReadersMakeTheSiloUnreadyNamingTheirStateUntilTheyRunAgain()
    {
        var host = new OperationsHostFixture();
        await host.InitializeAsync();
        try
        {
            using var client = host.Client(null);
            var ready = await ReadyAsync(client, HttpStatusCode.OK);
            Assert.Equal("Active", ready.Cluster.GetProperty("data").GetProperty("siloStatus").GetString());
            Assert.Equal("AgentsStarted", ready.Cluster.GetProperty("data").GetProperty("queueReaders").GetString());

            var provider = (IControllable)host.Services.GetRequiredKeyedService<IStreamProvider>(StreamNames.Provider);
            await provider.ExecuteCommand((int)PersistentStreamProviderCommand.StopAgents, null);

            var stopped = await ReadyAsync(client, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Unhealthy", stopped.Status);
            Assert.Equal("Unhealthy", stopped.Cluster.GetProperty("status").GetString());
            Assert.Equal("AgentsStopped", stopped.Cluster.GetProperty("data").GetProperty("queueReaders").GetString());
            Assert.Contains("queue readers are AgentsStopped", stopped.Cluster.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal("Healthy", stopped.Storage.GetProperty("status").GetString());

            await provider.ExecuteCommand((int)PersistentStreamProviderCommand.StartAgents, null);
            await ReadyAsync(client, HttpStatusCode.OK);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task ASiloThatStoppedBeingAnActiveMemberIsUnreadyNamingItsStatusWhileLiveStaysUp()
    {
        var host = new OperationsHostFixture();
        await host.InitializeAsync();
        try
        {
            using var client = host.Client(null);
            await ReadyAsync(client, HttpStatusCode.OK);

            // Orleans stops while the web host still answers (as when it is declared dead, or stopped on its own). On a
            // normal SIGTERM the web server stops first (registered last, stopped first), so probes get connection refused.
            await host.Services.GetRequiredService<Orleans.Runtime.Silo>().StopAsync(CancellationToken.None);

            var unready = await ReadyAsync(client, HttpStatusCode.ServiceUnavailable);
            var status = unready.Cluster.GetProperty("data").GetProperty("siloStatus").GetString();
            Assert.Contains(status, new[] { "ShuttingDown", "Stopping", "Dead" });
            Assert.Contains($"The silo is {status} in its Orleans cluster, not Active", unready.Cluster.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("health/live")).StatusCode);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Polls <c>/health/ready</c> until it answers <paramref name="expected"/> (deadline <see cref="Deadline"/>); its parsed body.</summary>
    private static async Task<(string Status, JsonElement Cluster, JsonElement Storage)> ReadyAsync(HttpClient client, HttpStatusCode expected)
    {
        var answer = await Poll.UntilAsync(
            async () =>
            {
                using var response = await client.GetAsync("health/ready");
                return new ReadyAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
            },
            a => a.Code == expected,
            (int)Deadline.TotalSeconds,
            a => $"/health/ready still {(int)a!.Code}, expected {(int)expected}: {a.Body}");
        var root = JsonDocument.Parse(answer.Body).RootElement;
        var checks = root.GetProperty("checks");
        Assert.True(checks.TryGetProperty("cluster", out var cluster), $"/health/ready names no cluster check: {answer.Body}");
        return (root.GetProperty("status").GetString()!, cluster.Clone(), checks.GetProperty("storage").Clone());
    }

    /// <summary>One answer of <c>/health/ready</c>: its status code and body.</summary>
    private sealed record ReadyAnswer(HttpStatusCode Code, string Body);
}
