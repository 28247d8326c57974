using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.EndToEnd.Tests.Infrastructure;

namespace Engagement.EndToEnd.Tests.Foundation;

/// <summary>
/// Issue 2's acceptance, through the real silo process, its HTTP API and Azurite. The restart test starts (and stops)
/// silos of its own; the keys-and-bodies test reads <see cref="SharedSilo"/>'s.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class FoundationAcceptanceTests(SharedSilo shared)
{
    [Fact]
    public async Task FirstPurchaseRefundAndRepeatThroughPostEventsThenEveryMemberReadsBackAfterARestart()
    {
        var settings = SiloSettings.ForTest("foundation");
        await using var queues = new EventQueues(settings);
        var memberId = "F" + Guid.NewGuid().ToString("N")[..10];
        var now = settings.Clock.GetUtcNow();
        var purchase = new { eventId = $"{memberId}-p1", type = "purchase", memberId, occurredAt = now.AddMinutes(-10), orderId = "O-1", amount = 1000.00m, storeId = "S001", regionId = "east" };
        var refund = new { eventId = $"{memberId}-r1", type = "refund", memberId, occurredAt = now.AddMinutes(-5), orderId = "O-1", amount = 500.00m };

        JsonObject before;
        await using (var silo = await SiloProcess.StartAsync(settings))
        {
            using var admin = silo.CreateClient();
            using (var response = await admin.PostEventsAsync(purchase))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var afterPurchase = (await admin.GetMemberAsync(memberId))!;
            Assert.Equal(2000, afterPurchase.Int64Of("pointsBalance"));
            Assert.Equal(1000, afterPurchase.Int64Of("growthValue"));
            Assert.Equal("V2", afterPurchase.Str("tier"));

            using (var response = await admin.PostEventsAsync(refund))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var afterRefund = (await admin.GetMemberAsync(memberId))!;
            Assert.Equal(1000, afterRefund.Int64Of("pointsBalance"));
            Assert.Equal(500, afterRefund.Int64Of("growthValue"));
            Assert.Equal("V1", afterRefund.Str("tier"));

            // The same eventId again changes nothing.
            using (var response = await admin.PostEventsAsync(refund))
            {
                var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Api.Json))!;
                Assert.Equal("duplicate", body["results"]![0]!["status"]!.GetValue<string>());
            }

            before = (await admin.GetMemberAsync(memberId))!;
            Assert.Equal(1000, before.Int64Of("pointsBalance"));

            using var support = silo.CreateClient(SiloProcess.SupportKey);
            var ledger = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{memberId}/ledger?limit=20", Api.Json))!;
            var entries = ledger["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();
            Assert.Equal(
                ["tier.downgrade.refund", "growth.refund", "points.refund", "tier.upgrade", "growth.purchase", "points.earn.first-purchase-double"],
                entries.Select(e => e.Str("ruleId")).ToArray());
            Assert.All(entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Str("reason"))));
            Assert.Equal(-1000, entries.Single(e => e.Str("ruleId") == "points.refund").Int64Of("delta"));

            await silo.StopAsync();
        }

        await using (var again = await SiloProcess.StartAsync(settings))
        {
            using var support = again.CreateClient(SiloProcess.SupportKey);
            var after = (await support.GetMemberAsync(memberId))!;
            Assert.Equal(before.ToJsonString(), after.ToJsonString());
        }
    }

    [Fact]
    public async Task KeysRolesAndBadBodiesGetProblemDetailsNamingTheField()
    {
        var silo = shared.Silo;
        using var anonymous = new HttpClient { BaseAddress = silo.BaseAddress };
        using var support = silo.CreateClient(SiloProcess.SupportKey);
        using var admin = silo.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/members/M1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.PostEventsAsync(new { eventId = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await support.GetAsync("api/v1/members/NEVER-SEEN-" + Guid.NewGuid().ToString("N")[..6])).StatusCode);

        using var bad = await admin.PostEventsAsync(new { eventId = "e1", type = "purchase", memberId = "M 1", occurredAt = silo.Settings.Clock.GetUtcNow(), orderId = "O1", amount = -3 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = (await bad.Content.ReadFromJsonAsync<JsonObject>(Api.Json))!;
        var fields = problem["errors"]!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Contains("memberId", fields);
        Assert.Contains("amount", fields);

        using var badLedger = await support.GetAsync("api/v1/members/M1/ledger?kind=stars");
        Assert.Equal(HttpStatusCode.BadRequest, badLedger.StatusCode);
        Assert.Contains("kind", (await badLedger.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
    }
}
