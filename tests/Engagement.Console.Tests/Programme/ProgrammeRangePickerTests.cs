using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Engagement.Console.Services;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// The programme page's range picker in Debian's Chromium: a preset or custom dates show the figures
/// <c>GET /programme/health</c> gives for that range, the URL keeps the range across a reload, and a range outside the
/// API's bounds is told so in words, never a blank page.
/// </summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class ProgrammeRangePickerTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task PickingLastSevenDaysShowsTheApisFiguresForThemAndAReloadKeepsThem()
    {
        var (region, today) = await SeedAsync("rs");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?region={region}");

        // The default, the last 30 days: one sharer among three active member-days.
        var last30 = await HealthAsync(region, today.AddDays(-29), today);
        await ExpectTileAsync(page, "Share rate", Percent(last30, "shareRate"));
        Assert.Equal("33.33%", Percent(last30, "shareRate"));

        await page.GetByTestId("programme-range").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Last 7 days", new() { Exact = true }).ClickAsync();
        await ExpectUrlAsync(page, new("range=last-7-days"));
        Assert.Contains("region=" + region, page.Url, StringComparison.Ordinal);

        // The 7 days: only the buyer was active (0% shared); ARPU's distinct buyers are not counted for such a range
        // (CONTRACT.md §5), and the tile says so rather than "nobody bought". That holds only because the fixture's
        // pinned day (a Tuesday, the 10th) makes the 7 days start neither on a Monday nor on a 1st, which would be counted.
        Assert.NotEqual(DayOfWeek.Monday, today.AddDays(-6).DayOfWeek);
        Assert.NotEqual(1, today.AddDays(-6).Day);
        var last7 = await HealthAsync(region, today.AddDays(-6), today);
        await ExpectLast7Async(page, last7, today);

        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await ExpectLast7Async(page, last7, today);
        await Assertions.Expect(page.GetByTestId("programme-range")).ToContainTextAsync("Last 7 days", new() { Timeout = WaitMs });
        await ScreenshotAsync(page, "programme-range-last-7-days");
    }

    [Fact]
    public async Task ACustomRangeShowsTheApisFiguresForItAndItsLinkKeepsIt()
    {
        var (region, today) = await SeedAsync("rc");
        var day = Text(today.AddDays(-20));
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?region={region}");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });

        // Typed and shown at once, as a user does: only the input events of typing, the field's change event (which
        // some browsers fire only on blur) not yet sent when "Show" is pressed. The test waits on the caption the user
        // reads, then checks the link.
        await PickCustomAsync(page, day, day, typedOnly: true);
        await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync($"{day} – {day} · 1 local day (Asia/Shanghai)", new() { Timeout = WaitMs });
        Assert.Contains($"from={day}&to={day}", page.Url, StringComparison.Ordinal);

        // One day, long over: one sharer of two active members, no buyer; the members tile counts the end of that day.
        var health = await HealthAsync(region, today.AddDays(-20), today.AddDays(-20));
        Assert.Equal("50%", Percent(health, "shareRate"));
        await ExpectCustomAsync(page, health, day);

        // A shared link (a new viewer) and a reload show the same range.
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await ExpectCustomAsync(page, health, day);
        var other = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(other, page.Url);
        await Assertions.Expect(other.GetByTestId("programme-range-shown")).ToContainTextAsync($"{day} 至 {day} · 1 个本地日（Asia/Shanghai）", new() { Timeout = WaitMs });
        await Assertions.Expect(Tile(other, "分享率").Locator(".mud-typography-h6")).ToHaveTextAsync("50%", new() { Timeout = WaitMs });
    }

    [Fact]
    public async Task ARangeOutsideTheApisBoundsIsToldInWordsAndTheFiguresStay()
    {
        var (region, today) = await SeedAsync("rb");
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?region={region}");
        await page.GetByTestId("programme-segments").WaitForAsync(new() { Timeout = WaitMs });
        var url = page.Url;

        foreach (var (from, to, words) in new[]
        {
            (Text(today), Text(today.AddDays(-5)), "The from date is after the to date"),
            (Text(today.AddDays(-3)), Text(today.AddDays(1)), $"may not end after the latest local day, {Text(today)}"),
            ("1999-12-31", Text(today), "may not start before 2000-01-01"),
            (Text(today.AddDays(-400)), Text(today), "at most 400 days"),
        })
        {
            await PickCustomAsync(page, from, to);
            await Assertions.Expect(page.GetByTestId("programme-range-invalid")).ToContainTextAsync(words, new() { Timeout = WaitMs });
            Assert.Equal(url, page.Url);
            Assert.Equal(10, await page.GetByTestId("programme-tile").CountAsync());
            Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        }

        // A link with a range the API would refuse says so and shows the last 30 days, labelled as such.
        await GoAsync(page, $"console/programme?region={region}&from={Text(today)}&to={Text(today.AddDays(-1))}");
        await Assertions.Expect(page.GetByTestId("programme-range-link-invalid")).ToContainTextAsync("The link's range is not shown: The from date is after the to date", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync($"{Text(today.AddDays(-29))} – {Text(today)} · 30 local days", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("programme-tile")).ToHaveCountAsync(10, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        await ScreenshotAsync(page, "programme-range-refused");

        // A bad pick after the bad link: the picker's own warning, and the link's is no longer up (two warnings, two ids).
        await PickCustomAsync(page, Text(today), Text(today.AddDays(-2)));
        await Assertions.Expect(page.GetByTestId("programme-range-invalid")).ToContainTextAsync("The from date is after the to date", new() { Timeout = WaitMs });
        await Assertions.Expect(page.GetByTestId("programme-range-link-invalid")).ToHaveCountAsync(0, new() { Timeout = WaitMs });
    }

    // A region of three members: a sharer and a member logging in 20 days ago, a buyer (100 CNY) 3 days ago.
    private async Task<(string Region, DateOnly Today)> SeedAsync(string prefix)
    {
        var region = prefix + Guid.NewGuid().ToString("N")[..6];
        var options = new MetricsOptions();
        var today = options.LocalDay(host.Clock.GetUtcNow(), region);
        var contributions = new[] { ("share", -20), ("login", -20), ("purchase", -3) }.SelectMany((e, i) => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = today.AddDays(e.Item2),
            EventType = e.Item1,
            Joined = true,
            FirstPurchase = e.Item1 == "purchase",
            Revenue = e.Item1 == "purchase" ? 100m : 0m,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, options).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
        return (region, today);
    }

    private static async Task ExpectLast7Async(IPage page, JsonObject last7, DateOnly today)
    {
        Assert.Equal("0%", Percent(last7, "shareRate"));
        Assert.Null(last7["summary"]!["arpu"]?.GetValue<decimal?>());
        Assert.Null(last7["summary"]!["distinctBasis"]?.GetValue<string?>());
        await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync($"{Text(today.AddDays(-6))} – {Text(today)} · 7 local days (Asia/Shanghai)", new() { Timeout = WaitMs });
        await ExpectTileAsync(page, "Share rate", Percent(last7, "shareRate"));
        await Assertions.Expect(Tile(page, "ARPU")).ToContainTextAsync("Not counted for this range", new() { Timeout = WaitMs });
    }

    private static async Task ExpectCustomAsync(IPage page, JsonObject health, string day)
    {
        await Assertions.Expect(page.GetByTestId("programme-range-shown")).ToContainTextAsync($"{day} – {day} · 1 local day (Asia/Shanghai)", new() { Timeout = WaitMs });
        await ExpectTileAsync(page, "Share rate", Percent(health, "shareRate"));
        await Assertions.Expect(Tile(page, "ARPU")).ToContainTextAsync("No member bought in these", new() { Timeout = WaitMs });
        var members = health["summary"]!["members"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture);
        Assert.Equal("2", members);
        await ExpectTileAsync(page, $"Members at the end of {day}", members);
    }

    // typedOnly: the dates are set with only an input event each (typing, not yet committed by a change event on blur).
    private static async Task PickCustomAsync(IPage page, string from, string to, bool typedOnly = false)
    {
        if (await page.GetByTestId("programme-range-apply").CountAsync() == 0)
        {
            await page.GetByTestId("programme-range").ClickAsync();
            await page.Locator(".mud-popover-open").GetByText("Custom dates", new() { Exact = true }).ClickAsync();
        }

        if (typedOnly)
        {
            await TypeAsync(Input(page, "programme-range-from"), from);
            await TypeAsync(Input(page, "programme-range-to"), to);
        }
        else
        {
            await Input(page, "programme-range-from").FillAsync(from);
            await Input(page, "programme-range-to").FillAsync(to);
        }

        await page.GetByTestId("programme-range-apply").ClickAsync();
    }

    private static async Task TypeAsync(ILocator input, string value) =>
        await input.EvaluateAsync("(e, v) => { e.focus(); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }", value);

    private static ILocator Tile(IPage page, string label) => page.GetByTestId("programme-tile").Filter(new() { HasText = label });

    private static Task ExpectTileAsync(IPage page, string label, string value) =>
        Assertions.Expect(Tile(page, label).Locator(".mud-typography-h6")).ToHaveTextAsync(value, new() { Timeout = WaitMs });

    // The figures GET /programme/health answers for the region and range (what the page must show).
    private async Task<JsonObject> HealthAsync(string region, DateOnly from, DateOnly to)
    {
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.SupportKey);
        return (await api.GetFromJsonAsync<JsonObject>($"api/v1/programme/health?regionId={region}&from={Text(from)}&to={Text(to)}", ConsoleHostFixture.Json))!;
    }

    private static string Percent(JsonObject health, string field) =>
        AlertTexts.Percent(health["summary"]![field]?.GetValue<double?>(), "—");

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
