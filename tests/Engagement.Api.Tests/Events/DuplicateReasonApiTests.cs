using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Api.Tests.Offers;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// docs/publishing-events.md: a purchase with a new eventId but an orderId the member already has is a duplicate named
/// by its order (it was answered "eventId already applied", sending a POS developer hunting for a repeated eventId).
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class DuplicateReasonApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ARepeatedOrderIdUnderANewEventIdIsADuplicateNamingTheOrderAndARepeatedEventIdNamesTheEvent()
    {
        var memberId = "DUP" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(memberId, "east");
        var at = host.Clock.GetUtcNow().AddSeconds(-5);

        var first = await PostAsync(new { eventId = memberId + "-a", type = "purchase", memberId, occurredAt = at, orderId = "O-77", amount = 10.00m, storeId = "S001" });
        var sameOrder = await PostAsync(new { eventId = memberId + "-b", type = "purchase", memberId, occurredAt = at.AddSeconds(1), orderId = "O-77", amount = 10.00m, storeId = "S002" });
        var sameEvent = await PostAsync(new { eventId = memberId + "-c", type = "login", memberId, occurredAt = at });
        var again = await PostAsync(new { eventId = memberId + "-c", type = "login", memberId, occurredAt = at });

        Assert.Equal("applied", first["status"]!.GetValue<string>());
        Assert.Equal(("duplicate", "purchase of order O-77 was already applied"), (sameOrder["status"]!.GetValue<string>(), sameOrder["reason"]!.GetValue<string>()));
        Assert.Equal("applied", sameEvent["status"]!.GetValue<string>());
        Assert.Equal(("duplicate", $"event {memberId}-c was already applied"), (again["status"]!.GetValue<string>(), again["reason"]!.GetValue<string>()));
    }

    private async Task<JsonNode> PostAsync(object evt)
    {
        using var admin = host.Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return Assert.Single((await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["results"]!.AsArray())!;
    }
}
