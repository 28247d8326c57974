using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Engagement.Api.Tests;

/// <summary>The audit shows support a coupon code as its last 4 characters (a full code is worth its value at a till); an admin sees it whole.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class AuditMaskingApiTests(ApiHostFixture host)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task SupportReadsCouponCodesInTheAuditAsTheirLastFourCharactersAndAdminReadsThemWhole()
    {
        const string code = "QEGQZ8UEMQZCKS86";
        var target = "M" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddSeconds(-1);
        await host.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditEntry
        {
            AuditId = $"coupon.reissue|{target}|{code}", At = at, Actor = "Li Na", Role = "support", Action = "coupon.reissue", Target = target,
            Detail = $"coupon {code}: threshold 30 over 200", Reason = $"member says {code} was refused",
        });
        var from = Uri.EscapeDataString(at.AddSeconds(-5).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(at.AddSeconds(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);

        var bySupport = Assert.Single((await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={from}&to={to}&limit=1000", Json))!, a => a!["target"]!.GetValue<string>() == target)!;
        var byAdmin = Assert.Single((await admin.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={from}&to={to}&limit=1000", Json))!, a => a!["target"]!.GetValue<string>() == target)!;

        Assert.Equal("coupon …KS86: threshold 30 over 200", bySupport["detail"]!.GetValue<string>());
        Assert.Equal("member says …KS86 was refused", bySupport["reason"]!.GetValue<string>());
        Assert.DoesNotContain(code, bySupport.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal($"coupon {code}: threshold 30 over 200", byAdmin["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task ACodeSupportTypedIntoAnAdjustmentReasonInLowerCaseWithDashesOrSpacesIsMaskedAndOrderIdsAndWordsAreNot()
    {
        var id = "K" + Guid.NewGuid().ToString("N")[..12];
        using var support = host.Client(ApiHostFixture.SupportKey);
        using var admin = host.Client(ApiHostFixture.AdminKey);
        var at = host.Clock.GetUtcNow();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5); // the audit records the wall-clock moment of a manual action
        using (var seeded = await admin.PostAsJsonAsync("api/v1/events", new[] { new { eventId = $"{id}-O1", type = "purchase", memberId = id, occurredAt = at.AddMinutes(-1), orderId = "ORD-2026-1123-0042", amount = 50m } }, Json))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, seeded.StatusCode);
        }

        const string reason = "member read out qegq-z8ue-mqzc-ks86, again as qegq z8ue mqzc ks86; make sure that they get order ORD-2026-1123-0042 back";
        using (var adjusted = await support.PostAsJsonAsync($"api/v1/members/{id}/adjustments", new { adjustmentId = "typed-code", kind = "points", delta = 5, reason }, Json))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, adjusted.StatusCode);
        }

        var from = Uri.EscapeDataString(before.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var bySupport = Assert.Single((await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={from}&limit=1000", Json))!, a => a!["target"]!.GetValue<string>() == id)!;
        var byAdmin = Assert.Single((await admin.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={from}&limit=1000", Json))!, a => a!["target"]!.GetValue<string>() == id)!;

        Assert.Equal("member read out …KS86, again as …KS86; make sure that they get order ORD-2026-1123-0042 back", bySupport["reason"]!.GetValue<string>());
        // Masked where the reason entered (AdjustmentPolicy.KeptReason): the row is stored so, and an admin reads it as stored.
        Assert.Equal(bySupport["reason"]!.GetValue<string>(), byAdmin["reason"]!.GetValue<string>());
    }
}
