using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// CONTRACT.md §4 "support up to a configured limit, admin beyond": the limit (1,000 here) bounds support's day on one
/// member per kind, not each request; three +1,000 once all passed and two +1,000 growth moved a member up a tier.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class SupportDeskLimitApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task SupportsSecondGrowthAdjustmentOfTheDayPastTheLimitIs403NamingTheLimitAndTheDaysUseAndAnAdminCanMakeIt()
    {
        var id = await SeedAsync(200m);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var first = new { adjustmentId = "g-1", kind = "growth", delta = 1000, reason = "goodwill" };
        var second = new { adjustmentId = "g-2", kind = "growth", delta = 1000, reason = "goodwill again" };

        using var applied = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", first, Json);
        using var replayed = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", first, Json);
        using var refused = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", second, Json);
        using var points = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "p-1", kind = "points", delta = 1000, reason = "late parcel" }, Json);
        using var bodyLimit = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "g-3", kind = "growth", delta = 1, reason = "sneaky", deskLimit = 1_000_000 }, Json);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode); // a replay is answered, and counts once
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>(Json);
        var detail = problem!["detail"]!.GetValue<string>();
        Assert.Contains("limit is 1000 growth", detail, StringComparison.Ordinal);
        Assert.Contains("1000 already adjusted today", detail, StringComparison.Ordinal);
        Assert.Contains("an admin can", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, points.StatusCode); // points have their own day's total
        Assert.Equal(HttpStatusCode.Forbidden, bodyLimit.StatusCode); // the limit is the configured one, never the body's

        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(1200, view!["growthValue"]!.GetValue<long>());
        Assert.Equal("V2", view["tier"]!.GetValue<string>());

        using var byAdmin = await admin.PostAsJsonAsync($"api/v1/members/{id}/adjustments", second, Json);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
    }

    [Fact]
    public async Task SupportsSingleAdjustmentAboveTheLimitIsRefusedByTheDaysTotalWithTheOne403AndAnAdminMakesIt()
    {
        var id = await SeedAsync(200m);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var big = new { adjustmentId = "big-1", kind = "growth", delta = 1001, reason = "store opening" };

        using var refused = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);

        // The agent reads one number and the day's use, whatever the size of the one request: no second, per-request limit.
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!["detail"]!.GetValue<string>();
        Assert.Contains("limit is 1000 growth per member", detail, StringComparison.Ordinal);
        Assert.Contains("0 already adjusted today, 1001 more would pass it", detail, StringComparison.Ordinal);
        Assert.Contains("an admin can", detail, StringComparison.Ordinal);
        using var byAdmin = await admin.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(1201, view!["growthValue"]!.GetValue<long>()); // 200 from the purchase, the refused request none
    }

    /// <summary>
    /// The daily-limit 403 carries a machine-readable <c>reason</c> (<c>daily_limit</c>) and its figures, as the sibling
    /// 403 carries <c>made_by_admin</c>: it had only a title and an English detail, so a client could tell the two 403s
    /// apart, or show the limit and the day's use, only by parsing the text.
    /// </summary>
    [Fact]
    public async Task TheDailyLimit403NamesReasonDailyLimitTheLimitTheDaysUseAndTheProgrammeLocalDay()
    {
        var id = await SeedAsync(200m);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using (var first = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "p-1", kind = "points", delta = -150, reason = "wrong sale" }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var refused = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "p-2", kind = "points", delta = 900, reason = "goodwill" }, Json);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(host.Clock.GetUtcNow(), shanghai).DateTime);
        Assert.Equal("Above the support limit", problem["title"]!.GetValue<string>());
        Assert.Equal("daily_limit", problem["reason"]!.GetValue<string>());
        Assert.Equal("points", problem["kind"]!.GetValue<string>());
        Assert.Equal(1000, problem["limit"]!.GetValue<long>());
        Assert.Equal(150, problem["used"]!.GetValue<long>()); // |−150|: a take counts toward the day like a give
        Assert.Equal(900, problem["requested"]!.GetValue<long>());
        Assert.Equal(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), problem["day"]!.GetValue<string>());
        Assert.Equal("Asia/Shanghai", problem["timeZone"]!.GetValue<string>());
    }

    [Fact]
    public async Task SupportReplayingAnAdminsAdjustmentAboveTheLimitIs403AndTheAuditKeepsTheAdminAsItsActor()
    {
        var id = await SeedAsync(200m);
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5); // the audit records the wall-clock moment of a manual action
        var big = new { adjustmentId = "big-admin", kind = "growth", delta = 1500, reason = "store opening" };
        using (var byAdmin = await admin.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json))
        {
            Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        }

        using var replayedBySupport = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", big, Json);

        Assert.Equal(HttpStatusCode.Forbidden, replayedBySupport.StatusCode);
        var detail = (await replayedBySupport.Content.ReadFromJsonAsync<JsonObject>(Json))!["detail"]!.GetValue<string>();
        Assert.Contains("only an admin can replay it", detail, StringComparison.Ordinal);
        var audit = await admin.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}&limit=1000", Json);
        var row = Assert.Single(audit!, a => a!["auditId"]!.GetValue<string>() == $"adjustment|{id}|big-admin");
        Assert.Equal(("admin", "admin"), (row!["actor"]!.GetValue<string>(), row["role"]!.GetValue<string>()));
        var view = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", Json);
        Assert.Equal(1700, view!["growthValue"]!.GetValue<long>()); // 200 from the purchase, the adjustment once
    }

    private async Task<string> SeedAsync(decimal amount)
    {
        var id = "D" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var response = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
