using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// The bounds of a support adjustment (CONTRACT.md §4, <c>POST /members/{memberId}/adjustments</c>): every input out of
/// them is a 400 problem naming its field, never a 500, and changes nothing on the member.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AdjustmentBoundsApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":1.5,"reason":"typo"}""", "delta")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":1e30,"reason":"typo"}""", "delta")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":0,"reason":"typo"}""", "delta")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":null,"reason":"typo"}""", "delta")]
    [InlineData("""{"adjustmentId":"b","kind":"growth","delta":-1000001,"reason":"typo"}""", "delta")]
    [InlineData("""{"adjustmentId":"b","kind":"Points","delta":5,"reason":"typo"}""", "kind")]
    [InlineData("""{"adjustmentId":"   ","kind":"points","delta":5,"reason":"typo"}""", "adjustmentId")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":5,"reason":" \t\n\u3000 "}""", "reason")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":5,"reason":null}""", "reason")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":5,"reason":"good\u0000will"}""", "reason")]
    [InlineData("""{"adjustmentId":"b","kind":"points","delta":5,"reason":"goodwill \ud800"}""", "reason")]
    public async Task AnAdjustmentOutOfBoundsIsA400NamingTheFieldAndChangesNothing(string body, string field)
    {
        var id = await SeedAsync();

        var (status, problem) = await PostAsync(id, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        await AssertUnchangedAsync(id);
    }

    [Fact]
    public async Task AReasonOverTwoHundredCharactersIsA400NamingReasonAndTwoHundredWithSpacesAroundAreKeptTrimmed()
    {
        var id = await SeedAsync();
        var limit = new string('r', 200);

        var (tooLong, problem) = await PostAsync(id, JsonSerializer.Serialize(new { adjustmentId = "long", kind = "points", delta = 5, reason = limit + "r" }));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        Assert.Equal(["reason"], problem["errors"]!.AsObject().Select(e => e.Key));
        await AssertUnchangedAsync(id);

        var (atLimit, _) = await PostAsync(id, JsonSerializer.Serialize(new { adjustmentId = "at-limit", kind = "points", delta = 5, reason = "  " + limit + "\n" }));
        Assert.Equal(HttpStatusCode.OK, atLimit);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var ledger = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points", Json);
        Assert.Equal("manual adjustment +5: " + limit, ledger!["entries"]![0]!["reason"]!.GetValue<string>());
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string memberId, string json)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var response = await support.PostAsync($"api/v1/members/{memberId}/adjustments", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, text);
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>The member's points balance and growth value are still those of its one purchase (200 CNY).</summary>
    private async Task AssertUnchangedAsync(string memberId)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{memberId}", Json);
        var ledger = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{memberId}/ledger?kind=points", Json);
        Assert.Equal(200, view!["growthValue"]!.GetValue<long>());
        Assert.DoesNotContain(ledger!["entries"]!.AsArray(), e => e!["reason"]!.GetValue<string>().StartsWith("manual adjustment", StringComparison.Ordinal));
    }

    private async Task<string> SeedAsync()
    {
        var id = "B" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var response = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount = 200m } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
