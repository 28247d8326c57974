using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// CONTRACT.md §2 counts whole yuan: points floor(floor(amount) × multiplier × double), growth floor(amount), a refund
/// reversing floor(R). A 0.99 CNY purchase and its full refund therefore change no point and no growth value, so the ledger
/// (which lists changes, CONTRACT.md §4) has no line for either; the purchase is still applied (it is the member's first,
/// which takes the first-purchase double).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class SubYuanPurchaseLedgerApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task APurchaseOf099AndItsFullRefundChangeNoPointOrGrowthSoTheLedgerHasNoLineForThem()
    {
        var id = "Y" + Guid.NewGuid().ToString("N")[..12];
        var at = host.Clock.GetUtcNow().AddHours(-2).ToOffset(TimeSpan.FromHours(8));
        using var admin = host.Client(ApiHostFixture.AdminKey);
        foreach (var evt in new object[]
        {
            new { eventId = $"{id}-p", type = "purchase", memberId = id, occurredAt = at, orderId = "O-small", amount = 0.99m },
            new { eventId = $"{id}-r", type = "refund", memberId = id, occurredAt = at.AddMinutes(5), orderId = "O-small", amount = 0.99m },
        })
        {
            using var posted = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        using var support = host.Client(ApiHostFixture.SupportKey);
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(0, view!["pointsBalance"]!.GetValue<long>());
        Assert.Equal(0, view["growthValue"]!.GetValue<long>());
        var entries = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger", Json))!["entries"]!.AsArray();
        Assert.DoesNotContain(entries, e => e!["eventId"]?.GetValue<string>() is { } eventId && eventId.StartsWith(id, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e!["kind"]!.GetValue<string>() is "points" or "growth");

        // The 0.99 purchase was applied, not dropped: it was the member's first, so the next one earns single points.
        using var next = await admin.PostAsJsonAsync(
            "api/v1/events",
            new { eventId = $"{id}-p2", type = "purchase", memberId = id, occurredAt = at.AddMinutes(10), orderId = "O-next", amount = 100m },
            Json);
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        var points = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points", Json))!["entries"]!.AsArray();
        var earn = Assert.Single(points);
        Assert.Equal(100, earn!["delta"]!.GetValue<long>());
        Assert.Equal("points.earn", earn["ruleId"]!.GetValue<string>());
    }
}
