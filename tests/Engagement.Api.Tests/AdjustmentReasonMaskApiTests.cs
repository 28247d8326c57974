using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engagement.Api.Tests;

/// <summary>
/// A coupon code typed into an adjustment's reason is masked to its last 4 characters where the reason enters the
/// engine (Engagement.Domain.Points.AdjustmentPolicy.KeptReason), so the member's ledger (support and the member read
/// it), the answer and the audit row all hold the masked text: the admin, who reads the audit as stored, sees no whole
/// code either.
/// </summary>
[Collection(ApiHostCollection.Name)]
public sealed class AdjustmentReasonMaskApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ACodeTypedIntoAnAdjustmentReasonIsMaskedInTheLedgerTheAnswerAndTheStoredAuditRow()
    {
        var id = await SeedAsync();
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5); // the audit records the wall-clock moment of a manual action
        var request = new { adjustmentId = "mask-1", kind = "points", delta = 5, reason = "  member read out qegq-z8ue-mqzc-ks86 at the till " };

        using var applied = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", request, Json);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var answer = (await applied.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("manual adjustment +5: member read out …KS86 at the till", answer["detail"]!.GetValue<string>());
        foreach (var reader in new[] { support, admin })
        {
            var ledger = (await reader.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}/ledger?kind=points&limit=10", Json))!;
            var entry = Assert.Single(ledger["entries"]!.AsArray(), e => e!["ruleId"]!.GetValue<string>() == "points.adjustment");
            Assert.Equal("manual adjustment +5: member read out …KS86 at the till", entry!["reason"]!.GetValue<string>());
            Assert.DoesNotContain("qegq", ledger.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        }

        var audit = await admin.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O", CultureInfo.InvariantCulture))}&limit=1000", Json);
        var row = Assert.Single(audit!, a => a!["auditId"]!.GetValue<string>() == $"adjustment|{id}|mask-1");
        Assert.Equal("member read out …KS86 at the till", row!["reason"]!.GetValue<string>());
    }

    private async Task<string> SeedAsync()
    {
        var id = "K" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var response = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at, orderId = "O1", amount = 100m } }, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return id;
    }
}
