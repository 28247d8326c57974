using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Support reissues a member's coupon on the member page: a reason is required, the new coupon shows, the audit says who and why.</summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleCouponReissueTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task SupportReissuesALostCouponWithAReasonSeesTheNewOneAndTheAuditRow()
    {
        var (id, code, page, admin) = await OpenCouponReissueAsync(host, "CRX");
        using var api = admin;

        // Without a reason the form names the field and nothing changes.
        await page.GetByTestId("reissue-submit").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("reissue-message")).ToContainTextAsync("Reason", new() { Timeout = WaitMs });
        Assert.Equal("issued", (await api.GetFromJsonAsync<JsonObject>($"api/v1/coupons/{code}?memberId={id}", ConsoleHostFixture.Json))!["status"]!.GetValue<string>());

        await Input(page, "reissue-reason").FillAsync("member lost the paper coupon");
        await page.GetByTestId("reissue-submit").ClickAsync();
        await page.GetByTestId("reissue-message").Filter(new() { HasText = "New coupon" }).WaitForAsync(new() { Timeout = WaitMs });
        var coupons = await api.GetFromJsonAsync<JsonArray>($"api/v1/members/{id}/coupons", ConsoleHostFixture.Json);
        var fresh = coupons!.Single(c => c!["status"]!.GetValue<string>() == "issued")!["code"]!.GetValue<string>();
        Assert.NotEqual(code, fresh);
        // Each row is found by its code cell (each coupon's reason names the other's code).
        var newRow = page.GetByTestId("coupons-table").Locator("tr", new() { Has = page.GetByText(fresh, new() { Exact = true }) });
        await newRow.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("issued", (await newRow.Locator("td").AllInnerTextsAsync())[4]);
        var oldCells = await page.GetByTestId("coupons-table").Locator("tr", new() { Has = page.GetByText(code, new() { Exact = true }) }).Locator("td").AllInnerTextsAsync();
        Assert.Equal("voided", oldCells[4]);
        Assert.Contains("member lost the paper coupon", oldCells[5], StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("reissue-" + code).CountAsync());
        await ScreenshotAsync(page, "member-coupon-reissue");

        await GoAsync(page, "console/audit");
        // The member's row of this action; the coupon an admin issued in the set-up has a coupon.issue row too.
        var auditRow = page.GetByTestId("audit-table").Locator("tr", new() { HasText = id }).Filter(new() { HasText = "member.coupon_reissue" });
        await auditRow.WaitForAsync(new() { Timeout = WaitMs });
        var audit = await auditRow.InnerTextAsync();
        Assert.Contains(ConsoleHostFixture.SupportName, audit, StringComparison.Ordinal);
        Assert.Contains("member.coupon_reissue", audit, StringComparison.Ordinal);
        // Support reads coupon codes in the audit as their last 4 characters: a full code is worth its value at a till.
        Assert.Contains($"coupon …{code[^4..]} → …{fresh[^4..]}", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(code, audit, StringComparison.Ordinal);
        Assert.Contains("member lost the paper coupon", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InChineseAReissueRefusedBecauseTheCouponWasUsedMeanwhileSaysWhyInChinese()
    {
        var id = "CRZ" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync([new { eventId = id + "-r", type = "register", memberId = id, occurredAt = ConsoleHostFixture.Now.AddDays(-10), regionId = "east" }]);
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        using var issued = await api.PostAsJsonAsync($"api/v1/members/{id}/coupons", new { grantId = "used-one", offerId = "goodwill", kind = "no_threshold", value = 15.00m, validDays = 7 }, ConsoleHostFixture.Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(ConsoleHostFixture.Json))!["code"]!.GetValue<string>();

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await page.Locator(".mud-tab").Filter(new() { HasText = "权益" }).First.ClickAsync();
        await page.GetByTestId("reissue-" + code).ClickAsync();
        await Input(page, "reissue-reason").FillAsync("会员说券丢了");

        // The member uses the coupon at a till while the agent fills in the form.
        using var store = host.CreateClient();
        store.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.StoreKey);
        using var redeemed = await store.PostAsJsonAsync($"api/v1/members/{id}/coupons/{code}/redeem", new { redemptionId = id + "-use", storeId = "S001", orderAmount = 100m }, ConsoleHostFixture.Json);
        Assert.True(redeemed.IsSuccessStatusCode, await redeemed.Content.ReadAsStringAsync());

        await page.GetByTestId("reissue-submit").ClickAsync();
        var shown = page.GetByTestId("reissue-message");
        await Microsoft.Playwright.Assertions.Expect(shown).ToContainTextAsync("未补发：该券已核销", new() { Timeout = WaitMs });
        Assert.DoesNotContain("cannot be reissued", await shown.InnerTextAsync(), StringComparison.Ordinal);
    }
}
