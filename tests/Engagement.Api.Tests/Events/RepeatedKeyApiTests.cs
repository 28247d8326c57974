using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// docs/publishing-events.md "Keys a POS must keep unique": a key given twice in one object is refused naming it, never resolved to the
/// last value (<c>{"amount":1,"amount":5000}</c> applied 5,000 CNY; <c>{"points":10,"points":600}</c> spent 600).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class RepeatedKeyApiTests(ApiHostFixture host)
{
    [Fact]
    public async Task AnEventWithAKeyGivenTwiceIsRefusedNamingItAndItsNeighbourIsApplied()
    {
        var memberId = "RK" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var twice = $$"""{"eventId":"{{memberId}}-h8","type":"purchase","memberId":"{{memberId}}","occurredAt":"{{at}}","orderId":"O-8","amount":1,"amount":5000}""";
        var fine = $$"""{"eventId":"{{memberId}}-h9","type":"purchase","memberId":"{{memberId}}","occurredAt":"{{at}}","orderId":"O-9","amount":10}""";

        using var one = await host.PostJsonTextAsync("api/v1/events", twice);
        using var batch = await host.PostJsonTextAsync("api/v1/events", $"[{twice.Replace("-h8", "-h7", StringComparison.Ordinal)},{fine}]");

        Assert.Equal(HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Equal(JsonFieldErrors.GivenTwice, Errors(await one.Content.ReadFromJsonAsync<JsonObject>(EventsApi.Json))["amount"]![0]!.GetValue<string>());
        Assert.Equal((HttpStatusCode)422, batch.StatusCode);
        var problem = (await batch.Content.ReadFromJsonAsync<JsonObject>(EventsApi.Json))!;
        Assert.Equal(["[0].amount"], Errors(problem).Select(e => e.Key));
        Assert.Equal("applied", problem["results"]!.AsArray().Single()!["status"]!.GetValue<string>());

        Assert.Equal(20, await host.PointsBalanceAsync(memberId));
    }

    [Fact]
    public async Task ARedemptionWithPointsGivenTwiceIsRefusedNamingPointsAndSpendsNothing()
    {
        var memberId = "RK" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        using var bought = await host.PostJsonTextAsync("api/v1/events", $$"""{"eventId":"{{memberId}}-p","type":"purchase","memberId":"{{memberId}}","occurredAt":"{{at}}","orderId":"O-1","amount":500}""");
        Assert.Equal(HttpStatusCode.Accepted, bought.StatusCode);

        using var twice = await host.PostJsonTextAsync($"api/v1/members/{memberId}/redemptions", """{"redemptionId":"R-1","points":10,"points":600}""");

        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal(JsonFieldErrors.GivenTwice, Errors(await twice.Content.ReadFromJsonAsync<JsonObject>(EventsApi.Json))["points"]![0]!.GetValue<string>());
        Assert.Equal(1000, await host.PointsBalanceAsync(memberId));
    }

    private static JsonObject Errors(JsonObject? problem) => problem!["errors"]!.AsObject();
}
