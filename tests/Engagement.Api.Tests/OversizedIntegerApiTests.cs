using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Engagement.Api.Problems;

namespace Engagement.Api.Tests;

/// <summary>
/// A whole number too large for the field's integer type (<c>points</c> past a long, <c>quantity</c> past an int) is a
/// number out of range, not a value of the wrong type: the 400 names the field and its range in the words an in-range
/// value past the bound gets (<c>points: must be 1–100000000</c>), as the queue's reader does for event fields.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class OversizedIntegerApiTests(ApiHostFixture host)
{
    private static string NewMember() => "Z" + Guid.NewGuid().ToString("N")[..12];

    public static TheoryData<string, string, string, string> Oversized() => new()
    {
        // Before: "has the wrong type, or the body is not valid JSON in UTF-8".
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 99999999999999999999}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": -99999999999999999999}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1e30}""", "points", "must be 1–100000000" },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 200000000}""", "points", "must be 1–100000000" }, // in range of a long: the same words
        { "api/v1/members/{id}/adjustments", """{"adjustmentId": "a-1", "kind": "points", "delta": 99999999999999999999, "reason": "x"}""", "delta", "must be non-zero and at most 1,000,000 either way" },
        {
            "api/v1/members/{id}/coupons/ABCD-EFGH-JKLM-NPQR/redeem",
            """{"redemptionId": "R-1", "storeId": "S001", "orderAmount": 10, "items": [{"sku": "A", "quantity": 3000000000, "unitPrice": 1}]}""",
            "items[0].quantity",
            "must be 0–10,000 (0 or left out: 1)"
        },
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": 1.5}""", "points", JsonFieldErrors.WrongType }, // not a whole number: still the wrong type
        { "api/v1/members/{id}/redemptions", """{"redemptionId": "R-1", "points": "many"}""", "points", JsonFieldErrors.WrongType },
    };

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task AWholeNumberPastItsTypeIsToldTheFieldsRange(string path, string body, string field, string message)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync(path.Replace("{id}", NewMember(), StringComparison.Ordinal), content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), text);
        Assert.Equal(message, errors[field]![0]!.GetValue<string>());
    }
}
