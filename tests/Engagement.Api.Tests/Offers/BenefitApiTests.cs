using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// Issue 11 on Azurite through the HTTP API: a V3 member books a priority slot (a non-monetary benefit used), a V4 member
/// is assigned a dedicated advisor (a use and an <c>advisor.assignment</c> touch), a goods-tied coupon reaches a member
/// whose home store has none but whose region does, and a redemption's ledger line uses the point value in force.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class BenefitApiTests(OffersHostFixture host)
{
    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task BuyAsync(string member, string orderId, decimal amount, string store = "S001", string region = "east")
    {
        var evt = new { eventId = member + "-" + orderId, type = "purchase", memberId = member, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1), orderId, amount, storeId = store, regionId = region };
        using var admin = host.Client(AdminKey);
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<JsonObject> ProblemOf(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>(Json))!;

    [Fact]
    public async Task AV3MemberBooksAPrioritySlotOnceAV2MemberIsRefusedAndLosingTheTierLosesTheBenefit()
    {
        var (v3, v2) = (NewId("PB3-"), NewId("PB2-"));
        await BuyAsync(v3, "O1", 5000m);
        await BuyAsync(v2, "O1", 1000m);
        var slot = host.Clock.GetUtcNow().AddDays(2);
        var path = $"api/v1/members/{v3}/benefits/priority-booking/bookings";
        using var pos = host.Client(StoreKey);

        using var booked = await pos.PostAsJsonAsync(path, new { bookingId = "bk-1", storeId = "S001", slotStart = slot, note = "suit fitting" }, Json);
        using var again = await pos.PostAsJsonAsync(path, new { bookingId = "bk-1", storeId = "S001", slotStart = slot, note = "suit fitting" }, Json);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var body = (await booked.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal(("booked", "used", "S001"), (body["status"]!.GetValue<string>(), body["booking"]!["kind"]!.GetValue<string>(), body["booking"]!["storeId"]!.GetValue<string>()));
        Assert.Equal(slot, body["booking"]!["slotStart"]!.GetValue<DateTimeOffset>());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("replayed", (await again.Content.ReadFromJsonAsync<JsonObject>(Json))!["status"]!.GetValue<string>());

        // The till that books sees the benefit in its own view of the member (before: no benefits there at all).
        var tillView = (await pos.GetFromJsonAsync<JsonObject>($"api/v1/members/{v3}", Json))!;
        var held = tillView["benefits"]!.AsArray().Select(b => b!["code"]!.GetValue<string>()).ToList();
        Assert.Contains("priority-booking", held);
        Assert.Null(tillView["benefitGrants"]);
        var v2TillView = (await pos.GetFromJsonAsync<JsonObject>($"api/v1/members/{v2}", Json))!;
        Assert.DoesNotContain(v2TillView["benefits"]!.AsArray(), b => b!["code"]!.GetValue<string>() == "priority-booking");

        using var support = host.Client(SupportKey);
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{v3}", Json);
        var use = Assert.Single(view!["benefitGrants"]!.AsArray());
        Assert.Equal(("priority-booking", "used", "booking:bk-1"), (use!["code"]!.GetValue<string>(), use["kind"]!.GetValue<string>(), use["useId"]!.GetValue<string>()));
        Assert.Contains("suit fitting", use["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        using var notEntitled = await support.PostAsJsonAsync($"api/v1/members/{v2}/benefits/priority-booking/bookings", new { bookingId = "bk-2", storeId = "S001", slotStart = slot }, Json);
        Assert.Equal(HttpStatusCode.Conflict, notEntitled.StatusCode);
        Assert.Equal("not_entitled", (await ProblemOf(notEntitled))["reason"]!.GetValue<string>());

        using var past = await pos.PostAsJsonAsync(path, new { bookingId = "bk-3", storeId = "S001", slotStart = host.Clock.GetUtcNow().AddHours(-1) }, Json);
        Assert.Equal(HttpStatusCode.Conflict, past.StatusCode);
        Assert.Equal("slot_in_past", (await ProblemOf(past))["reason"]!.GetValue<string>());

        using var bad = await pos.PostAsJsonAsync(path, new { bookingId = "", storeId = "S 1", note = new string('n', 201) }, Json);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(new HashSet<string> { "bookingId", "storeId", "slotStart", "note" }, (await ProblemOf(bad))["errors"]!.AsObject().Select(e => e.Key).ToHashSet());

        using var unknown = await pos.PostAsJsonAsync($"api/v1/members/{NewId("NOPE-")}/benefits/priority-booking/bookings", new { bookingId = "bk-4", storeId = "S001", slotStart = slot }, Json);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A full refund takes the growth back: the member drops below V3 and priority booking goes with it.
        using var admin = host.Client(AdminKey);
        using (var refund = await admin.PostAsJsonAsync("api/v1/events", new { eventId = v3 + "-R1", type = "refund", memberId = v3, occurredAt = host.Clock.GetUtcNow().AddSeconds(-30), orderId = "O1", amount = 5000m }, Json))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }

        using var afterRefund = await pos.PostAsJsonAsync(path, new { bookingId = "bk-5", storeId = "S001", slotStart = slot.AddHours(1) }, Json);
        Assert.Equal(HttpStatusCode.Conflict, afterRefund.StatusCode);
        Assert.Equal("not_entitled", (await ProblemOf(afterRefund))["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task AV4MemberIsAssignedADedicatedAdvisorOnceAsAUseAndAnAdvisorTouch()
    {
        var member = NewId("ADV-");
        await BuyAsync(member, "O1", 20_000m);
        await BuyAsync(member, "O2", 100m);

        using var support = host.Client(SupportKey);
        var view = await support.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}", Json);
        Assert.Equal("V4", view!["tier"]!.GetValue<string>());
        var use = Assert.Single(view["benefitGrants"]!.AsArray());
        Assert.Equal(("dedicated-advisor", "used"), (use!["code"]!.GetValue<string>(), use["kind"]!.GetValue<string>()));

        var touches = await support.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/touches", Json);
        var advisor = Assert.Single(touches!, t => t!["kind"]!.GetValue<string>() == "advisor.assignment");
        Assert.Equal(("sent", "service", "call", "dedicated-advisor"),
            (advisor!["decision"]!.GetValue<string>(), advisor["category"]!.GetValue<string>(), advisor["channel"]!.GetValue<string>(), advisor["offer"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AGoodsTiedCouponReachesAMemberWhoseHomeStoreHasNoneWhenAnotherStoreOfTheRegionHasSome()
    {
        var id = NewId("CRG-");
        var (south, west) = ("south-" + id, "west-" + id);
        var (southHome, southOther, westHome) = ("SH" + id[4..], "SO" + id[4..], "SW" + id[4..]);
        using var store = host.Client(StoreKey);
        foreach (var (storeId, region, units) in new[] { (southHome, south, 0), (southOther, south, 3), (westHome, west, 0) })
        {
            using var put = await store.PutAsJsonAsync($"api/v1/stores/{storeId}/inventory?regionId={region}", new[] { new { sku = "SKU-R", available = units } }, Json);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal(region, (await put.Content.ReadFromJsonAsync<JsonObject>(Json))!["regionId"]!.GetValue<string>());
        }

        // A region id is 1–64 code points (RegionIds): 65 is refused naming the field, and southHome stays in its region.
        using (var badRegion = await store.PutAsJsonAsync($"api/v1/stores/{southHome}/inventory?regionId={new string('r', 65)}", new[] { new { sku = "SKU-R", available = 1 } }, Json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badRegion.StatusCode);
            Assert.True((await ProblemOf(badRegion))["errors"]!.AsObject().ContainsKey("regionId"));
        }

        var southMembers = Enumerable.Range(0, 6).Select(i => $"{id}-S{i}").ToArray();
        var westMembers = Enumerable.Range(0, 6).Select(i => $"{id}-W{i}").ToArray();
        foreach (var m in southMembers)
        {
            await BuyAsync(m, "O1", 50m, southHome, south);
        }

        foreach (var m in westMembers)
        {
            await BuyAsync(m, "O1", 50m, westHome, west);
        }

        using var admin = host.Client(AdminKey);
        using (var created = await admin.PostAsJsonAsync("api/v1/campaigns", new
        {
            id,
            name = "Regional stock",
            kind = "broadcast",
            audience = new { regions = new[] { south, west } },
            channel = "push",
            offer = new { kind = "coupon", code = "R-50", unitCost = 50m, coupon = new { kind = "no_threshold", value = 50.00m, validDays = 7, skus = new[] { "SKU-R" } } },
            controlShare = 0.0,
            validFrom = host.Clock.GetUtcNow().AddHours(-1),
            validUntil = host.Clock.GetUtcNow().AddDays(1),
        }, Json))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var triggered = await admin.PostAsync($"api/v1/campaigns/{id}/trigger", null))
        {
            Assert.True(triggered.IsSuccessStatusCode);
        }

        await Poll.UntilAsync(() => admin.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}", Json),
            c => c["progress"]!["reached"]!.GetValue<long>() == 12 && !c["progress"]!["fanOutRunning"]!.GetValue<bool>(), seconds: 30);

        var (southCoupons, westHeld) = (0, 0);
        foreach (var member in southMembers.Concat(westMembers))
        {
            var membership = await admin.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{id}/members/{member}", Json);
            if (membership!["group"]!.GetValue<string>() != "arm")
            {
                continue;
            }

            var held = await admin.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json);
            if (southMembers.Contains(member))
            {
                Assert.Single(held!);
                southCoupons++;
            }
            else
            {
                Assert.Equal("held_back_for_stock", membership["outcome"]!.GetValue<string>());
                Assert.Empty(held!);
                westHeld++;
            }
        }

        Assert.True(southCoupons > 0 && westHeld > 0, $"south coupons {southCoupons}, west held back {westHeld}: nobody in one of the arms");
    }

    [Fact]
    public async Task ARedemptionLedgerLineUsesThePointValueInForce()
    {
        var member = NewId("PV-");
        await BuyAsync(member, "O1", 15_000m);
        using var admin = host.Client(AdminKey);
        using (var raised = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0110m, reason = "Q1 promotion" }, Json))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        }

        try
        {
            using var redeemed = await admin.PostAsJsonAsync($"api/v1/members/{member}/redemptions", new { redemptionId = "rd-1", points = 20_000, cashAmount = 100m, pointValue = 0.5m }, Json);
            Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
            Assert.Equal(220.00m, (await redeemed.Content.ReadFromJsonAsync<JsonObject>(Json))!["pointsValue"]!.GetValue<decimal>());

            var ledger = await admin.GetFromJsonAsync<JsonObject>($"api/v1/members/{member}/ledger?kind=points", Json);
            var line = ledger!["entries"]!.AsArray().First(e => e!["delta"]!.GetValue<long>() == -20_000);
            Assert.Contains("20000 points (220.00 CNY)", line!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            // Back to the anchor so other tests of this host see the default value.
            using var back = await admin.PutAsJsonAsync("api/v1/programme/point-value", new { value = 0.0100m, reason = "end of the test quarter" }, Json);
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }
    }

    [Fact]
    public async Task ABookingSlotWithoutAnOffsetIsA400NamingSlotStart()
    {
        using var pos = host.Client(StoreKey);

        // 10:00 in which zone? On a UTC host it was read as 18:00 in Shanghai, on a Shanghai host as 10:00.
        using var response = await pos.PostAsJsonAsync(
            $"api/v1/members/{NewId("NOPE-")}/benefits/priority-booking/bookings", new { bookingId = "bk-local", storeId = "S001", slotStart = "2026-11-24T10:00:00" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await ProblemOf(response))["errors"]!["slotStart"]);
    }
}
