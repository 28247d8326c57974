using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// What a till may do with a store key (docs/http-api.md, a deviation from CONTRACT.md §4 where events and redemptions
/// are admin's): post purchase and refund events (no other type), validate and redeem coupons, redeem points, read the member's tier, balance, coupons (codes by
/// their last 4 characters) and benefits, and no more of the live view. Everything else about a member stays refused with 403 problem details.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class TillRoleApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task AStoreKeyPostsEventsRedeemsCouponsAndPointsAndReadsTheBalance()
    {
        var member = "TILL" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var pos = host.Client(StoreKey);
        using var admin = host.Client(AdminKey);

        using (var posted = await pos.PostAsJsonAsync("api/v1/events", new { eventId = member + "-O1", type = "purchase", memberId = member, occurredAt = at, orderId = "O1", amount = 500.00m, storeId = "S001" }, Json))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", new { grantId = "till-1", kind = "no_threshold", value = 20.00m, validDays = 14 }, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        // The balance view: 1,000 points (a first purchase doubles), the coupon shown by its last 4 characters only.
        var view = (await pos.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        // Only what a till uses: before, it also carried RFM, tags, consent, growth, lifecycle, caps, lots and more.
        Assert.Equal(["memberId", "tier", "pointsBalance", "coupons", "benefits"], view.Select(p => p.Key));
        Assert.Equal((member, "V1"), (view["memberId"]!.GetValue<string>(), view["tier"]!.GetValue<string>()));
        Assert.Equal(1_000, view["pointsBalance"]!.GetValue<long>());
        var coupon = Assert.Single(view["coupons"]!.AsArray())!;
        Assert.Equal("…" + code[^4..], coupon["code"]!.GetValue<string>());
        Assert.DoesNotContain(code, view.ToJsonString(), StringComparison.Ordinal);

        using (var check = await pos.GetAsync($"api/v1/coupons/{code}?memberId={member}"))
        {
            Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        }

        using (var redeemed = await pos.PostAsJsonAsync($"api/v1/members/{member}/coupons/{code}/redeem", new { redemptionId = "till-c1", storeId = "S001", orderAmount = 100.00m }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        }

        using (var points = await pos.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "till-p1", points = 300, storeId = "S001" }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, points.StatusCode);
            Assert.Equal(700, (await points.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsBalance"]!.GetValue<long>());
        }

        // The admin still sees the whole code and the whole view.
        var full = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        Assert.Equal(code, Assert.Single(full["coupons"]!.AsArray())!["code"]!.GetValue<string>());
        Assert.NotNull(full["rfm"]);
        Assert.NotNull(full["tags"]);
    }

    [Fact]
    public async Task AStoreKeyCannotChangeConsentPhoneOrBirthdayThroughAProfileUpdateEvent()
    {
        var member = "TILLP" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var pos = host.Client(StoreKey);
        using var admin = host.Client(AdminKey);
        using (var posted = await pos.PostAsJsonAsync("api/v1/events", new { eventId = member + "-O1", type = "purchase", memberId = member, occurredAt = at, orderId = "O1", amount = 100.00m, storeId = "S001" }, Json))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var before = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        var profile = new Dictionary<string, string> { ["consent.sms"] = "false", ["phone"] = "+8613800138000", ["birthday"] = "1990-01-01" };

        using (var one = await pos.PostAsJsonAsync("api/v1/events", new { eventId = member + "-P1", type = "profile_update", memberId = member, occurredAt = at, properties = profile }, Json))
        {
            Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
            Assert.Equal("application/problem+json", one.Content.Headers.ContentType?.MediaType);
            var errors = (await one.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
            Assert.Equal(["type"], errors.Select(e => e.Key));
        }

        object[] batch =
        [
            new { eventId = member + "-O2", type = "purchase", memberId = member, occurredAt = at, orderId = "O2", amount = 10.00m, storeId = "S001" },
            new { eventId = member + "-P2", type = "profile_update", memberId = member, occurredAt = at, properties = profile },
        ];
        using (var some = await pos.PostAsJsonAsync("api/v1/events", batch, Json))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, some.StatusCode);
            var errors = (await some.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
            Assert.Equal(["[1].type"], errors.Select(e => e.Key));
        }

        var after = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        Assert.Equal(before["consent"]!.ToJsonString(), after["consent"]!.ToJsonString());
        Assert.Equal(before["birthday"]?.ToJsonString(), after["birthday"]?.ToJsonString());
        Assert.DoesNotContain("13800138000", after.ToJsonString(), StringComparison.Ordinal);

        // An admin key still may (the queue's and integrations' profile_update).
        using var byAdmin = await admin.PostAsJsonAsync("api/v1/events", new { eventId = member + "-P3", type = "profile_update", memberId = member, occurredAt = at, properties = profile }, Json);
        Assert.Equal(HttpStatusCode.Accepted, byAdmin.StatusCode);
    }

    [Fact]
    public async Task AStoreKeySendsOnlyPurchasesAndRefundsAndAnyOtherTypeIsRefused403NamingItsTypeAndIndex()
    {
        var member = "TILLT" + Guid.NewGuid().ToString("N")[..10];
        var stranger = "TILLR" + Guid.NewGuid().ToString("N")[..10];
        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        using var pos = host.Client(StoreKey);
        using var admin = host.Client(AdminKey);

        // Before: 202, a registration (a member created by a till key) applied.
        using (var one = await pos.PostAsJsonAsync("api/v1/events", new { eventId = stranger + "-R", type = "register", memberId = stranger, occurredAt = at }, Json))
        {
            Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
            Assert.Equal("application/problem+json", one.Content.Headers.ContentType?.MediaType);
            var error = Assert.Single((await one.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject());
            Assert.Equal("type", error.Key);
            Assert.Contains("not register", error.Value!.ToJsonString(), StringComparison.Ordinal);
        }

        using (var unseen = await admin.GetAsync($"api/v1/members/{stranger}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unseen.StatusCode);
        }

        // A sale and its part refund beside behaviour a till has no business sending (share +5, review +10, login +1 growth).
        object[] batch =
        [
            new { eventId = member + "-O1", type = "purchase", memberId = member, occurredAt = at, orderId = member + "-O1", amount = 100.00m, storeId = "S001" },
            new { eventId = member + "-S1", type = "share", memberId = member, occurredAt = at },
            new { eventId = member + "-V1", type = "review", memberId = member, occurredAt = at },
            new { eventId = member + "-F1", type = "refund", memberId = member, occurredAt = at, orderId = member + "-O1", amount = 40.00m, storeId = "S001" },
            new { eventId = member + "-L1", type = "login", memberId = member, occurredAt = at },
        ];
        using (var some = await pos.PostAsJsonAsync("api/v1/events", batch, Json))
        {
            // As for any invalid event beside valid ones: 422, the refused ones named by index, the others applied.
            Assert.Equal(HttpStatusCode.UnprocessableEntity, some.StatusCode);
            var problem = (await some.Content.ReadFromJsonAsync<JsonObject>(Json))!;
            var errors = problem["errors"]!.AsObject();
            Assert.Equal(["[1].type", "[2].type", "[4].type"], errors.Select(e => e.Key));
            Assert.Contains("not share", errors["[1].type"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains("not review", errors["[2].type"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains("not login", errors["[4].type"]!.ToJsonString(), StringComparison.Ordinal);
            var results = problem["results"]!.AsArray();
            Assert.Equal([(0, "applied"), (3, "applied")], results.Select(r => (r!["index"]!.GetValue<int>(), r["status"]!.GetValue<string>())));
        }

        // Only the sale net of its refund counts: growth 60, not 76.
        var view = (await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json))!;
        Assert.Equal(60, view["growthValue"]!.GetValue<long>());

        object[] noneAllowed =
        [
            new { eventId = member + "-S2", type = "share", memberId = member, occurredAt = at },
            new { eventId = member + "-C2", type = "complaint", memberId = member, occurredAt = at },
        ];
        using (var none = await pos.PostAsJsonAsync("api/v1/events", noneAllowed, Json))
        {
            Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
            var errors = (await none.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject();
            Assert.Equal(["[0].type", "[1].type"], errors.Select(e => e.Key));
        }

        // An admin key (the app's integration) still sends them.
        using var byAdmin = await admin.PostAsJsonAsync("api/v1/events", new { eventId = member + "-S3", type = "share", memberId = member, occurredAt = at }, Json);
        Assert.Equal(HttpStatusCode.Accepted, byAdmin.StatusCode);
    }

    [Fact]
    public async Task AStoreKeyIsRefusedEveryOtherMemberRouteWithProblemDetails()
    {
        var member = (await host.SeedBuyersAsync(1, 100m))[0];
        using var pos = host.Client(StoreKey);

        var refused = new (string Route, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("ledger", () => pos.GetAsync($"api/v1/members/{member}/ledger")),
            ("touches", () => pos.GetAsync($"api/v1/members/{member}/touches")),
            ("coupon list", () => pos.GetAsync($"api/v1/members/{member}/coupons")),
            ("search", () => pos.GetAsync($"api/v1/members?query={member}")),
            ("consent", () => pos.PutAsJsonAsync($"api/v1/members/{member}/consent", new { sms = false }, Json)),
            ("adjustment", () => pos.PostAsJsonAsync($"api/v1/members/{member}/adjustments", new { adjustmentId = "a-1", kind = "points", delta = 100, reason = "till" }, Json)),
            ("coupon grant", () => pos.PostAsJsonAsync($"api/v1/members/{member}/coupons", new { grantId = "g-1", kind = "no_threshold", value = 20.00m, validDays = 14 }, Json)),
        };

        foreach (var (route, send) in refused)
        {
            using var response = await send();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task SupportAndMarketingKeysStillCannotPostEventsOrRedeemPoints()
    {
        var member = (await host.SeedBuyersAsync(1, 100m))[0];
        using var support = host.Client(SupportKey);
        var at = host.Clock.GetUtcNow().AddMinutes(-1);

        using var posted = await support.PostAsJsonAsync("api/v1/events", new { eventId = member + "-L1", type = "login", memberId = member, occurredAt = at }, Json);
        using var redeemed = await support.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "s-1", points = 10 }, Json);
        foreach (var response in new[] { posted, redeemed })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
