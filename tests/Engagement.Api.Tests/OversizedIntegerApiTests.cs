using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;

namespace Engagement.Api.Tests;

/// <summary>
/// A whole number too large for the field's integer type (<c>points</c> past a long, <c>quantity</c> past an int) is a
/// number out of range, not a value of the wrong type: the 400 names the field and its range in the words an in-range
/// value past the bound gets (<c>points: must be 1–100000000</c>), by the queue's rule (EventFieldReader.PastInt32):
/// <c>10.5</c>, <c>2.0</c> and <c>1e2</c> are told the field takes a whole number in digits, and quoted numbers bind as
/// the API's JSON options allow.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class OversizedIntegerApiTests(ApiHostFixture host)
{
    private const string Coupon = "api/v1/members/{id}/coupons/ABCD-EFGH-JKLM-NPQR/redeem";

    private static string NewMember() => "Z" + Guid.NewGuid().ToString("N")[..12];

    public static TheoryData<string, string, string, string> Refused() => new()
    {
        // Without IntegerOverflow: "has the wrong type, or the body is not valid JSON in UTF-8".
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 99999999999999999999}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": -99999999999999999999}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1e30}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 200000000}""", "points", "must be 1–100000000" }, // in a long's range: the same words
        { "api/v1/members/{id}/adjustments", """{"adjustmentId": "a-1", "kind": "points", "delta": 99999999999999999999, "reason": "x"}""", "delta", "must be non-zero and at most 1,000,000 either way" },
        { Coupon, """{"redemptionId": "R-1", "storeId": "S001", "orderAmount": 10, "items": [{"sku": "A", "quantity": 3000000000, "unitPrice": 1}]}""", "items[0].quantity", "must be 0–10,000 (0 or left out: 1)" },
        { Coupon, """{"redemptionId": "R-1", "storeId": "S001", "orderAmount": 10, "items": [{"sku": "A", "quantity": 1e12, "unitPrice": 1}]}""", "items[0].quantity", "must be 0–10,000 (0 or left out: 1)" },

        // Not a whole number past the type: refused, as the queue refuses them ("must be an integer"), saying what the field
        // takes; they were told "has the wrong type, or the body is not valid JSON in UTF-8", as if the JSON were broken.
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 10.5}""", "points", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1e3}""", "points", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/adjustments", """{"adjustmentId": "a-1", "kind": "points", "delta": 2.5, "reason": "x"}""", "delta", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1.5}""", "points", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 2.0}""", "points", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1e2}""", "points", JsonFieldErrors.WholeNumber },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": "many"}""", "points", JsonFieldErrors.WholeNumber },
        { Coupon, """{"redemptionId": "R-1", "storeId": "S001", "orderAmount": 10, "items": [{"sku": "A", "quantity": 1e-400, "unitPrice": 1}]}""", "items[0].quantity", JsonFieldErrors.WholeNumber },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AWholeNumberPastItsTypeIsToldTheFieldsRangeAndAnyOtherValueThatTheFieldTakesWholeNumbers(string path, string body, string field, string message)
    {
        var (status, errors, text) = await PostAsync(path, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {text}");
        Assert.True(errors?.ContainsKey(field) == true, text);
        Assert.Equal(message, errors![field]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": "100"}""", "points")]
    [InlineData("api/v1/members/{id}/adjustments", """{"adjustmentId": "a-1", "kind": "points", "delta": "5", "reason": "quoted"}""", "delta")]
    [InlineData(Coupon, """{"redemptionId": "R-1", "storeId": "S001", "orderAmount": 10, "items": [{"sku": "A", "quantity": "2", "unitPrice": 1}]}""", "items[0].quantity")]
    public async Task AQuotedWholeNumberBindsAsTheApisJsonOptionsAllow(string path, string body, string field)
    {
        var (_, errors, text) = await PostAsync(path, body);

        // Whatever the endpoint answers next (no such coupon, too few points), the quoted number is not refused.
        Assert.False(errors?.ContainsKey(field) == true, text);
        Assert.False(errors?.ContainsKey("body") == true, text);
    }

    [Fact]
    public async Task TheOpenApiDocumentTypesPointsDeltaAndQuantityAsIntegers()
    {
        using var anonymous = host.Client(null);
        var document = JsonNode.Parse(await anonymous.GetStringAsync("openapi/v1.json"))!;
        var schemas = document["components"]!["schemas"]!.AsObject();

        foreach (var (schema, property) in new[] { ("MemberRedemptionBody", "points"), ("CatalogueRedemptionRequest", "points"), ("AdjustmentRequest", "delta"), ("EventItem", "quantity") })
        {
            var type = schemas[schema]?["properties"]?[property]?["type"];
            Assert.True(type?.ToJsonString().Contains("\"integer\"", StringComparison.Ordinal) == true, $"{schema}.{property}: {schemas[schema]?.ToJsonString()}");
        }
    }

    private async Task<(HttpStatusCode Status, JsonObject? Errors, string Text)> PostAsync(string path, string body)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(path.Replace("{id}", NewMember(), StringComparison.Ordinal), content);
        var text = await response.Content.ReadAsStringAsync();
        var errors = response.StatusCode == HttpStatusCode.BadRequest ? JsonNode.Parse(text)?["errors"]?.AsObject() : null;
        return (response.StatusCode, errors, text);
    }
}
