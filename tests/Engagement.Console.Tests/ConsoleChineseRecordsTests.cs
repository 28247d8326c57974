using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// In Chinese, what the engine recorded in English reads in Chinese: ledger reasons are worded from the entry's rule
/// and numbers (the stored English stays in the row's tooltip, and text a person typed is shown as typed), audit
/// details from the action, and MudBlazor's own texts (the audit table's pager) come from the console's MudLocalizer.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleChineseRecordsTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private static readonly DateTimeOffset T0 = ConsoleHostFixture.Now;

    [Fact]
    public async Task LedgerReasonsAuditDetailsAndThePagerReadInChinese()
    {
        var id = "ZH" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30), regionId = "east" },
            new { eventId = id + "-o1", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20), orderId = "O1", amount = 680m },
            new { eventId = id + "-f1", type = "refund", memberId = id, occurredAt = T0.AddDays(-10), orderId = "O1", amount = 80m },
            new { eventId = id + "-o2", type = "purchase", memberId = id, occurredAt = T0.AddDays(-5), orderId = "O2", amount = 400m },
            new { eventId = id + "-s", type = "share", memberId = id, occurredAt = T0.AddDays(-2) },
        ]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });

        const string typed = "送货延迟 goodwill for a late delivery";
        await Input(page, "adjust-reason").FillAsync(typed);
        await Input(page, "adjust-delta").FillAsync("30");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var ledger = page.GetByTestId("ledger-table");
        var adjusted = ledger.Locator("tr", new() { HasText = typed });
        await adjusted.WaitForAsync(new() { Timeout = WaitMs, State = WaitForSelectorState.Attached });

        // "When" is when the change took effect (the refund's occurredAt, T0 - 10 days), not when the engine recorded it.
        var refundRow = ledger.Locator("tbody tr").Filter(new() { HasText = "(points.refund)" }).First;
        Assert.StartsWith(T0.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (await refundRow.Locator("td").Nth(1).InnerTextAsync()).Trim(), StringComparison.Ordinal);
        Assert.StartsWith("记录于 ", await refundRow.Locator("td").Nth(1).GetAttributeAsync("title"), StringComparison.Ordinal);

        var earned = ReasonCell(ledger, "points.earn.first-purchase-double");
        Assert.Equal("订单 O1 消费 680.00 CNY，V1 等级 ×1.0，首单 ×2", (await earned.InnerTextAsync()).Trim());
        Assert.StartsWith("purchase O1 of 680.00 CNY", await earned.GetAttributeAsync("title"), StringComparison.Ordinal);
        Assert.Equal("订单 O1（680.00 CNY）退款 80.00 CNY", (await ReasonCell(ledger, "points.refund").InnerTextAsync()).Trim());
        Assert.Equal("订单 O1（680.00 CNY）退款 80.00 CNY", (await ReasonCell(ledger, "growth.refund").InnerTextAsync()).Trim());
        Assert.Equal("订单 O2 消费 400.00 CNY", (await ReasonCell(ledger, "growth.purchase").InnerTextAsync()).Trim());
        Assert.Equal("订单 O2 消费 400.00 CNY，V1 等级 ×1.0", (await ReasonCell(ledger, "points.earn").InnerTextAsync()).Trim());
        Assert.Equal("V1 → V2：近期成长值 1000 达到 1000", (await ReasonCell(ledger, "tier.upgrade").InnerTextAsync()).Trim());
        Assert.Equal("分享：2026-03-08 第 1 次（每日上限 5 次）", (await ReasonCell(ledger, "growth.share").InnerTextAsync()).Trim());
        // A person's words are never translated: shown as typed after the worded part.
        Assert.Equal("人工调整 +30：" + typed, (await ReasonCell(ledger, "points.adjustment").InnerTextAsync()).Trim());
        var shown = await ledger.InnerTextAsync();
        Assert.DoesNotContain("purchase O1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("refund of", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("manual adjustment", shown, StringComparison.Ordinal);
        await ScreenshotAsync(page, "member-ledger-zh-CN");

        await GoAsync(page, "console/audit");
        var auditRow = page.GetByTestId("audit-table").Locator("tr", new() { HasText = id });
        await auditRow.WaitForAsync(new() { Timeout = WaitMs });
        var cells = await auditRow.Locator("td").AllInnerTextsAsync();
        Assert.Equal("Wang Fang（客服）", cells[1].Trim());
        Assert.Equal("人工调整", cells[2].Trim());
        Assert.Equal("积分 +30", cells[4].Trim());
        Assert.Equal(typed, cells[5].Trim());
        Assert.Equal("points +30", await auditRow.Locator("td").Nth(4).Locator("[title]").GetAttributeAsync("title"));

        // MudBlazor's pager texts come through the console's MudLocalizer.
        var pager = await page.Locator(".mud-table-pagination").InnerTextAsync();
        Assert.Contains("每页行数", pager, StringComparison.Ordinal);
        Assert.Matches(@"1-\d+ / 共 \d+ 条", pager);
        Assert.DoesNotContain("Rows per page", pager, StringComparison.Ordinal);
        Assert.DoesNotContain(" of ", pager, StringComparison.Ordinal);
        await ScreenshotAsync(page, "audit-zh-CN");
    }

    [Fact]
    public async Task InEnglishTheRecordedTextsAndThePagerStayAsTheyWere()
    {
        var id = "EN" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30) },
            new { eventId = id + "-o1", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20), orderId = "O1", amount = 680m },
        ]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "en-US");
        await GoAsync(page, $"console/members/{id}");
        var ledger = page.GetByTestId("ledger-table");
        await ledger.Locator("tr", new() { HasText = "points.earn" }).First.WaitForAsync(new() { Timeout = WaitMs, State = WaitForSelectorState.Attached });
        Assert.StartsWith("purchase O1 of 680.00 CNY at V1", (await ReasonCell(ledger, "points.earn.first-purchase-double").InnerTextAsync()).Trim(), StringComparison.Ordinal);

        await GoAsync(page, "console/audit");
        var pager = await page.Locator(".mud-table-pagination").InnerTextAsync();
        Assert.Contains("Rows per page", pager, StringComparison.Ordinal);
    }

    private static ILocator ReasonCell(ILocator ledger, string ruleId) =>
        ledger.Locator("tbody tr").Filter(new() { HasText = "(" + ruleId + ")" }).First.Locator("td").Nth(6);
}
