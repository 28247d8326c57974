using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Issue 11's stories end to end on Azurite through the HTTP API: a coupon redeemed at the POS and confirmed by the
/// purchase that carries its code (and restored by a full refund), the confirmation service touch, and a goods-tied
/// coupon campaign that holds back the members whose store has no stock.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class OfferStoriesApiTests(OffersHostFixture host)
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task PostEventsAsync(params object[] events)
    {
        using var admin = host.Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", events, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!["results"]!.AsArray();
        Assert.All(results, r => Assert.Equal("applied", r!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AGiftRedeemedAtThePosIsConfirmedByThePurchaseCarryingItsCodeAndRestoredByAFullRefund()
    {
        var member = NewId("ST");
        await host.RegisterAsync(member, "east");
        using var admin = host.Client(AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons",
            new { grantId = "winback:L1:story", offerId = "winback-l1", kind = "no_threshold", value = 20.00m, gift = "trial pack", validDays = 14 }, Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        using var pos = host.Client(StoreKey);
        using var redeemed = await pos.PostAsJsonAsync($"api/v1/members/{member}/coupons/{code}/redeem", new { redemptionId = "pos-1", storeId = "S001", orderAmount = 168.00m }, Json);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);

        // The POS then sends the order's purchase event, naming the code (printed with dashes, lower case: normalised).
        var printed = string.Join("-", code.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
        var at = host.Clock.GetUtcNow().AddSeconds(-5);
        await PostEventsAsync(new { eventId = member + "-p1", type = "purchase", memberId = member, occurredAt = at, orderId = "O-1", amount = 148.00m, storeId = "S001", regionId = "east", coupons = new[] { printed } });

        using var support = host.Client(SupportKey);
        var coupon = await support.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}", Json);
        Assert.Equal(("redeemed", "O-1", "pos-1"), (coupon!["status"]!.GetValue<string>(), coupon["orderId"]!.GetValue<string>(), coupon["redemptionId"]!.GetValue<string>()));
        Assert.Equal(member, coupon["memberId"]!.GetValue<string>());

        var touches = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/touches", Json);
        var confirmation = Assert.Single(touches!, t => t!["kind"]!.GetValue<string>() == "redemption_confirmation");
        Assert.Equal(("sent", "service", code), (confirmation!["decision"]!.GetValue<string>(), confirmation["category"]!.GetValue<string>(), confirmation["couponCode"]!.GetValue<string>()));

        await PostEventsAsync(new { eventId = member + "-r1", type = "refund", memberId = member, occurredAt = at.AddSeconds(1), orderId = "O-1", amount = 148.00m });
        var restored = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json);
        Assert.Equal("issued", Assert.Single(restored!)!["status"]!.GetValue<string>());
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json);
        var shown = Assert.Single(view!["coupons"]!.AsArray());
        Assert.Equal((code, "issued"), (shown!["code"]!.GetValue<string>(), shown["status"]!.GetValue<string>()));
        Assert.Contains("refunded in full", shown["statusReason"]!.GetValue<string>(), StringComparison.Ordinal);

        // The ledger tells the same story, newest first: issued, used at the POS, restored by the refund.
        var ledger = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}/ledger?kind=coupon", Json);
        Assert.Equal(["coupon.restore", "coupon.redeem", "coupon.issue"], ledger!["entries"]!.AsArray().Select(e => e!["ruleId"]!.GetValue<string>()));
        // Support reads the ledger: it names the coupon by the last 4 characters the member can read out, never the whole code.
        Assert.All(ledger["entries"]!.AsArray(), e => Assert.StartsWith($"coupon …{code[^4..]} (", e!["reason"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(ledger["entries"]!.AsArray(), e => Assert.DoesNotContain(code, e!["reason"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AGoodsTiedCouponCampaignHoldsBackMembersWhoseStoreHasNoStockAndGivesControlNothing()
    {
        var id = NewId("C618-");
        var (east, south) = ("east-" + id, "south-" + id);
        var (eastStore, southStore) = ("SE" + id[5..], "SS" + id[5..]);
        using var store = host.Client(StoreKey);
        using (var put = await store.PutAsJsonAsync($"api/v1/stores/{eastStore}/inventory", new[] { new { sku = "SKU-FEAT", available = 40 } }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var at = host.Clock.GetUtcNow().AddMinutes(-1);
        var eastMembers = Enumerable.Range(0, 12).Select(i => $"{id}-E{i}").ToArray();
        var southMembers = Enumerable.Range(0, 8).Select(i => $"{id}-S{i}").ToArray();
        await PostEventsAsync([.. eastMembers.Select(m => (object)new { eventId = m + "-p", type = "purchase", memberId = m, occurredAt = at, orderId = "O1", amount = 50m, storeId = eastStore, regionId = east }),
            .. southMembers.Select(m => (object)new { eventId = m + "-p", type = "purchase", memberId = m, occurredAt = at, orderId = "O1", amount = 50m, storeId = southStore, regionId = south })]);

        using var marketing = host.Client(AdminKey);
        using var created = await marketing.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Spend 500 get 100 off",
            kind = "broadcast",
            audience = new { regions = new[] { east, south } },
            channel = "push",
            offer = new
            {
                kind = "coupon", code = "618-100", unitCost = 100m,
                coupon = new { kind = "threshold", value = 100.00m, minSpend = 500.00m, validDays = 7, skus = new[] { "SKU-FEAT" } },
            },
            controlShare = 0.25,
            validFrom = host.Clock.GetUtcNow().AddHours(-1),
            validUntil = host.Clock.GetUtcNow().AddDays(1),
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var triggered = await marketing.PostAsync($"api/v1/campaigns/{id}/trigger", null))
        {
            Assert.True(triggered.IsSuccessStatusCode);
        }

        var done = await Poll.UntilAsync(() => marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json),
            c => c["progress"]!["reached"]!.GetValue<long>() == 20 && !c["progress"]!["fanOutRunning"]!.GetValue<bool>(), seconds: 30);

        var heldBack = 0;
        var coupons = 0;
        foreach (var member in eastMembers.Concat(southMembers))
        {
            var membership = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/members/{member}", Json);
            var held = await marketing.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json);
            var group = membership!["group"]!.GetValue<string>();
            var outcome = membership["outcome"]!.GetValue<string>();
            if (group != "arm")
            {
                Assert.Empty(held!);
                continue;
            }

            if (southMembers.Contains(member))
            {
                Assert.Equal("held_back_for_stock", outcome);
                Assert.Empty(held!);
                heldBack++;
            }
            else
            {
                var coupon = Assert.Single(held!);
                Assert.Equal(("threshold", 500.00m, id), (coupon!["kind"]!.GetValue<string>(), coupon["minSpend"]!.GetValue<decimal>(), coupon["offerId"]!.GetValue<string>()));
                coupons++;
            }
        }

        Assert.True(heldBack > 0 && coupons > 0, $"held back {heldBack}, coupons {coupons}: the assignment put nobody in one of the arms");
        Assert.Equal(heldBack, done["progress"]!["heldBackForStock"]!.GetValue<long>());
        var results = await marketing.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/results", Json);
        Assert.Equal(heldBack, results!["treated"]!["heldBackForStock"]!.GetValue<long>());
        Assert.Equal(coupons, results["treated"]!["sent"]!.GetValue<long>() + results["treated"]!["deferred"]!.GetValue<long>());
        Assert.Equal(coupons, done["grantsReserved"]!.GetValue<long>());
    }
}
