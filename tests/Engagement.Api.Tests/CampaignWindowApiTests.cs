using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>A campaign's window is instants (CONTRACT.md §1: ISO-8601 with offset), never the server's local time.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class CampaignWindowApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AWindowWithoutAnOffsetIsABadRequestNamingTheFieldNotAWindowInTheServersZone()
    {
        var id = "win-" + Guid.NewGuid().ToString("N")[..8];
        using var marketing = host.Client(ApiHostFixture.MarketingKey);
        var now = host.Clock.GetUtcNow();

        // Midnight of Shanghai's next day, written without its +08:00: the server cannot know which midnight is meant.
        var local = now.ToOffset(TimeSpan.FromHours(8)).Date.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        using var bare = await CreateAsync(marketing, id, now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture), local);
        using var missing = await marketing.GetAsync($"api/v1/campaigns/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        var errors = (await bare.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["validUntil"], errors.Select(e => e.Key));
        Assert.Contains("with offset", errors["validUntil"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var withOffset = await CreateAsync(marketing, id, now.AddHours(-1).ToString("O", CultureInfo.InvariantCulture), local + "+08:00");
        Assert.Equal(HttpStatusCode.Created, withOffset.StatusCode);
        var created = (await withOffset.Content.ReadFromJsonAsync<JsonObject>(Json))!["definition"]!["validUntil"]!.GetValue<DateTimeOffset>();
        Assert.Equal(TimeSpan.FromHours(8), created.Offset);
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient marketing, string id, string validFrom, string validUntil) => marketing.PostAsJsonAsync("api/v1/campaigns", new
    {
        id,
        name = "Window " + id,
        kind = "broadcast",
        audience = new { regions = new[] { "nowhere-" + id } },
        channel = "push",
        offer = new { kind = "coupon", code = "WIN5", unitCost = 5m },
        validFrom,
        validUntil,
    }, Json);
}
