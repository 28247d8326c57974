using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// CONTRACT.md §4 ledger, additive field: every entry answers <c>occurredAt</c> (when the change took effect, UTC with its
/// offset) beside <c>at</c> (when the engine recorded it), so a sale an offline POS uploads days later reads on its own day.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class LedgerOccurredAtApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ASaleUploadedDaysLateShowsTheSaleTimeAsOccurredAtAndTheUploadAsAt()
    {
        var id = "L" + Guid.NewGuid().ToString("N")[..12];
        var now = host.Clock.GetUtcNow();
        var sale = now.AddDays(-3).ToOffset(TimeSpan.FromHours(8));
        using var admin = host.Client(ApiHostFixture.AdminKey);
        using var posted = await admin.PostAsJsonAsync(
            "api/v1/events",
            new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = sale, orderId = "O1", amount = 120m },
            Json);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using var adjusted = await admin.PostAsJsonAsync(
            $"api/v1/members/{id}/adjustments", new { adjustmentId = "goodwill-1", kind = "points", delta = 5, reason = "late parcel" }, Json);
        Assert.Equal(HttpStatusCode.OK, adjusted.StatusCode);

        using var support = host.Client(ApiHostFixture.SupportKey);
        var entries = (await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points", Json))!["entries"]!.AsArray();

        Assert.Equal(2, entries.Count);
        var adjustment = entries[0]!;
        var earn = entries[1]!;
        Assert.Equal($"{id}-O1", earn["eventId"]!.GetValue<string>());
        Assert.Equal(sale, earn["occurredAt"]!.GetValue<DateTimeOffset>());
        Assert.EndsWith("+00:00", earn["occurredAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(earn["at"]!.GetValue<DateTimeOffset>(), now.AddMinutes(-1), now.AddMinutes(2)); // recorded now (the host clock runs from the test clock, give or take its start), not 3 days ago
        Assert.Equal(adjustment["at"]!.GetValue<DateTimeOffset>(), adjustment["occurredAt"]!.GetValue<DateTimeOffset>());
    }
}
