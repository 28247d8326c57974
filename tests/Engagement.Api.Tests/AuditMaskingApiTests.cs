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
}
