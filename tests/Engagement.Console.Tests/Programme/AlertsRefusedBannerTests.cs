using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// Alerts the alert book could not raise for want of room (<see cref="IAlertsGrain.GetRaisesRefusedAsync"/>) are shown on
/// the programme page above the open alerts, in the viewer's language, and not while none is refused.
/// </summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class AlertsRefusedBannerTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    // 2026-12-06 01:00 and 03:00 UTC: 09:00 and 11:00 in Shanghai, the programme's zone.
    private static readonly AlertRaisesRefusedView Refused = new()
    {
        Refused = true,
        Since = new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero),
        Total = 37,
        LastAt = new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero),
        LastCount = 12,
        Alerts =
        [
            new AlertRefusedAlertView { Rule = AlertRules.ComplaintsHigh, RegionId = "east" },
            new AlertRefusedAlertView { Rule = AlertRules.PointsRedemptionBand, RegionId = AlertRules.AllRegions },
        ],
    };

    [Theory]
    [InlineData("en-US", "12 alert(s) are not raised: the alert book had no room for them.", "Last refused at 2026-12-06 11:00 (37 refusals since 2026-12-06 09:00, counted at each evaluation); times in Asia/Shanghai.", "Not raised: High complaint rate (complaints.high) · east; ", " · All regions and 10 more")]
    [InlineData("zh-CN", "有 12 条预警因预警簿空间不足尚未触发。", "最近一次拒绝于 2026-12-06 11:00（自 2026-12-06 09:00 起共拒绝 37 次，每次评估分别计数）；时间为 Asia/Shanghai。", "未触发：投诉率过高 (complaints.high) · east；", " · 全部区域 等，另有 10 条")]
    public async Task RefusedRaisesShowAsAWarningAboveTheOpenAlerts(string locale, string title, string when, string listStart, string listEnd)
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        host.AlertCalls.RaisesRefused = Refused;
        try
        {
            await GoAsync(page, "console/programme");
            var banner = page.GetByTestId("programme-alerts").GetByTestId("alerts-refused");
            await banner.WaitForAsync(new() { Timeout = WaitMs });
            Assert.Contains("mud-alert-text-warning", await banner.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
            Assert.Equal(title, await banner.GetByTestId("alerts-refused-title").InnerTextAsync());
            Assert.Equal(when, await banner.GetByTestId("alerts-refused-when").InnerTextAsync());
            var list = await banner.GetByTestId("alerts-refused-list").InnerTextAsync();
            Assert.StartsWith(listStart, list, StringComparison.Ordinal);
            Assert.EndsWith(listEnd, list, StringComparison.Ordinal);
        }
        finally
        {
            host.AlertCalls.RaisesRefused = null;
        }
    }

    [Fact]
    public async Task NoBannerWhileEveryAlertWasRaised()
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("alerts-table").WaitForAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("alerts-refused").CountAsync());
    }
}
