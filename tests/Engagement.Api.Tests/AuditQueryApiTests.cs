using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// <c>GET /audit?from=&amp;to=</c> (CONTRACT.md §4) reads instants as the contract writes them, with an offset
/// (CONTRACT.md §1): a date-time without one names a different instant on each server's time zone.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AuditQueryApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("from", "from=2026-11-20T00:00:00")]
    [InlineData("to", "to=2026-11-24T00:00:00")]
    [InlineData("from", "from=2026-11-20")]
    [InlineData("from", "from=2026-11-20T00:00:00 08:00")] // a '+' the client forgot to escape arrives as a space
    public async Task AnAuditInstantWithoutAnOffsetIsA400NamingTheField(string field, string query)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync($"api/v1/audit?{query.Replace(" ", "%20", StringComparison.Ordinal)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        var message = Assert.Single(problem!["errors"]![field]!.AsArray())!.GetValue<string>();
        Assert.Contains("offset", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("to", "to=0001-01-03T00:00:00Z")] // the default week before it is no instant
    [InlineData("from", "from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z")] // passed the range checks, then read weeks before year 1
    [InlineData("to", "from=2000-01-01T00:00:00Z&to=1999-12-31T23:59:59%2B08:00")]
    public async Task AnAuditInstantBeforeTheEarliestKeptIsA400NamingTheFieldNotA500(string field, string query)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync($"api/v1/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        var message = Assert.Single(problem!["errors"]![field]!.AsArray())!.GetValue<string>();
        Assert.Contains("2000-01-01", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAuditRangeFromTheEarliestKeptInstantIsRead()
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync("api/v1/audit?to=2000-01-03T00:00:00Z");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await response.Content.ReadFromJsonAsync<JsonArray>(Json));
    }

    [Theory]
    [InlineData("from=2026-11-20T00:00:00Z&to=2026-11-24T00:00:00Z")]
    [InlineData("from=2026-11-20T08:00:00%2B08:00&to=2026-11-24T00:00:00.5-05:00")]
    public async Task AnAuditRangeWithOffsetsIsRead(string query)
    {
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var response = await support.GetAsync($"api/v1/audit?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await response.Content.ReadFromJsonAsync<JsonArray>(Json));
    }
}
