using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// One rule for every reason staff type (Engagement.Domain.ReasonText): control, bidirectional-override and zero-width
/// characters are a 400 naming <c>reason</c> on the adjustment, consent and point value endpoints alike (the coupon
/// reissue's is in CouponReissueApiTests), and nothing is changed.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class ReasonTextApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("goodwill \u202Eevil")]
    [InlineData("good\u200Bwill")]
    [InlineData("\uFEFFgoodwill")]
    [InlineData("goodwill \u2066x\u2069")]
    public async Task AnAdjustmentReasonWithABidiOverrideOrZeroWidthCharacterIs400NamingReasonAndNothingIsApplied(string reason)
    {
        var id = await SeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);
        var before = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json))!["pointsBalance"]!.GetValue<long>();

        using var refused = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "r-1", kind = "points", delta = 5, reason }, Json);

        await AssertNamesReasonAsync(refused);
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(before, view!["pointsBalance"]!.GetValue<long>());
    }

    [Fact]
    public async Task AnAdjustmentReasonWithTabsAndLineBreaksIsApplied()
    {
        var id = await SeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var applied = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "r-2", kind = "points", delta = 5, reason = "late parcel\n\tsee ticket" }, Json);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
    }

    [Theory]
    [InlineData("asked by phone\u0000")]
    [InlineData("asked by \u202Ephone")]
    public async Task AConsentReasonWithANulOrABidiOverrideIs400NamingReasonAndTheConsentStays(string reason)
    {
        var id = await SeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);

        using var refused = await support.PutAsJsonAsync($"api/v1/members/{id}/consent?reason={Uri.EscapeDataString(reason)}", new Dictionary<string, bool> { ["sms"] = false }, Json);

        await AssertNamesReasonAsync(refused);
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.NotEqual(false, view!["consent"]?["sms"]?.GetValue<bool>());
    }

    [Theory]
    [InlineData("quarterly review\u0000")]
    [InlineData("quarterly \u2067review")]
    public async Task APointValueReasonWithANulOrABidiIsolateIs400NamingReasonAndNoChangeIsStored(string reason)
    {
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var current = (await admin.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json))!["current"]!.GetValue<decimal>();
        var changeId = "pv-" + Guid.NewGuid().ToString("N")[..10];

        using var refused = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { changeId, value = current, reason }, Json); // the value stays as it is

        await AssertNamesReasonAsync(refused);
        var after = await admin.GetFromJsonAsync<JsonObject>("api/v1/programme/point-value", Json);
        Assert.DoesNotContain(changeId, after!.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task AssertNamesReasonAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Contains("bidirectional", problem!["errors"]!["reason"]!.ToJsonString(), StringComparison.Ordinal);
    }

    private async Task<string> SeedAsync()
    {
        var id = "T" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var response = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount = 20m } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
