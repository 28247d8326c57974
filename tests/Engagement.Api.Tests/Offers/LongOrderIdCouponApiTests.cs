using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Order ids at their bound and of odd characters (CONTRACT.md §1: 1–128 code points; CJK, emoji, <c>+&amp;&lt;&gt;'"</c>)
/// through a coupon's life over HTTP: the purchase naming the coupon redeems it, the coupon's <c>orderId</c> shows the id
/// exactly as the POS sent it (a coupon keeps it as sent, bounded by the contract's 128 code points), a full refund naming
/// it restores the coupon, and the replacement a late purchase with such an id voided is issued again by that refund.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class LongOrderIdCouponApiTests(OffersHostFixture host)
{
    private static readonly string Emoji128 = string.Concat(Enumerable.Repeat("😀", 128));

    private static readonly string Cjk128 = "订" + new string('单', 123) + "0077";

    public static TheoryData<string> OrderIds() => new()
    {
        new string('o', 128),
        Cjk128,
        Emoji128,
        "O+&<>'\"-订单-😀 %2F/\\",
    };

    private static string NewMember(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> IssueAsync(string memberId)
    {
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-long", offerId = "long-ids", kind = "no_threshold", value = 10m, validDays = 14 }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();
    }

    private async Task<JsonNode> PostEventAsync(object evt)
    {
        using var admin = host.Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var result = Assert.Single(JsonNode.Parse(text)!["results"]!.AsArray())!;
        Assert.True(result["status"]!.GetValue<string>() == "applied", text);
        Assert.False(result.AsObject().ContainsKey("refusedCoupons"), text);
        return result;
    }

    private async Task<JsonNode> CouponAsync(string memberId, string code)
    {
        using var support = host.Client(SupportKey);
        var listed = (await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{memberId}/coupons", Json))!.Single(c => c!["code"]!.GetValue<string>() == code)!;
        var found = (await support.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}", Json))!;
        Assert.Equal(listed.ToJsonString(), found.ToJsonString()); // the POS lookup shows what the member's list shows
        return found;
    }

    [Theory]
    [MemberData(nameof(OrderIds))]
    public async Task APurchaseWithALongOrOddOrderIdRedeemsTheCouponShowsTheIdAsSentAndItsFullRefundRestoresIt(string orderId)
    {
        var memberId = NewMember("LOC");
        await host.RegisterAsync(memberId, "east");
        var code = await IssueAsync(memberId);
        var at = host.Clock.GetUtcNow();

        await PostEventAsync(new { eventId = memberId + "-p1", type = "purchase", memberId, occurredAt = at, orderId, amount = 80.00m, storeId = "S001", coupons = new[] { code } });

        var redeemed = await CouponAsync(memberId, code);
        Assert.Equal(("redeemed", orderId, "S001"), (redeemed["status"]!.GetValue<string>(), redeemed["orderId"]!.GetValue<string>(), redeemed["storeId"]!.GetValue<string>()));
        Assert.Contains(orderId, redeemed["statusReason"]!.GetValue<string>(), StringComparison.Ordinal); // support finds the POS order

        // The purchase again (a resend) is a duplicate of that order; the full refund naming the id as sent restores the coupon.
        using (var admin = host.Client(AdminKey))
        using (var again = await admin.PostAsJsonAsync("api/v1/events", new { eventId = memberId + "-p1b", type = "purchase", memberId, occurredAt = at, orderId, amount = 80.00m, storeId = "S001", coupons = new[] { code } }, Json))
        {
            Assert.Equal("duplicate", Assert.Single((await again.Content.ReadFromJsonAsync<JsonObject>(Json))!["results"]!.AsArray())!["status"]!.GetValue<string>());
        }

        await PostEventAsync(new { eventId = memberId + "-r1", type = "refund", memberId, occurredAt = at.AddSeconds(1), orderId, amount = 80.00m, storeId = "S001" });

        var restored = await CouponAsync(memberId, code);
        Assert.Equal("issued", restored["status"]!.GetValue<string>());
        Assert.Null(restored["orderId"]);
        Assert.Contains(orderId, restored["statusReason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APosRedemptionWithAnOddMaxLengthIdIsConfirmedByAPurchaseWithAnEmojiOrderIdAndBothShowAsSent()
    {
        var memberId = NewMember("LOR");
        await host.RegisterAsync(memberId, "east");
        var code = await IssueAsync(memberId);
        var redemptionId = "R+&<>'\"订😀" + string.Concat(Enumerable.Repeat("😀", 119)); // 128 code points, 248 UTF-16 units
        Assert.Equal(128, redemptionId.EnumerateRunes().Count());
        using var store = host.Client(StoreKey);

        using var redeem = await store.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem", new { redemptionId, storeId = "S001", orderAmount = 80.00m }, Json);
        using var replay = await store.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem", new { redemptionId, storeId = "S001", orderAmount = 80.00m }, Json);

        Assert.True(redeem.StatusCode == HttpStatusCode.OK, await redeem.Content.ReadAsStringAsync());
        var replayed = (await replay.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal((HttpStatusCode.OK, true, redemptionId), (replay.StatusCode, replayed["replayed"]!.GetValue<bool>(), replayed["redemption"]!["redemptionId"]!.GetValue<string>()));

        await PostEventAsync(new { eventId = memberId + "-p1", type = "purchase", memberId, occurredAt = host.Clock.GetUtcNow(), orderId = Emoji128, amount = 80.00m, storeId = "S001", coupons = new[] { code } });

        var coupon = await CouponAsync(memberId, code);
        Assert.Equal(("redeemed", redemptionId, Emoji128), (coupon["status"]!.GetValue<string>(), coupon["redemptionId"]!.GetValue<string>(), coupon["orderId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AReplacementVoidedByALatePurchaseWithALongIdIsIssuedAgainByThatOrdersFullRefund()
    {
        var memberId = NewMember("LOV");
        await host.RegisterAsync(memberId, "east");
        var code = await IssueAsync(memberId);
        var validFrom = (await CouponAsync(memberId, code))["validFrom"]!.GetValue<DateTimeOffset>();
        using var support = host.Client(NamedSupportKey);
        using var reissue = await support.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/reissue", new { reissueId = "rx-long", reason = "member lost the coupon" }, Json);
        Assert.Equal(HttpStatusCode.Created, reissue.StatusCode);
        var reissued = (await reissue.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        var replacement = reissued["coupon"]!["code"]!.GetValue<string>();
        var voidedAt = reissued["old"]!["statusAt"]!.GetValue<DateTimeOffset>();
        Assert.True(voidedAt > validFrom, $"{validFrom:O} {voidedAt:O}");

        // An offline till took the old coupon before support reissued it; its purchase arrives now, naming a long CJK order.
        var usedAt = validFrom + ((voidedAt - validFrom) / 2);
        await PostEventAsync(new { eventId = memberId + "-late", type = "purchase", memberId, occurredAt = usedAt, orderId = Cjk128, amount = 80.00m, storeId = "S001", coupons = new[] { code } });

        var (old, withdrawn) = (await CouponAsync(memberId, code), await CouponAsync(memberId, replacement));
        Assert.Equal(("redeemed", Cjk128), (old["status"]!.GetValue<string>(), old["orderId"]!.GetValue<string>()));
        Assert.Equal("voided", withdrawn["status"]!.GetValue<string>());
        Assert.Contains(Cjk128, withdrawn["statusReason"]!.GetValue<string>(), StringComparison.Ordinal);

        await PostEventAsync(new { eventId = memberId + "-late-r", type = "refund", memberId, occurredAt = host.Clock.GetUtcNow(), orderId = Cjk128, amount = 80.00m, storeId = "S001" });

        var back = await CouponAsync(memberId, replacement);
        Assert.Equal("issued", back["status"]!.GetValue<string>());
        Assert.Contains(Cjk128, back["statusReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("redeemed", (await CouponAsync(memberId, code))["status"]!.GetValue<string>()); // support withdrew the original
    }

    [Fact]
    public async Task AnOrderIdOneCodePointPastTheBoundIsRefusedNamingItWhateverItsUtf16Length()
    {
        var memberId = NewMember("LOB");
        using var admin = host.Client(AdminKey);

        using var response = await admin.PostAsJsonAsync("api/v1/events",
            new { eventId = memberId + "-p1", type = "purchase", memberId, occurredAt = host.Clock.GetUtcNow(), orderId = Emoji128 + "😀", amount = 10m }, Json);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("must be 1–128 characters", JsonNode.Parse(text)!["errors"]!["orderId"]![0]!.GetValue<string>());
    }
}
