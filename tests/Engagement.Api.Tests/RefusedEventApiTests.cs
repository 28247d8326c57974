using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// An event valid on the wire that the member refuses (docs/publishing-events.md): a single one is a 400 "No event
/// was applied" naming its field, in an array it is named <c>[i].field</c> beside the applied ones (422).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class RefusedEventApiTests(ApiHostFixture host)
{
    private static string NewMember() => "R" + Guid.NewGuid().ToString("N")[..12];

    private string At(int minutesAgo) => host.Clock.GetUtcNow().AddMinutes(-minutesAgo).ToString("O", CultureInfo.InvariantCulture);

    private string Purchase(string id) =>
        $$"""{"eventId":"{{id}}-p","type":"purchase","memberId":"{{id}}","occurredAt":"{{At(10)}}","orderId":"O-1","amount":100.00}""";

    private string Refund(string id, string eventId, decimal amount) =>
        $$"""{"eventId":"{{id}}-{{eventId}}","type":"refund","memberId":"{{id}}","occurredAt":"{{At(5)}}","orderId":"O-1","amount":{{amount.ToString(CultureInfo.InvariantCulture)}}}""";

    private string Login(string id) =>
        $$"""{"eventId":"{{id}}-l","type":"login","memberId":"{{id}}","occurredAt":"{{At(1)}}"}""";

    private async Task<(HttpStatusCode Status, JsonObject Problem)> PostAsync(string json)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsync("api/v1/events", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {text}");
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    private async Task FullyRefundedOrderAsync(string id)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        foreach (var evt in new[] { Purchase(id), Refund(id, "full", 100.00m) })
        {
            using var response = await admin.PostAsync("api/v1/events", new StringContent(evt, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    [Fact]
    public async Task ASingleOverRefundIsA400NamingAmountThatClaimsNoOthers()
    {
        var id = NewMember();
        await FullyRefundedOrderAsync(id);

        var (status, problem) = await PostAsync(Refund(id, "over", 1.00m));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("No event was applied", problem["title"]!.GetValue<string>());
        Assert.DoesNotContain("others were applied", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["amount"], errors.Select(e => e.Key));
        Assert.StartsWith("refund of 1.00 CNY exceeds", errors["amount"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverRefundInAnArrayIsNamedByIndexAndFieldBesideTheAppliedOnes()
    {
        var id = NewMember();
        await FullyRefundedOrderAsync(id);

        var (status, problem) = await PostAsync($"[{Login(id)}, {Refund(id, "over", 1.00m)}]");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("Some events were not applied", problem["title"]!.GetValue<string>());
        Assert.Equal(["[1].amount"], problem["errors"]!.AsObject().Select(e => e.Key));
    }
}
