using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>Support reissues a member's coupon through the HTTP API: once, audited, refused for a used coupon, bad input named.</summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponReissueApiTests(OffersHostFixture host)
{
    private static readonly object Gift = new { grantId = "winback:L1:2026-11-23", offerId = "winback.l1", kind = "no_threshold", value = 20.00m, validDays = 14 };

    private async Task<(string MemberId, string Code)> IssueAsync()
    {
        var memberId = "RX" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId);
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons", Gift, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return (memberId, (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>());
    }

    private static Task<HttpResponseMessage> ReissueAsync(HttpClient client, string memberId, string code, object body) =>
        client.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/reissue", body, Json);

    [Fact]
    public async Task SupportReissuesOnceTheOldCouponIsVoidedAndTheAuditSaysWhoAndWhy()
    {
        var (member, code) = await IssueAsync();
        // The audit records the wall-clock moment of a manual action (not the engine clock the rules run on).
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        using var support = host.Client(NamedSupportKey);
        var body = new { reissueId = "rx-1", reason = "member lost the coupon" };

        using var first = await ReissueAsync(support, member, code, body);
        using var retried = await ReissueAsync(support, member, code, body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var reissued = await first.Content.ReadFromJsonAsync<JsonObject>(Json);
        var fresh = reissued!["coupon"]!["code"]!.GetValue<string>();
        Assert.NotEqual(code, fresh);
        Assert.Equal(("reissued", "voided"), (reissued["status"]!.GetValue<string>(), reissued["old"]!["status"]!.GetValue<string>()));
        var (oldCoupon, newCoupon) = (reissued["old"]!, reissued["coupon"]!);
        Assert.InRange(newCoupon["validFrom"]!.GetValue<DateTimeOffset>(), oldCoupon["statusAt"]!.GetValue<DateTimeOffset>(), host.Clock.GetUtcNow());
        // The same whole days as the old one, ending like any issue at the start of a local day (docs/offers.md §3): the
        // old validUntil's wall-clock instant, as many days later as the reissue's day is after the issue's (here 0 or 1).
        var later = newCoupon["validUntil"]!.GetValue<DateTimeOffset>() - oldCoupon["validUntil"]!.GetValue<DateTimeOffset>();
        Assert.Equal(0, later.Ticks % TimeSpan.TicksPerDay);
        Assert.InRange(later, TimeSpan.Zero, TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var replayed = await retried.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(("replayed", fresh), (replayed!["status"]!.GetValue<string>(), replayed["coupon"]!["code"]!.GetValue<string>()));

        var coupons = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json);
        Assert.Equal(["issued", "voided"], coupons!.Select(c => c!["status"]!.GetValue<string>()));
        Assert.Contains("Wang Fang: member lost the coupon", coupons![1]!["statusReason"]!.GetValue<string>(), StringComparison.Ordinal);
        using var pos = host.Client(StoreKey);
        using var redeemed = await pos.PostAsJsonAsync($"api/v1/members/{member}/coupons/{fresh}/redeem", new { redemptionId = "p1", storeId = "S001", orderAmount = 50m }, Json);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);

        var audit = await support.GetFromJsonAsync<JsonArray>($"api/v1/audit?from={Uri.EscapeDataString(before.ToString("O"))}", Json);
        // The coupon the admin issued in the set-up is audited too (coupon.issue); the reissue is one row of its own.
        var row = Assert.Single(audit!, a => a!["target"]!.GetValue<string>() == member && a["action"]!.GetValue<string>() != "coupon.issue");
        Assert.Equal(("Wang Fang", "support", "member.coupon_reissue"), (row!["actor"]!.GetValue<string>(), row["role"]!.GetValue<string>(), row["action"]!.GetValue<string>()));
        Assert.Equal($"coupon …{code[^4..]} → …{fresh[^4..]}", row["detail"]!.GetValue<string>()); // support: the last 4 characters
        Assert.Equal("member lost the coupon", row["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task ARedeemedCouponIsRefusedWithItsReasonAndBadInputNamesTheField()
    {
        var (member, code) = await IssueAsync();
        var (other, foreign) = await IssueAsync();
        using var pos = host.Client(StoreKey);
        using var used = await pos.PostAsJsonAsync($"api/v1/members/{member}/coupons/{code}/redeem", new { redemptionId = "p1", storeId = "S001", orderAmount = 50m }, Json);
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        using var support = host.Client(SupportKey);

        using var redeemed = await ReissueAsync(support, member, code, new { reissueId = "rx-1", reason = "asked again" });
        using var noReason = await ReissueAsync(support, other, foreign, new { reissueId = "rx-2", reason = "  " });
        using var tooLong = await ReissueAsync(support, other, foreign, new { reissueId = "rx-3", reason = new string('x', 201) });
        using var badCode = await ReissueAsync(support, other, "not-a-code!", new { reissueId = "rx-4", reason = "lost" });
        using var notHers = await ReissueAsync(support, member, foreign, new { reissueId = "rx-5", reason = "lost" });
        using var byPos = await ReissueAsync(pos, other, foreign, new { reissueId = "rx-6", reason = "lost" });
        using var nul = await ReissueAsync(support, other, foreign, new { reissueId = "rx-7", reason = "lost\u0000" });
        using var bidi = await ReissueAsync(support, other, foreign, new { reissueId = "rx-8", reason = "lost \u202Eit" });

        Assert.Equal(HttpStatusCode.Conflict, redeemed.StatusCode);
        var conflict = await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(("used", "redeemed"), (conflict!["reason"]!.GetValue<string>(), conflict["coupon"]!["status"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.NotNull((await noReason.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["reason"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.NotNull((await tooLong.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["reason"]);
        Assert.Equal(HttpStatusCode.BadRequest, badCode.StatusCode);
        Assert.NotNull((await badCode.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["code"]);
        Assert.Equal(HttpStatusCode.NotFound, notHers.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byPos.StatusCode);
        foreach (var refused in new[] { nul, bidi }) // the one reason rule (ReasonText)
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("bidirectional", (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["reason"]!.ToJsonString(), StringComparison.Ordinal);
        }

        using var admin = host.Client(AdminKey);
        var untouched = await admin.GetFromJsonAsync<JsonArray>($"api/v1/members/{other}/coupons", Json);
        Assert.Equal("issued", Assert.Single(untouched!)!["status"]!.GetValue<string>());
    }
}
