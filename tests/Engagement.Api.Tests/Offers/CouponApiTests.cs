using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>A coupon's life through the HTTP API as a POS integrates it: issue, look up by code, redeem, refusals.</summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponApiTests(OffersHostFixture host)
{
    private async Task<(string MemberId, string Code)> IssueAsync(object grant, string? memberId = null)
    {
        memberId ??= "CP" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId);
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons", grant, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var coupon = await issued.Content.ReadFromJsonAsync<JsonObject>(Json);
        return (memberId, coupon!["code"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> RedeemAsync(string memberId, string code, string redemptionId, string store, decimal orderAmount, string? region = null)
    {
        using var pos = host.Client(StoreKey);
        return await pos.PostAsJsonAsync($"api/v1/members/{memberId}/coupons/{code}/redeem", new { redemptionId, storeId = store, regionId = region, orderAmount }, Json);
    }

    [Fact]
    public async Task TheWakeUpGiftIsIssuedOnceFoundByCodeAndRedeemedOnceAtTheStore()
    {
        var grant = new { grantId = "winback:L1:2026-11-23", offerId = "winback.l1", kind = "no_threshold", value = 20.00m, validDays = 14 };
        var (member, code) = await IssueAsync(grant);
        using var admin = host.Client(AdminKey);
        using var retried = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant, Json);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(code, (await retried.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>());

        using var pos = host.Client(StoreKey);
        var found = await pos.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}?memberId={member}", Json);
        Assert.Equal((member, "issued"), (found!["memberId"]!.GetValue<string>(), found["status"]!.GetValue<string>()));
        // Issued at noon in Shanghai on 23 Nov: valid through 7 Dec, expiring at the start of 8 Dec, Shanghai time.
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.FromHours(8)), found["validUntil"]!.GetValue<DateTimeOffset>());

        using var redeemed = await RedeemAsync(member, code, "pos-S001-1", "S001", 88.00m);
        using var replay = await RedeemAsync(member, code.ToLowerInvariant(), "pos-S001-1", "S001", 88.00m);
        using var twice = await RedeemAsync(member, code, "pos-S001-2", "S001", 88.00m);

        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var accepted = await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(20.00m, accepted!["discount"]!.GetValue<decimal>());
        Assert.Equal("redeemed", accepted["coupon"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonObject>(Json))!["replayed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var used = await twice.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal(("used", "Coupon already used"), (used!["reason"]!.GetValue<string>(), used["title"]!.GetValue<string>()));

        using var support = host.Client(SupportKey);
        var list = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json);
        var only = Assert.Single(list!);
        Assert.Equal("redeemed", only!["status"]!.GetValue<string>());
        Assert.Equal("pos-S001-1", only["redemptionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefusalsNameWhyBelowMinSpendAndWrongRegion()
    {
        var (member, code) = await IssueAsync(new
        {
            grantId = "campaign:C-500-100", offerId = "C-500-100", kind = "threshold", value = 100.00m, minSpend = 500.00m,
            validDays = 7, regions = new[] { "east", "north" },
        });

        using var small = await RedeemAsync(member, code, "r1", "S001", 499.99m, "east");
        using var south = await RedeemAsync(member, code, "r2", "S900", 800.00m, "south");
        using var ok = await RedeemAsync(member, code, "r3", "S001", 500.00m, "east");

        Assert.Equal(HttpStatusCode.Conflict, small.StatusCode);
        Assert.Equal("below_min_spend", (await small.Content.ReadFromJsonAsync<JsonObject>(Json))!["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, south.StatusCode);
        var wrong = await south.Content.ReadFromJsonAsync<JsonObject>(Json);
        Assert.Equal("wrong_store", wrong!["reason"]!.GetValue<string>());
        Assert.Contains("south", wrong["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(100.00m, (await ok.Content.ReadFromJsonAsync<JsonObject>(Json))!["discount"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task ACodeOfMemberAIsRefusedForMemberBExactlyLikeAGuessedCode()
    {
        var (a, code) = await IssueAsync(new { grantId = "goodwill-1", kind = "no_threshold", value = 10.00m });
        var (b, _) = await IssueAsync(new { grantId = "goodwill-1", kind = "no_threshold", value = 10.00m });
        using var pos = host.Client(StoreKey);
        using var support = host.Client(SupportKey);
        var guessed = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');

        using var asB = await pos.GetAsync($"api/v1/coupons/{code}?memberId={b}");
        using var guess = await pos.GetAsync($"api/v1/coupons/{guessed}?memberId={b}");
        using var redeemAsB = await RedeemAsync(b, code, "steal-1", "S001", 50m);
        using var redeemGuess = await RedeemAsync(b, guessed, "steal-2", "S001", 50m);
        using var noMember = await pos.GetAsync($"api/v1/coupons/{code}");
        using var malformed = await pos.GetAsync($"api/v1/coupons/NOT-A-CODE?memberId={b}");
        var bySupport = await support.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}", Json);

        var bodies = new List<string>();
        foreach (var response in new[] { asB, guess, redeemAsB, redeemGuess })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Json);
            problem!.Remove("traceId");
            bodies.Add(problem.ToJsonString());
        }

        Assert.Single(bodies.Distinct());
        Assert.Equal(HttpStatusCode.BadRequest, noMember.StatusCode);
        Assert.NotNull((await noMember.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["memberId"]);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotNull((await malformed.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!["code"]);
        Assert.Equal(a, bySupport!["memberId"]!.GetValue<string>());
        Assert.Equal("issued", bySupport["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadRedeemRequestsAndGrantsNameTheirFieldsAndRolesApply()
    {
        var (member, code) = await IssueAsync(new { grantId = "g-fields", kind = "percent", value = 10m });
        using var pos = host.Client(StoreKey);
        using var support = host.Client(SupportKey);
        using var admin = host.Client(AdminKey);

        using var bad = await pos.PostAsJsonAsync($"api/v1/members/{member}/coupons/{code}/redeem", new { redemptionId = "", storeId = "S 1", orderAmount = 10.001m }, Json);
        using var bySupport = await support.PostAsJsonAsync($"api/v1/members/{member}/coupons/{code}/redeem", new { redemptionId = "r", storeId = "S1", orderAmount = 10m }, Json);
        using var badGrant = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", new { grantId = "g2", kind = "threshold", value = 100m, minSpend = 50m, validDays = 0 }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(new HashSet<string> { "redemptionId", "storeId", "orderAmount" }, errors.Select(e => e.Key).ToHashSet());
        Assert.Equal(HttpStatusCode.Forbidden, bySupport.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badGrant.StatusCode);
        var grantErrors = (await badGrant.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(new HashSet<string> { "minSpend", "validDays" }, grantErrors.Select(e => e.Key).ToHashSet());
    }

    [Theory]
    [InlineData("""{"grantId":"g-huge","offerId":"HUGE","kind":"no_threshold","value":20.00}""")]
    [InlineData("""{"grantId":"g-space","offerId":"winback l1","kind":"no_threshold","value":20.00}""")]
    [InlineData("""{"grantId":"g-pipe","offerId":"a|b","kind":"no_threshold","value":20.00}""")]
    public async Task AGrantWithAnOfferIdOutsideTheIdRuleIsRefusedNamingOfferId(string json)
    {
        var memberId = "CPO" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId);
        using var admin = host.Client(AdminKey);
        using var content = new StringContent(json.Replace("HUGE", new string('x', 5_000), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");

        // Before: a 5,000-character offerId was issued (201) and kept as the coupon's offer.
        using var response = await admin.PostAsync($"api/v1/members/{memberId}/coupons", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
        Assert.Equal(["offerId"], errors.Select(e => e.Key));
        using var coupons = await admin.GetAsync($"api/v1/members/{memberId}/coupons");
        Assert.Empty((await coupons.Content.ReadFromJsonAsync<JsonArray>(Json))!);
    }

    [Fact]
    public async Task AGrantWithANullOfferIdIsIssuedAsOneWithoutAnOfferBesideAValidOne()
    {
        var memberId = "CPN" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterAsync(memberId);
        using var admin = host.Client(AdminKey);

        // Before: "offerId": null reached the per-offer coupon metrics as a null key: 500.
        using var nullOffer = new StringContent("""{"grantId":"g-null","offerId":null,"kind":"no_threshold","value":20.00}""", System.Text.Encoding.UTF8, "application/json");
        using var issuedWithout = await admin.PostAsync($"api/v1/members/{memberId}/coupons", nullOffer);
        using var issuedWith = await admin.PostAsJsonAsync($"api/v1/members/{memberId}/coupons",
            new { grantId = "g-valid", offerId = "campaign:C-500_1.a", kind = "no_threshold", value = 20.00m }, Json);

        Assert.True(issuedWithout.StatusCode == HttpStatusCode.Created, $"{(int)issuedWithout.StatusCode} {await issuedWithout.Content.ReadAsStringAsync()}");
        Assert.Equal("", (await issuedWithout.Content.ReadFromJsonAsync<JsonObject>(Json))!["offerId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, issuedWith.StatusCode);
        Assert.Equal("campaign:C-500_1.a", (await issuedWith.Content.ReadFromJsonAsync<JsonObject>(Json))!["offerId"]!.GetValue<string>());
        using var coupons = await admin.GetAsync($"api/v1/members/{memberId}/coupons");
        Assert.Equal(2, (await coupons.Content.ReadFromJsonAsync<JsonArray>(Json))!.Count);
    }
}
