using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>The console in Debian's Chromium: roles, member search and page, adjustments and audit, a campaign to results, two languages.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleBrowserTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private static readonly DateTimeOffset T0 = ConsoleHostFixture.Now;

    [Theory]
    [InlineData(ConsoleHostFixture.SupportKey, true, false)]
    [InlineData(ConsoleHostFixture.MarketingKey, false, true)]
    [InlineData(ConsoleHostFixture.AdminKey, true, true)]
    [InlineData(ConsoleHostFixture.HashedSupportKey, true, false)]
    public async Task EachRoleSeesOnlyItsActions(string key, bool support, bool marketing)
    {
        var page = await host.NewPageAsync();
        await SignInAsync(page, key);

        await ExpectShownAsync(page.GetByTestId("nav-members"), support);
        await ExpectShownAsync(page.GetByTestId("nav-audit"), support);
        await ExpectShownAsync(page.GetByTestId("nav-campaigns"), marketing);
        await ScreenshotAsync(page, "home-" + key);

        // A page of another role is refused by the server, not merely hidden.
        var other = support ? "console/campaigns" : "console/members";
        await page.GotoAsync(other);
        if (support && marketing)
        {
            await WaitForCircuitAsync(page);
            Assert.EndsWith("/" + other, page.Url, StringComparison.Ordinal);
        }
        else
        {
            await ExpectUrlAsync(page, new("/console/denied"));
            Assert.Contains("Not allowed", await page.ContentAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnknownKeyIsRefusedAndPagesNeedASession()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("console/members");
        await ExpectUrlAsync(page, new("/console/signin"));
        await page.GetByTestId("signin-key").FillAsync("no-such-key-at-all");
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.GetByTestId("signin-failed").WaitForAsync(new() { Timeout = WaitMs });
        await ScreenshotAsync(page, "signin-refused");
    }

    [Fact]
    public async Task SupportFindsAMemberByPhoneSeesItMaskedAdjustsAndFindsTheAdjustmentInLedgerAndAudit()
    {
        var id = "CON" + Guid.NewGuid().ToString("N")[..10];
        var phone = "138" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30), regionId = "east" },
            new { eventId = id + "-p", type = "profile_update", memberId = id, occurredAt = T0.AddDays(-30), properties = new Dictionary<string, string> { ["phone"] = phone } },
            new { eventId = id + "-o1", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20), orderId = "O1", amount = 680m },
            new { eventId = id + "-o2", type = "purchase", memberId = id, occurredAt = T0.AddDays(-3), orderId = "O2", amount = 320.5m },
            new { eventId = id + "-s", type = "share", memberId = id, occurredAt = T0.AddDays(-2) },
        ]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");

        await Input(page, "member-search").FillAsync(phone); // support finds by the whole number only
        var masked = $"{phone[..3]}****{phone[^4..]}";
        var row = page.Locator("tr", new() { Has = page.GetByText(id, new() { Exact = true }) });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(masked, (await row.GetByTestId("hit-phone").InnerTextAsync()).Trim());
        Assert.DoesNotContain(phone, await page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByTestId("hit").ClickAsync();
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("V2", (await page.GetByTestId("tier").InnerTextAsync()).Trim());
        await WaitForMemberZoneAsync(page);
        await ScreenshotAsync(page, "member-page", forDocs: true);

        // The reason is mandatory: the form names the field and nothing is applied.
        await Input(page, "adjust-delta").FillAsync("30");
        await page.GetByTestId("adjust-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("adjust-message")).ToContainTextAsync("Reason", new() { Timeout = WaitMs });

        await Input(page, "adjust-reason").FillAsync("goodwill for a late delivery");
        await Input(page, "adjust-delta").FillAsync("30");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var ledgerRow = page.GetByTestId("ledger-table").Locator("tr", new() { HasText = "goodwill for a late delivery" });
        await ledgerRow.WaitForAsync(new() { Timeout = WaitMs, State = WaitForSelectorState.Attached });
        var cells = await ledgerRow.Locator("td").AllInnerTextsAsync();
        Assert.Equal("2026-03-10 12:00", cells[1]);
        Assert.Equal("+30", cells[3]);
        Assert.Contains("points.adjustment", cells[5], StringComparison.Ordinal);

        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var view = await api.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", ConsoleHostFixture.Json);
        Assert.Equal((1360 + 320 + 30), view!["pointsBalance"]!.GetValue<long>());

        // A goodwill coupon shows on the member page with its status and why.
        using var issued = await api.PostAsJsonAsync($"api/v1/members/{id}/coupons", new { grantId = "console-goodwill", kind = "no_threshold", value = 15.00m, validDays = 7 }, ConsoleHostFixture.Json);
        var code = (await issued.Content.ReadFromJsonAsync<JsonObject>(ConsoleHostFixture.Json))!["code"]!.GetValue<string>();
        await page.ReloadAsync();
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await WaitForCircuitAsync(page); // a click on the prerendered page, before the circuit, is lost
        await page.Locator(".mud-tab").Filter(new() { HasText = "Benefits" }).First.ClickAsync();
        var couponRow = page.GetByTestId("coupons-table").Locator("tr", new() { HasText = code });
        await couponRow.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains("issued", await couponRow.InnerTextAsync(), StringComparison.Ordinal);

        await GoAsync(page, "console/audit");
        // The member's row of this action; the coupon an admin issued in the set-up has a coupon.issue row too.
        var auditRow = page.GetByTestId("audit-table").Locator("tr", new() { HasText = id }).Filter(new() { HasText = "member.adjustment" });
        await auditRow.WaitForAsync(new() { Timeout = WaitMs });
        var audit = await auditRow.InnerTextAsync();
        Assert.Contains(ConsoleHostFixture.SupportName, audit, StringComparison.Ordinal);
        Assert.Contains("points +30", audit, StringComparison.Ordinal);
        Assert.Contains("goodwill for a late delivery", audit, StringComparison.Ordinal);
        await ScreenshotAsync(page, "audit");
    }

    [Fact]
    public async Task MarketingFixesANamedFieldTriggersACampaignFollowsItToTheEndAndReadsResultsPerArm()
    {
        var region = "cr" + Guid.NewGuid().ToString("N")[..8];
        var members = Enumerable.Range(0, 40).Select(i => $"{region}-{i:D3}").ToList();
        await host.PostEventsAsync(members.SelectMany(m => new object[]
        {
            new { eventId = m + "-r", type = "register", memberId = m, occurredAt = T0.AddDays(-40), regionId = region },
            new { eventId = m + "-o", type = "purchase", memberId = m, occurredAt = T0.AddDays(-10), orderId = "O1", amount = 99m },
        }));
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        var campaignId = "spring-" + region;
        await Input(page, "f-id").FillAsync(campaignId);
        await Input(page, "f-name").FillAsync("Spring comeback");
        await Input(page, "f-regions").FillAsync(region);
        await Input(page, "f-coupon").FillAsync("SPRING10");
        await Input(page, "f-control").FillAsync("0.9");
        await page.GetByTestId("campaign-create").ClickAsync();
        await page.GetByTestId("campaign-errors").WaitForAsync(new() { Timeout = WaitMs });
        var errors = await page.GetByTestId("campaign-errors").InnerTextAsync();
        Assert.Contains("controlShare", errors, StringComparison.Ordinal);
        await ScreenshotAsync(page, "campaign-invalid");

        await Input(page, "f-control").FillAsync("0.2");
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{campaignId}");
        await page.GetByTestId("campaign-trigger").ClickAsync();
        await page.GetByTestId("campaign-progress-text").Filter(new() { HasTextRegex = new("^100%") })
            .WaitForAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("campaign-status").Filter(new() { HasText = "completed" }).WaitForAsync(new() { Timeout = WaitMs });

        // Some of the audience buys within the attribution window; the results page then has conversions to compare.
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.PostEventsAsync(members.Where((_, i) => i % 3 == 0).Select(m =>
            (object)new { eventId = m + "-o2", type = "purchase", memberId = m, occurredAt = T0.AddMinutes(30), orderId = "O2", amount = 150m }));
        await GoAsync(page, $"console/campaigns/{campaignId}");
        var rows = await page.GetByTestId("result-row").AllInnerTextsAsync();
        Assert.Contains(rows, r => r.StartsWith("Arm a", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("Arm b", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("Control", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("Global control", StringComparison.Ordinal));
        var chart = await page.GetByTestId("conversion-chart").InnerHTMLAsync();
        Assert.Contains("Arm a", chart, StringComparison.Ordinal);
        Assert.Contains("Control", chart, StringComparison.Ordinal);
        Assert.Equal(1, await page.GetByTestId("uplift-chart").CountAsync());
        await ScreenshotAsync(page, "campaign-results", forDocs: true);

        await GoAsync(page, "console/campaigns");
        Assert.Equal(1, await page.GetByTestId("campaign-list").GetByText(campaignId).CountAsync());
    }

    [Theory]
    [InlineData("zh-CN", "会员运营控制台", "查找会员")]
    [InlineData("en-US", "Engagement console", "Find a member")]
    public async Task ChineseAndEnglishPagesRenderFromTheBrowsersLanguage(string locale, string title, string membersTitle)
    {
        // Without a CJK font Chinese renders as boxes; the browser tests need one installed (scripts/browser-deps).
        Assert.Contains("Noto Sans CJK", await CjkFontsAsync(), StringComparison.Ordinal);
        var page = await host.NewPageAsync(locale);
        await page.GotoAsync("console/signin");
        Assert.Contains(title, await page.ContentAsync(), StringComparison.Ordinal);
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");
        Assert.Contains(membersTitle, await page.InnerTextAsync("body"), StringComparison.Ordinal);
        var lang = await page.EvaluateAsync<string>("document.documentElement.lang");
        Assert.StartsWith(locale[..2], lang, StringComparison.Ordinal);
        await ScreenshotAsync(page, "members-" + locale);

        // Switching language overrides the browser's.
        await page.GetByTestId(locale.StartsWith("zh", StringComparison.Ordinal) ? "lang-en" : "lang-zh").ClickAsync();
        await WaitForCircuitAsync(page);
        var other = locale.StartsWith("zh", StringComparison.Ordinal) ? "Find a member" : "查找会员";
        await page.GetByText(other).WaitForAsync(new() { Timeout = WaitMs });
    }

    private static async Task<string> CjkFontsAsync()
    {
        using var fcList = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("fc-list", ":lang=zh-cn family")
        {
            RedirectStandardOutput = true,
        })!;
        var families = await fcList.StandardOutput.ReadToEndAsync();
        await fcList.WaitForExitAsync();
        return families;
    }

    // Polled, not read once (IsVisibleAsync): shown for a role that has the link, hidden or absent for one that has not.
    private static Task ExpectShownAsync(ILocator link, bool shown) => shown
        ? Assertions.Expect(link).ToBeVisibleAsync(new() { Timeout = WaitMs })
        : Assertions.Expect(link).ToBeHiddenAsync(new() { Timeout = WaitMs });
}
