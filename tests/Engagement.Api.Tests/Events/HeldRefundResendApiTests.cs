using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// README's status table: a resent refund still held is answered <c>held</c> again with its first reason (it was answered
/// "duplicate … already applied", which says applied: the POS believed the refund went through).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class HeldRefundResendApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AResentHeldRefundIsStillHeldWithItsFirstReason()
    {
        var memberId = "RU" + Guid.NewGuid().ToString("N")[..10];
        var refund = new { eventId = memberId + "-r", type = "refund", memberId, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1), orderId = "O-9", amount = 10m };

        var (held, _) = await PostAsync(refund);
        var (resent, _) = await PostAsync(refund);

        Assert.Equal("held", held["status"]!.GetValue<string>());
        Assert.Equal(("held", held["reason"]!.GetValue<string>()), (resent["status"]!.GetValue<string>(), resent["reason"]!.GetValue<string>()));
        Assert.Contains("O-9 not seen yet", held["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<(JsonNode Result, JsonObject? Problem)> PostAsync(object evt)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        return (Assert.Single(body["results"]!.AsArray())!, response.StatusCode == HttpStatusCode.Accepted ? null : body);
    }
}
