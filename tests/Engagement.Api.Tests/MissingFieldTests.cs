using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// A body that leaves out a required JSON field is a 400 naming that field (camelCase, the way the body spells it),
/// every missing one at once — never "the body is not valid JSON" (docs/http-api.md: bad input names the field).
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class MissingFieldTests(ApiHostFixture host)
{
    private async Task<(HttpStatusCode Status, JsonObject Errors)> PostAsync(string path, string json)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var response = await admin.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {text}");
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.True(problem["errors"] is JsonObject, text);
        return (response.StatusCode, problem["errors"]!.AsObject());
    }

    [Fact]
    public async Task AnAdjustmentWithoutReasonNamesReason()
    {
        var (status, errors) = await PostAsync("api/v1/members/M000004/adjustments", """{"adjustmentId":"a","kind":"points","delta":50}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["reason"], errors.Select(e => e.Key));
        Assert.Equal("is required", errors["reason"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAdjustmentUnderTheEnginesGiveBackIdIsRefusedNamingAdjustmentId()
    {
        // The member's ledger reads redemption-undo:… as the engine's give-back of a redemption, not staff's work.
        var (status, errors) = await PostAsync("api/v1/members/M000004/adjustments", """{"adjustmentId":"redemption-undo:R1","kind":"points","delta":50,"reason":"goodwill"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["adjustmentId"], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task AnAdjustmentWithoutIdOrReasonNamesBoth()
    {
        var (status, errors) = await PostAsync("api/v1/members/M000004/adjustments", """{"kind":"points","delta":50}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["adjustmentId", "reason"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARedemptionWithoutRedemptionIdNamesIt()
    {
        var (status, errors) = await PostAsync("api/v1/members/M000004/redemptions", """{"points":10}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["redemptionId"], errors.Select(e => e.Key));
        Assert.Equal("is required", errors["redemptionId"]![0]!.GetValue<string>());
    }
}
