using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>A coupon an admin issues by hand is a manual action in the audit (CONTRACT.md §4, <c>GET /audit</c>).</summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponIssueAuditApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task AnAdminCouponIssueIsAuditedOnceWhenTheGrantIsRetried()
    {
        var memberId = "AC" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId);
        using var admin = host.Client(AdminKey);
        var grant = new { grantId = "goodwill-7", kind = "no_threshold", value = 10.00m, validDays = 14 };

        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons", grant, Json);
        using var retried = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons", grant, Json);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
        using var support = host.Client(SupportKey);
        var audit = await support.GetFromJsonAsync<JsonArray>("api/v1/audit?limit=1000", Json);
        var row = Assert.Single(audit!, r => r!["target"]!.GetValue<string>() == memberId)!;
        Assert.Equal("coupon.issue", row["action"]!.GetValue<string>());
        Assert.Equal($"coupon.issue|{memberId}|goodwill-7", row["auditId"]!.GetValue<string>());
        Assert.Equal("admin", row["role"]!.GetValue<string>());
        Assert.Equal($"coupon …{code[^4..]}: no_threshold 10.00, grant goodwill-7", row["detail"]!.GetValue<string>()); // support: the last 4 characters
    }
}
