using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// A refund waiting for its purchase shows in <c>GET /members/{memberId}</c> for support (eventId, orderId, amount in
/// CNY, occurredAt, held since and until when); it showed nowhere, so support could not trace a refund a POS had sent.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class HeldRefundViewApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task ARefundWaitingForItsPurchaseIsListedWithWhenItStopsWaiting()
    {
        var member = "HRV" + Guid.NewGuid().ToString("N")[..8];
        await host.RegisterAsync(member, "east");
        var occurredAt = host.Clock.GetUtcNow().AddMinutes(-2);
        using var admin = host.Client(AdminKey);
        using var sent = await admin.PostAsJsonAsync("api/v1/events",
            new { eventId = member + "-r1", type = "refund", memberId = member, occurredAt, orderId = "O-LATE", amount = 48.50m }, Json);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);

        using var support = host.Client(SupportKey);
        var view = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        using var till = host.Client(StoreKey);
        var tillView = (await till.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        using var marketing = host.Client(MarketingKey);
        var marketingView = (await marketing.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        var after = host.Clock.GetUtcNow();

        var held = Assert.Single(view["heldRefunds"]!.AsArray())!;
        Assert.Equal((member + "-r1", "O-LATE", 48.50m, "CNY"),
            (held["eventId"]!.GetValue<string>(), held["orderId"]!.GetValue<string>(), held["amount"]!.GetValue<decimal>(), held["currency"]!.GetValue<string>()));
        Assert.Equal(occurredAt, held["occurredAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(TimeSpan.FromHours(24), held["heldUntil"]!.GetValue<DateTimeOffset>() - held["heldSince"]!.GetValue<DateTimeOffset>());
        // The host's engine clock runs from this test clock's instant at host start (TestClock), so it may trail it by
        // the start-up time, never lead it: held since its receipt (after the refund's occurredAt), not its occurredAt.
        Assert.InRange(held["heldSince"]!.GetValue<DateTimeOffset>(), occurredAt.AddMinutes(1), after);
        Assert.Null(tillView["heldRefunds"]);
        Assert.Empty(marketingView["heldRefunds"]!.AsArray());
    }
}
