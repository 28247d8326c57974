using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Contracts.Offers;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Api.Tests.Offers.OffersHostFixture;

namespace Engagement.Api.Tests.Offers;

/// <summary>
/// The admin issue of a coupon tied to skus (<c>POST /members/{memberId}/coupons</c>) needs a store near the member that
/// has one of them, as a campaign's does (docs/offers.md "Store inventory"): else 409 <c>out_of_stock</c>, unless the
/// grant says <c>ignoreStock</c>.
/// </summary>
[Collection(OffersHostCollection.Name)]
public sealed class CouponIssueStockApiTests(OffersHostFixture host)
{
    [Fact]
    public async Task AGoodsTiedCouponNoStoreNearTheMemberHasIsRefusedOutOfStockUnlessTheGrantKnowinglyIgnoresStock()
    {
        var (member, home, region) = await MemberAtAsync(units: 0);
        using var admin = host.Client(AdminKey);
        var grant = new { grantId = "goodwill-sku", kind = "no_threshold", value = 15.00m, validDays = 14, skus = new[] { "SKU-X", "SKU-Y" } };

        using var refused = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant, Json);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>(Json))!;
        Assert.Equal("out_of_stock", problem["reason"]!.GetValue<string>());
        Assert.Equal(new[] { "SKU-X", "SKU-Y" }, problem["skus"]!.AsArray().Select(s => s!.GetValue<string>()));
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("SKU-X, SKU-Y", detail, StringComparison.Ordinal);
        Assert.Contains($"home store {home}, region {region}", detail, StringComparison.Ordinal);
        Assert.Empty((await admin.GetFromJsonAsync<JsonArray>($"api/v1/members/{member}/coupons", Json))!);

        using var knowingly = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", new { grant.grantId, grant.kind, grant.value, grant.validDays, grant.skus, ignoreStock = true }, Json);
        Assert.Equal(HttpStatusCode.Created, knowingly.StatusCode);
        var code = (await knowingly.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        // A retried grant answers the coupon it issued, whatever the stock and whether or not the retry says ignoreStock.
        using var retried = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant, Json);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(code, (await retried.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>());

        using var support = host.Client(SupportKey);
        // Support reads the audit with coupon codes masked to their last 4 characters (AuditForRole).
        var audit = await support.GetFromJsonAsync<JsonArray>("api/v1/audit?limit=1000", Json);
        var row = Assert.Single(audit!, r => r!["target"]!.GetValue<string>() == member)!;
        Assert.Equal($"coupon …{code[^4..]}: no_threshold 15.00, grant goodwill-sku, issued with ignoreStock: no stock check", row["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task AGoodsTiedCouponIsIssuedWhereTheHomeStoreHasOneAndARetryIsAnsweredAfterTheStockIsGone()
    {
        var (member, home, region) = await MemberAtAsync(units: 2);
        using var admin = host.Client(AdminKey);
        var grant = new { grantId = "goodwill-home", kind = "gift", value = 0m, gift = "tea sample", validDays = 7, skus = new[] { "SKU-Y" } };

        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant, Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>();

        await PutStockAsync(home, region, 0);
        using var retried = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant, Json);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(code, (await retried.Content.ReadFromJsonAsync<JsonObject>(Json))!["code"]!.GetValue<string>());

        using var another = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", grant with { grantId = "goodwill-home-2" }, Json);
        Assert.Equal(HttpStatusCode.Conflict, another.StatusCode);
    }

    [Fact]
    public async Task ARetriedGrantIsAuditedForWhatItsFirstIssueDidNotForWhatTheRetryAsks()
    {
        var (member, _, _) = await MemberAtAsync(units: 2);
        var checkedGrant = new CouponGrant { GrantId = "g-checked", Kind = "no_threshold", Value = 5m, ValidDays = 7, Skus = ["SKU-Y"] };
        var skippedGrant = checkedGrant with { GrantId = "g-skipped", IgnoreStock = true };
        // Issued, but their audit writes failed: the grain holds the coupons, the audit has no row yet.
        var holder = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ICouponHolder>(member);
        Assert.Equal(CouponIssueResult.Issued, (await holder.IssueCouponAsync(checkedGrant)).Status);
        Assert.Equal(CouponIssueResult.Issued, (await holder.IssueCouponAsync(skippedGrant)).Status);

        // Each retry says the opposite of its first issue about ignoreStock.
        using var admin = host.Client(AdminKey);
        foreach (var retry in new[] { checkedGrant with { IgnoreStock = true }, skippedGrant with { IgnoreStock = false } })
        {
            using var retried = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", retry, Json);
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        using var support = host.Client(SupportKey);
        var rows = (await support.GetFromJsonAsync<JsonArray>("api/v1/audit?limit=1000", Json))!
            .Where(r => r!["target"]!.GetValue<string>() == member).Select(r => r!["detail"]!.GetValue<string>()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.EndsWith("grant g-checked", Assert.Single(rows, d => d.Contains("g-checked", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.EndsWith("grant g-skipped, issued with ignoreStock: no stock check", Assert.Single(rows, d => d.Contains("g-skipped", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIgnoreStockThatIsNotABooleanIsNamed()
    {
        var (member, _, _) = await MemberAtAsync(units: 0);
        using var admin = host.Client(AdminKey);

        using var bad = await admin.PostAsJsonAsync($"api/v1/members/{member}/coupons", new { grantId = "g-bad", kind = "no_threshold", value = 5m, skus = new[] { "SKU-X" }, ignoreStock = "yes" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonObject>(Json))!["errors"]!.AsObject().ContainsKey("ignoreStock"));
    }

    /// <summary>A member of a region of their own whose home store (of that region) has <paramref name="units"/> of SKU-Y and no SKU-X.</summary>
    private async Task<(string Member, string Home, string Region)> MemberAtAsync(long units)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (member, home, region) = ("CS" + id, "H" + id, "r-" + id);
        await PutStockAsync(home, region, units);
        using var admin = host.Client(AdminKey);
        var evt = new { eventId = member + "-O1", type = "purchase", memberId = member, occurredAt = host.Clock.GetUtcNow().AddMinutes(-1), orderId = "O1", amount = 80m, storeId = home, regionId = region };
        using var response = await admin.PostAsJsonAsync("api/v1/events", evt, Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (member, home, region);
    }

    private async Task PutStockAsync(string store, string region, long units)
    {
        using var pos = host.Client(StoreKey);
        using var put = await pos.PutAsJsonAsync($"api/v1/stores/{store}/inventory?regionId={region}", new[] { new { sku = "SKU-Y", available = units } }, Json);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }
}
