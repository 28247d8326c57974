using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests.Events;

/// <summary>
/// <c>/openapi/v1.json</c> describes <c>POST /api/v1/events</c> as it behaves (CONTRACT.md §4): one envelope or an
/// array of up to 1,000, its 400/413/422/503 problem answers beside the 202, and each event's <c>status</c> in
/// <c>results</c> (and <c>refusedCoupons</c>) with what a POS does on it.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class EventsOpenApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task PostEventsDeclaresOneOrAnArrayItsProblemAnswersAndEachEventStatus()
    {
        using var anonymous = host.Client(null);
        var document = (await anonymous.GetFromJsonAsync<JsonObject>("openapi/v1.json", Json))!;
        var post = document["paths"]!["/api/v1/events"]!["post"]!;

        var oneOf = post["requestBody"]!["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(2, oneOf.Count);
        var array = Assert.Single(oneOf, s => s!["type"]?.ToString() == "array")!;
        Assert.NotNull(array["items"]);
        Assert.Equal(1000, array["maxItems"]!.GetValue<int>());

        var responses = post["responses"]!.AsObject();
        foreach (var status in new[] { "202", "400", "403", "413", "422", "503" })
        {
            Assert.True(responses.ContainsKey(status), $"no {status} in {responses.ToJsonString()}");
        }

        var description = post["description"]!.GetValue<string>();
        foreach (var status in new[] { "`applied`", "`held`", "`duplicate`", "`rejected`", "`failed`", "`refusedCoupons`" })
        {
            Assert.Contains(status, description, StringComparison.Ordinal);
        }
    }
}
