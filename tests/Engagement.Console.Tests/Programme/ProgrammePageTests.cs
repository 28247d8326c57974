using Engagement.Api.Programme;
using Engagement.Console.Services;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>The programme health page in Debian's Chromium, fed through the aggregators as the member outbox does.</summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class ProgrammePageTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task SupportSeesTheProgrammesNumbersChartsAndSegments()
    {
        var region = "ui" + Guid.NewGuid().ToString("N")[..6];
        var today = new MetricsOptions().LocalDay(host.Clock.GetUtcNow(), region);
        var contributions = new[] { "login", "purchase", "share" }.SelectMany((type, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = today,
            EventType = type,
            Joined = true,
            FirstPurchase = type == "purchase",
            Revenue = type == "purchase" ? 268.50m : 0m,
            PointsIssued = type == "purchase" ? 536 : 0,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = type == "purchase" ? 536 : 0 },
        }, new MetricsOptions()).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("nav-programme")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        await GoAsync(page, "console/programme");

        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(10, await page.GetByTestId("programme-tile").CountAsync());
        // The range ends today in the programme's zone, a day not over yet: the members tile counts members now.
        Assert.StartsWith("Members now", await page.GetByTestId("programme-tile").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.GetByTestId("programme-trend").Locator("svg").CountAsync() > 0);
        Assert.Contains("Now held by members", await page.GetByTestId("programme-points").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("exactly once", await page.GetByTestId("programme-how-counted").InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "programme-health");
    }

    [Fact]
    public async Task TheRepurchaseTileShowsDistinctMembersOverThirtyDaysNotPurchaserDays()
    {
        // One member buying on two days of the range: a repurchaser (CONTRACT.md §5), but in the range's purchaser-day
        // figure a purchaser on each day and a repurchaser on neither.
        var region = "rp" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        var state = MemberMetricState.Empty;
        var contributions = new List<MetricContribution>();
        foreach (var (day, i) in new[] { (today.AddDays(-3), 0), (today, 1) })
        {
            var (next, emitted) = MemberMetrics.Derive(state, new MemberTransition
            {
                MemberId = region + "-m",
                EffectId = "e" + i,
                Day = day,
                EventType = "purchase",
                Joined = i == 0,
                FirstPurchase = i == 0,
                Revenue = 100m,
                After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
            }, options);
            state = next;
            contributions.AddRange(emitted);
        }

        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
        var views = host.Services.GetRequiredService<ProgrammeViews>();
        var health = (await views.HealthAsync(null, today.AddDays(-29), today, host.Clock.GetUtcNow())).Summary;
        // The 30 days ending today: the range's own rate is the distinct members' (one purchaser, a repurchaser).
        Assert.Equal(health.RepurchaseRate30, health.RepurchaseRate);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        var tile = page.GetByTestId("programme-tile").Filter(new() { HasText = "Repurchase rate (distinct buyers)" });
        await tile.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains(AlertTexts.Percent(health.RepurchaseRate30, "-"), await tile.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePointsCardShowsThePointsMembersHoldAndTheDebtApartNotNettedOff()
    {
        // One member holds 1,000 points, another owes 300 (a refund of spent points): the programme owes 1,000.
        var region = "pd" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        var contributions = new[] { 1_000L, -300L }.SelectMany((balance, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = today,
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new", PointsBalance = balance },
        }, options).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-points").WaitForAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("programme-region").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(region, new() { Exact = true }).ClickAsync();
        var card = page.GetByTestId("programme-points");
        await Microsoft.Playwright.Assertions.Expect(card).ToContainTextAsync("Now held by members 1,000 points", new() { Timeout = WaitMs });
        Assert.Contains("Now owed by members with a negative balance: 300 points", await card.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("700", await card.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "Members now")]
    [InlineData("zh-CN", "当前会员数")]
    public async Task TheMembersTileOfTodayCountsMembersNowNotAtTheEndOfADayNotOver(string locale, string label)
    {
        // The page's range ends on today in the programme's zone at the host's clock, a day not over yet. The clock is the
        // shared fixture's, which other tests move on, so today is read from it, not from host.Clock.GetUtcNow().
        var today = new MetricsOptions().LocalDay(host.Clock.GetUtcNow(), "");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });

        var tile = await page.GetByTestId("programme-tile").First.InnerTextAsync();
        Assert.StartsWith(label, tile, StringComparison.Ordinal);
        Assert.DoesNotContain(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), tile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en-US", "Members now")]
    [InlineData("zh-CN", "当前会员数")]
    public async Task TheMembersTileShowsTheLiveMembersNowNotTheSummarysEndOfDayCount(string locale, string label)
    {
        // Two members joined today; a third's event, stamped within the accepted clock skew before midnight, is dated the
        // next local day. The live gauge counts 3; the summary's members, worked back to the end of today, 2.
        var region = "mn" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var now = host.Clock.GetUtcNow();
        var today = options.LocalDay(now, region);
        var contributions = new[] { today, today, today.AddDays(1) }.SelectMany((day, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = day,
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
        var health = await host.Services.GetRequiredService<ProgrammeViews>().HealthAsync(region, today.AddDays(-29), today, now);
        Assert.Equal(3, health.MembersNow);
        Assert.Equal(2, health.Summary.Members);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("programme-region").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(region, new() { Exact = true }).ClickAsync();

        // The region's members tile reads the live count.
        var tile = page.GetByTestId("programme-tile").First;
        await Microsoft.Playwright.Assertions.Expect(tile.Locator(".mud-typography-h6")).ToHaveTextAsync("3", new() { Timeout = WaitMs });
        Assert.StartsWith(label, await tile.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheActivityHeadlineIsTheLastCompleteDayWithTodaySoFarBesideIt()
    {
        // Two members active yesterday, one today so far (a part-day): the headline is yesterday's 2, not today's 1.
        var region = "hd" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        var contributions = new[] { today.AddDays(-1), today.AddDays(-1), today }.SelectMany((day, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = day,
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?region={region}&range=last-7-days");
        var tile = page.GetByTestId("programme-tile").Filter(new() { HasText = "DAU · WAU · MAU" });
        await Microsoft.Playwright.Assertions.Expect(tile.Locator(".mud-typography-h6")).ToHaveTextAsync("2 · 2 · 2", new() { Timeout = WaitMs });
        var yesterday = today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"{yesterday}, the last complete day · today so far ({today:yyyy-MM-dd}): 1 · 3 · 3", await tile.GetByTestId("programme-tile-why").InnerTextAsync());
        var dauMau = page.GetByTestId("programme-tile").Filter(new() { HasText = "DAU / MAU" });
        Assert.Equal("100%", await dauMau.Locator(".mud-typography-h6").InnerTextAsync());
    }

    [Fact]
    public async Task ARegionWithNoMembersShowsEmptySegmentsAndSaysSoNeverTheProgrammes()
    {
        // Another region holds a member of a tier only it has: the whole programme's charts name that tier.
        var other = "sg" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = other + "-m",
            EffectId = "e",
            Day = options.LocalDay(host.Clock.GetUtcNow(), other),
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = other, Tier = "T" + other, RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions.ToList());
        var nosuch = "nosuch" + Guid.NewGuid().ToString("N")[..6];

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme?region=" + nosuch);
        var none = page.GetByTestId("programme-segments-none");
        await Microsoft.Playwright.Assertions.Expect(none).ToContainTextAsync($"No members in region {nosuch}", new() { Timeout = WaitMs });

        // Its segments are empty: not the programme's tiers (the other region's among them) under its name.
        Assert.DoesNotContain("T" + other, await page.GetByTestId("programme-segments").TextContentAsync() ?? "", StringComparison.Ordinal);
        await GoAsync(page, "console/programme");
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("programme-segments")).ToContainTextAsync("T" + other, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("programme-segments-none").CountAsync());
    }

    [Fact]
    public async Task ARegionsHealthAndPointsAreReadAtOnceNotOneAfterTheOther()
    {
        var region = "cc" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = region + "-m",
            EffectId = "e",
            Day = options.LocalDay(host.Clock.GetUtcNow(), region),
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions.ToList());

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });

        // The region's store is slow: its health and its points reads are both in flight before either answers (one
        // after the other, the points read would start only once the health read had come back: 2.3–4.9 s to settle).
        // Only the page's reads are held and counted: an alerts evaluation reading the region meanwhile is a grain's read
        // (FlakyDaysReader), which would otherwise make two waiting reads with the page's reads one after the other.
        host.DaysReader.Hold(region);
        try
        {
            await page.GetByTestId("programme-region").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText(region, new() { Exact = true }).ClickAsync();
            await Eventually.ReturnsAsync(() => Task.FromResult(host.DaysReader.Waiting(region)), n => n >= 2, WaitTime, "the health and points reads of the region in flight together");
        }
        finally
        {
            host.DaysReader.Release(region);
        }

        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync(region, new() { Timeout = WaitMs });
        Assert.Equal(10, await page.GetByTestId("programme-tile").CountAsync());
    }

    [Fact]
    public async Task ARegionWhoseFiguresTimeOutSaysSoAndTryingAgainShowsThem()
    {
        var region = "rf" + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = region + "-m",
            EffectId = "e",
            Day = today,
            EventType = "login",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions.ToList());

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });

        // The region's days time out (a TaskCanceledException nobody on the page asked for): the page says so, with no
        // figures under the region's name (never the programme's), instead of the viewer losing the page.
        host.DaysReader.FailNextRead(region);
        await page.GetByTestId("programme-region").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText(region, new() { Exact = true }).ClickAsync();
        var failed = page.GetByTestId("programme-region-failed");
        await Microsoft.Playwright.Assertions.Expect(failed).ToContainTextAsync(region, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        Assert.Equal(0, await page.GetByTestId("programme-tile").CountAsync());

        // Nor the segments of the read before (the programme's) under the region's name; the range ends on its today.
        Assert.Equal(0, await page.GetByTestId("programme-segments").CountAsync());
        await Microsoft.Playwright.Assertions.Expect(page.GetByText(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))).Not.ToHaveCountAsync(0);

        // The circuit lives on: trying again shows the region's figures (one member now).
        await page.GetByTestId("programme-region-retry").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(failed).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("programme-tile").First.Locator(".mud-typography-h6")).ToHaveTextAsync("1", new() { Timeout = WaitMs });
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("programme-segments")).ToBeVisibleAsync(new() { Timeout = WaitMs });
    }

    [Theory]
    [InlineData("zh-CN", "投诉率过高 (complaints.high)", "{0} 这 7 个本地日的投诉率 5%（上限 3%）：请复盘服务流程，按门店和原因查看这些天的投诉并解决最常见的问题")]
    [InlineData("en-US", "High complaint rate (complaints.high)", "complaint rate 5% over the 7 local days {0} (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent")]
    public async Task AnAlertReadsInTheViewersLanguageFromItsRuleAndNumbers(string locale, string rule, string message)
    {
        // 5 complaints against 100 active members yesterday (the rules judge complete local days): 5%, above the 3%
        // ceiling (CONTRACT.md §5).
        var region = "al" + Guid.NewGuid().ToString("N")[..6];
        var yesterday = new MetricsOptions().LocalDay(host.Clock.GetUtcNow(), region).AddDays(-1);
        var contributions = Enumerable.Range(0, 105).SelectMany(i => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = yesterday,
            EventType = i < 100 ? "login" : "complaint",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, new MetricsOptions()).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
        var open = await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0).EvaluateAsync();

        // The stored and published message is the contract's English whatever the console's language: what fired (with
        // its counts), over which local days (the 7 complete ones ending yesterday), against what, and what to do.
        var alert = open.Single(a => a.RegionId == region);
        var days = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{yesterday.AddDays(-6):yyyy-MM-dd}–{yesterday:yyyy-MM-dd}");
        Assert.Equal($"complaint rate 5% (5 complaints in 100 active member-days) over the 7 local days {days} (ceiling 3%): service-process review: read those days' complaints by store and cause and fix the most frequent", alert.Message);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, "console/programme");
        var row = page.GetByTestId("programme-alerts").Locator("tr", new() { HasText = region });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        var cells = await row.Locator("td").AllInnerTextsAsync();
        Assert.Equal(rule, cells[0]);
        Assert.Equal("5%", cells[2]);
        Assert.Equal("3%", cells[3]);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, days), cells[5]);

        // Raised on the programme's clock (Asia/Shanghai, UTC+8), not the server's UTC.
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        Assert.Equal(TimeZoneInfo.ConvertTime(alert.RaisedAt, shanghai).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), cells[4]);
        Assert.Contains("Asia/Shanghai", await page.GetByTestId("programme-alerts").Locator("th").Nth(4).InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "programme-alerts-" + locale);
    }
}
