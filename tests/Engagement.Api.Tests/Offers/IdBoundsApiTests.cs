using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// The ids the API takes and echoes (coupon codes, redemption, reissue, adjustment and grant ids, reward, store, region,
/// campaign, member, booking and change ids), one past its bound or malformed, on each endpoint listed in
/// <see cref="Cases"/>, are a 400 problem naming that field: never a 500, never stored or echoed cut. Ids counted in code points (CONTRACT.md §1 counts characters so): an emoji counts one.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class IdBoundsApiTests(OffersHostFixture host)
{
    private const string Code = "ABCDEFGHJKLMNPQR";

    /// <summary>129 code points: one past the 1–128 of a redemption, reissue, adjustment or grant id.</summary>
    private static readonly string Emoji129 = string.Concat(Enumerable.Repeat("😀", 129));

    /// <summary>65 characters: one past the 1–64 of a reward, store, region, offer, campaign or booking id.</summary>
    private static readonly string Long65 = new('s', 65);

    private static string Body(object value) => System.Text.Json.JsonSerializer.Serialize(value, Json);

    public static TheoryData<string, string, string, string> Cases() => new()
    {
        // method, path ({m}: a new member), body (empty: none), the field the problem must name
        { "GET", "api/v1/coupons/" + new string('A', 5000), "", "code" },
        { "GET", "api/v1/coupons/" + Uri.EscapeDataString("ABCD<>EFGH&JKLM+\"'"), "", "code" },
        { "GET", "api/v1/coupons/" + Uri.EscapeDataString("优惠券😀ABCDEFGHJKLMN"), "", "code" },
        { "POST", "api/v1/members/{m}/coupons/" + new string('A', 129) + "/redeem", Body(new { redemptionId = "r1", storeId = "S001", orderAmount = 10m }), "code" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/redeem", Body(new { redemptionId = Emoji129, storeId = "S001", orderAmount = 10m }), "redemptionId" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/redeem", Body(new { redemptionId = "r\n1", storeId = "S001", orderAmount = 10m }), "redemptionId" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/redeem", Body(new { redemptionId = "r1", storeId = Long65, orderAmount = 10m }), "storeId" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/redeem", Body(new { redemptionId = "r1", storeId = "S<1>&", orderAmount = 10m }), "storeId" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/redeem", Body(new { redemptionId = "r1", storeId = "S001", regionId = Long65, orderAmount = 10m }), "regionId" },
        { "POST", "api/v1/members/{m}/coupons/" + new string('A', 129) + "/reissue", Body(new { reissueId = "rx", reason = "lost" }), "code" },
        { "POST", $"api/v1/members/{{m}}/coupons/{Code}/reissue", Body(new { reissueId = Emoji129, reason = "lost" }), "reissueId" },
        { "POST", "api/v1/members/{m}/coupons", Body(new { grantId = Emoji129, kind = "no_threshold", value = 10m, validDays = 14 }), "grantId" },
        { "POST", "api/v1/members/{m}/coupons", Body(new { grantId = "g\u00001", kind = "no_threshold", value = 10m, validDays = 14 }), "grantId" },
        { "POST", "api/v1/members/{m}/coupons", Body(new { grantId = "g1", offerId = Long65, kind = "no_threshold", value = 10m, validDays = 14 }), "offerId" },
        { "POST", "api/v1/members/{m}/redemptions", Body(new { redemptionId = "r\u00071", points = 1 }), "redemptionId" },
        { "POST", "api/v1/members/{m}/redemptions", Body(new { redemptionId = "r1", points = 1, storeId = "S 001" }), "storeId" },
        { "POST", "api/v1/members/{m}/adjustments", Body(new { adjustmentId = Emoji129, kind = "points", delta = 1, reason = "goodwill" }), "adjustmentId" },
        { "GET", "api/v1/catalogue/" + Long65, "", "rewardId" },
        { "PUT", "api/v1/catalogue/" + Uri.EscapeDataString("r<1>"), Body(new { name = "mug", pointsPrice = 100, marketPrice = 10m }), "rewardId" },
        { "GET", "api/v1/catalogue/R1/stock/" + Long65, "", "storeId" },
        { "PUT", $"api/v1/catalogue/{Long65}/stock", Body(new[] { new { storeId = "S001", available = 1 } }), "rewardId" },
        { "PUT", "api/v1/catalogue/R1/stock", Body(new[] { new { storeId = Long65, available = 1 } }), "[0].storeId" },
        { "PUT", "api/v1/catalogue/R1/stock", Body(new[] { new { storeId = "S<1>", available = 1 } }), "[0].storeId" },
        { "POST", "api/v1/catalogue/R1/redemptions", Body(new { redemptionId = Emoji129, memberId = "M1", storeId = "S001", points = 1 }), "redemptionId" },
        { "PUT", $"api/v1/stores/{Long65}/inventory", "[]", "storeId" },
        { "GET", "api/v1/stores/" + Uri.EscapeDataString("店铺😀") + "/inventory", "", "storeId" },
        { "GET", "api/v1/campaigns/" + Long65, "", "campaignId" },
        { "POST", $"api/v1/campaigns/{Long65}/trigger", "{}", "campaignId" },
        { "POST", $"api/v1/campaigns/{Long65}/pause", "", "campaignId" },
        { "POST", $"api/v1/campaigns/{Long65}/resume", "", "campaignId" },
        { "POST", "api/v1/campaigns/" + Uri.EscapeDataString("c<1>") + "/resume", "", "campaignId" },
        { "GET", $"api/v1/campaigns/{Long65}/audience", "", "campaignId" },
        { "GET", "api/v1/campaigns/" + Uri.EscapeDataString("活动😀") + "/audience", "", "campaignId" },
        { "GET", $"api/v1/campaigns/{Long65}/members/M1", "", "campaignId" },
        { "GET", "api/v1/campaigns/c1/members/" + new string('m', 129), "", "memberId" },
        { "GET", "api/v1/campaigns/c1/members/" + Uri.EscapeDataString("M<1>&'"), "", "memberId" },
        { "GET", $"api/v1/campaigns/{Long65}/results", "", "campaignId" },
        { "POST", "api/v1/campaigns", Body(new { id = "c<1>", name = "x" }), "id" },
        { "POST", "api/v1/members/{m}/benefits/priority-booking/bookings", Body(new { bookingId = Long65, storeId = "S001" }), "bookingId" },
        { "PUT", "api/v1/programme/point-value", Body(new { value = 0.01m, reason = "review", changeId = Long65 }), "changeId" },
        { "GET", "api/v1/programme/health?regionId=" + new string('r', 65), "", "regionId" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ATooLongOrMalformedIdIsABadRequestNamingItsField(string method, string path, string body, string field)
    {
        using var admin = host.Client(AdminKey);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{m}", "IDB" + Guid.NewGuid().ToString("N")[..10], StringComparison.Ordinal));
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await admin.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), text);
    }

    /// <summary>
    /// The other side of the bound: 128 emoji (256 UTF-16 units) are 128 characters, accepted for each free-form id
    /// (the adjustment, reissue and grant ids counted UTF-16 units, refusing 65 emoji as "more than 128 characters").
    /// </summary>
    [Fact]
    public async Task IdsOf128EmojiAreWithinTheirBoundEverywhere()
    {
        var id = string.Concat(Enumerable.Repeat("😀", 128));
        var memberId = "IDB" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId, "east");
        using var admin = host.Client(AdminKey);

        using var issued = await admin.PostAsync($"api/v1/members/{memberId}/coupons",
            new StringContent(Body(new { grantId = id, kind = "no_threshold", value = 10m, validDays = 14 }), Encoding.UTF8, "application/json"));
        var issuedText = await issued.Content.ReadAsStringAsync();
        Assert.True(issued.StatusCode == HttpStatusCode.Created, issuedText);
        var code = JsonNode.Parse(issuedText)!["code"]!.GetValue<string>();

        using var adjusted = await admin.PostAsync($"api/v1/members/{memberId}/adjustments",
            new StringContent(Body(new { adjustmentId = id, kind = "points", delta = 5, reason = "goodwill" }), Encoding.UTF8, "application/json"));
        Assert.True(adjusted.IsSuccessStatusCode, await adjusted.Content.ReadAsStringAsync());

        using var reissued = await admin.PostAsync($"api/v1/members/{memberId}/coupons/{code}/reissue",
            new StringContent(Body(new { reissueId = id, reason = "member lost the coupon" }), Encoding.UTF8, "application/json"));
        Assert.True(reissued.StatusCode == HttpStatusCode.Created, await reissued.Content.ReadAsStringAsync());
    }
}
