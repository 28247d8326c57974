using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// README "Keys a POS must keep unique" and the status table: an eventId reused for another event is refused naming
/// <c>eventId</c> (it was answered "duplicate … already applied"); the same event sent again stays a duplicate.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class EventIdReuseApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AnEventIdReusedForAnotherOrderIsRejectedNamingEventIdAndTheSameEventAgainIsADuplicate()
    {
        var memberId = "RU" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);

        var (first, _) = await PostAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-1", amount = 10m, storeId = "S001" });
        var (again, _) = await PostAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-1", amount = 10.00m, storeId = "S001" });
        var (reused, problem) = await PostAsync(new { eventId = memberId + "-1", type = "purchase", memberId, occurredAt = at, orderId = "O-2", amount = 5000m, storeId = "S002" });

        Assert.Equal("applied", first["status"]!.GetValue<string>());
        Assert.Equal("duplicate", again["status"]!.GetValue<string>());
        Assert.Equal("rejected", reused["status"]!.GetValue<string>());
        Assert.StartsWith("reused with a different event", problem!["errors"]!["eventId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{memberId}", Json);
        Assert.Equal(20, view!["pointsBalance"]!.GetValue<long>());
    }

    private async Task<(JsonNode Result, JsonObject? Problem)> PostAsync(object evt)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        return (Assert.Single(body["results"]!.AsArray())!, response.StatusCode == HttpStatusCode.Accepted ? null : body);
    }
}
