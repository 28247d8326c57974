using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Faults;

/// <summary>
/// Issue 9 §5 through the real silo process and a real Azurite that the test stops and starts again over the same
/// data: nothing is lost or half-applied across a storage outage, and readiness says so while it lasts.
/// </summary>
[ExpectedSeconds(40)]
public sealed class StorageOutageTests
{
    [Fact]
    public async Task FirstPurchaseRefusedDuringAnOutageIsAppliedWhenPostedAgainAndSurvivesARestart()
    {
        await using var azurite = await DedicatedAzurite.StartAsync();
        var settings = Settings(azurite, "outage");
        var memberId = "NEW1-" + Guid.NewGuid().ToString("N")[..8];

        // The silo's engine clock runs from the settings' pinned clock: the event is ten minutes old on it.
        var purchase = new { eventId = memberId + "-p1", type = "purchase", memberId, occurredAt = settings.Clock.GetUtcNow().AddMinutes(-10), orderId = "O-1", amount = 1000.00m, regionId = "east" };
        JsonObject applied;
        await using (var silo = await SiloProcess.StartAsync(settings))
        {
            using var admin = silo.CreateClient();
            Assert.Null(await admin.GetMemberAsync(memberId)); // activates an empty grain

            await azurite.StopAsync();
            using (var refused = await admin.PostEventsAsync(purchase))
            {
                Assert.True((int)refused.StatusCode >= 500, $"expected a server error while storage is down, got {(int)refused.StatusCode}");
            }

            await azurite.StartAgainAsync();
            using (var again = await admin.PostEventsAsync(purchase))
            {
                Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
                var body = (await again.Content.ReadFromJsonAsync<JsonObject>(Api.Json))!;
                Assert.Equal("applied", body["results"]![0]!["status"]!.GetValue<string>());
            }

            applied = (await admin.GetMemberAsync(memberId))!;
            Assert.Equal(2000, applied.Int64Of("pointsBalance"));
            Assert.Equal(1000, applied.Int64Of("growthValue"));
            Assert.Equal("V2", applied.Str("tier"));
            await silo.StopAsync();
        }

        await using (var restarted = await SiloProcess.StartAsync(settings))
        {
            using var support = restarted.CreateClient(SiloProcess.SupportKey);
            var after = await support.GetMemberAsync(memberId);
            Assert.NotNull(after);
            Assert.Equal(2000, after.Int64Of("pointsBalance"));
            Assert.Equal(1000, after.Int64Of("growthValue"));
            Assert.Equal("V2", after.Str("tier"));
        }
    }

    [Fact]
    [Trait("Machine", "Alone")] // times readiness answers (503 within 5 s, each call within 4 s): needs the machine to itself
    public async Task ReadinessAnswers503WithinFiveSecondsOfStorageLossAnd200WhenItIsBack()
    {
        await using var azurite = await DedicatedAzurite.StartAsync();
        await using var silo = await SiloProcess.StartAsync(Settings(azurite, "ready"));
        using var probe = new HttpClient { BaseAddress = silo.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(probe)).Status);

        await azurite.StopAsync();
        var lost = Stopwatch.StartNew();
        var answers = new List<(HttpStatusCode Status, TimeSpan Took, TimeSpan At)>();
        while (lost.Elapsed < TimeSpan.FromSeconds(12) && answers.Count < 100)
        {
            var (status, took) = await ReadyAsync(probe);
            answers.Add((status, took, lost.Elapsed));
        }

        var first503 = answers.FindIndex(a => a.Status == HttpStatusCode.ServiceUnavailable);
        var described = string.Join(", ", answers.Select(a => $"{(int)a.Status} in {a.Took.TotalSeconds:0.0}s at {a.At.TotalSeconds:0.0}s"));
        Assert.True(first503 >= 0, "readiness never answered 503 while storage was down: " + described);
        Assert.True(answers[first503].At <= TimeSpan.FromSeconds(5), "the first 503 came later than 5 s after storage was lost: " + described);
        Assert.All(answers.Skip(first503), a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(answers, a => Assert.True(a.Took <= TimeSpan.FromSeconds(4), "a readiness call took longer than the 3 s probe timeout allows: " + described));

        await azurite.StartAgainAsync();
        await Poll.UntilAsync(async () => (await ReadyAsync(probe)).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "readiness 200 once storage is back");
    }

    private static SiloSettings Settings(DedicatedAzurite azurite, string name) =>
        new(azurite.ConnectionString, $"{name}-{Guid.NewGuid():N}"[..20], ("e2e" + Guid.NewGuid().ToString("N")[..10]).ToLowerInvariant());

    private static async Task<(HttpStatusCode Status, TimeSpan Took)> ReadyAsync(HttpClient probe)
    {
        var watch = Stopwatch.StartNew();
        using var response = await probe.GetAsync("api/v1/health/ready");
        return (response.StatusCode, watch.Elapsed);
    }
}
