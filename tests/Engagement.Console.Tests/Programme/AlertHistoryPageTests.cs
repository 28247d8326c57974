using System.Globalization;
using Engagement.Console.Components.Shared;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Engagement.Grains.Programme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;
using static Microsoft.Playwright.Assertions;

namespace Engagement.Console.Tests.Programme;

/// <summary>
/// The programme page's alert history in Debian's Chromium: resolved alerts with the sentence they were raised with and
/// the one that resolved them, raised and resolved instants in the programme's zone, a page at a time.
/// </summary>
[Collection(ProgrammeConsoleHostCollection.Name)]
public sealed class AlertHistoryPageTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task AResolvedAlertShowsItsRaisedAndResolvedSentencesAndTimesInChinese()
    {
        // A fault reported overnight in Chinese shows in the open table of a page already open; resolved 37 minutes later
        // on the pinned clock, a range picked on that page (it reads its figures again) takes it off the open table and
        // puts it in the history, with both sentences word for word.
        var source = "nightly-" + Guid.NewGuid().ToString("N")[..8];
        const string raised = "夜间备份失败：存储账户不可达";
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var raisedAt = host.Clock.GetUtcNow();
        await alerts.RaiseAnomalyAsync(source, raised);

        var page = await host.NewPageAsync("zh-CN");
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        var openTable = page.GetByTestId("alerts-table");
        await Expect(openTable).ToContainTextAsync(raised, new() { Timeout = WaitMs });
        await page.GetByTestId("alert-history").WaitForAsync(new() { Timeout = WaitMs });
        // The history's first read is in before the alert resolves: otherwise a slow first read would find it resolved
        // and the test would pass without the history reading again when the page does.
        await Expect(page.GetByTestId("alert-history")).Not.ToHaveAttributeAsync("data-reads-done", "0", new() { Timeout = WaitMs });

        host.Clock.Advance(TimeSpan.FromMinutes(37));
        await alerts.ResolveAnomalyAsync(source);
        var stored = (await alerts.GetAsync(AlertStates.Resolved, 1000)).Single(a => a.RegionId == source);
        Assert.Equal(raisedAt, stored.RaisedAt);
        Assert.Equal(raisedAt.AddMinutes(37), stored.ResolvedAt);
        Assert.Equal(raised, stored.RaisedMessage);
        Assert.Equal("resolved: " + raised, stored.Message);

        // No "more" is clicked (it would read the history again by itself): the newest resolved alert is on the first
        // page the pick reads.
        await page.GetByTestId("programme-range").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("最近 7 天", new() { Exact = true }).ClickAsync();
        await Expect(Row(page, stored.AlertId)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        await Expect(openTable).Not.ToContainTextAsync(raised, new() { Timeout = WaitMs });

        var row = Row(page, stored.AlertId);
        Assert.Equal(raised, await Cell(row, "alert-history-raised-sentence"));
        Assert.Equal("resolved: " + raised, await Cell(row, "alert-history-resolved-sentence"));
        // Asia/Shanghai (the host's programme zone) is UTC+8 all year: the times are the instants at +08:00.
        Assert.Equal(ShanghaiText(raisedAt), await Cell(row, "alert-history-raised-at"));
        Assert.Equal(ShanghaiText(raisedAt.AddMinutes(37)), await Cell(row, "alert-history-resolved-at"));
        // What an operator needs instead of a state every row shares: how long it lasted, the rule, where; an anomaly
        // measures no value against no threshold, so the store holds none to show.
        Assert.Equal("37 分钟", await Cell(row, "alert-history-lasted"));
        Assert.Equal("数据异常 (data.anomaly)", await Cell(row, "alert-history-rule"));
        Assert.Equal(source, await Cell(row, "alert-history-region"));
        Assert.Equal("—", await Cell(row, "alert-history-value"));
        var header = await page.GetByTestId("alert-history-table").Locator("thead").InnerTextAsync();
        Assert.Contains("触发时的说明", header, StringComparison.Ordinal);
        Assert.Contains("关闭时间（Asia/Shanghai）", header, StringComparison.Ordinal);
        Assert.Contains("持续时长", header, StringComparison.Ordinal);
        Assert.DoesNotContain("状态", header, StringComparison.Ordinal);
        await ScreenshotAsync(page, "alert-history-zh");
    }

    [Fact]
    public async Task APageViewReadsTheHistoryOnce()
    {
        // The page is prerendered, then rendered again by its circuit: the history is read by the circuit only, so the
        // store sees one read per view. A prerender read would have ended before the page's HTML arrived, so it is
        // counted by the time the circuit's read is done. The figures (segments, open alerts), read at the same time
        // as the history, are in too, and the history's count is still 1 after them: it reads again only when the
        // figures are read again, so no second read is left to come from this view.
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        var before = host.AlertCalls.ResolvedReads;
        await GoAsync(page, "console/programme");
        var history = page.GetByTestId("alert-history");
        await Expect(history).ToHaveAttributeAsync("data-reads-done", "1", new() { Timeout = WaitMs });
        await Expect(page.GetByTestId("programme-segments")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        // The open alerts' table's rows (or its no-alerts row), not its section, which is there whatever the table holds,
        // so waiting on it waited for nothing.
        await Expect(page.GetByTestId("alerts-table").Locator("tbody tr").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        await Expect(page.GetByTestId("alert-history-none").Or(page.GetByTestId("alert-history-rule")).First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        await Expect(history).ToHaveAttributeAsync("data-reads-done", "1", new() { Timeout = WaitMs });
        Assert.Equal(1, host.AlertCalls.ResolvedReads - before);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheHistoryShowsAPageAtATimeAndMoreShowsTheNext()
    {
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var sources = Enumerable.Range(0, AlertHistory.PageSize + 1).Select(i => $"page-{Guid.NewGuid().ToString("N")[..6]}-{i}").ToList();
        foreach (var source in sources)
        {
            await alerts.RaiseAnomalyAsync(source, "disk full on " + source);
            await alerts.ResolveAnomalyAsync(source);
        }

        // Resolved in order, so sources[^1] is the newest resolved (first on the page) and sources[0] the 21st.
        var ids = (await alerts.GetAsync(AlertStates.Resolved, 1000)).Where(a => sources.Contains(a.RegionId)).ToDictionary(a => a.RegionId, a => a.AlertId);
        Assert.Equal(sources.Count, ids.Count);

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        var rules = page.GetByTestId("alert-history-rule");
        await Expect(rules).ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });
        // MudBlazor upper-cases a button by CSS: the text is compared as rendered in the DOM.
        Assert.Equal("Show 20 more", (await page.GetByTestId("alert-history-more").TextContentAsync())?.Trim());
        var firstPage = await rules.EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.alertId)");
        Assert.Equal(sources.AsEnumerable().Reverse().Take(AlertHistory.PageSize).Select(x => ids[x]).ToArray(), firstPage);
        Assert.DoesNotContain(ids[sources[0]], firstPage);

        await page.GetByTestId("alert-history-more").ClickAsync();
        await Expect(rules).Not.ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });
        var shown = await rules.EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.alertId)");
        Assert.Equal(ids[sources[0]], shown[AlertHistory.PageSize]);
    }

    [Fact]
    public async Task ManyOpenAlertsLeaveTheResolvedOneOnTheFirstPage()
    {
        // 21 faults still open (more than a page) and one resolved overnight: the history reads resolved alerts only, so
        // the resolved one is on its first page, never pushed behind the open ones (shown in the table above).
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var open = Enumerable.Range(0, AlertHistory.PageSize + 1).Select(i => $"open-{Guid.NewGuid().ToString("N")[..6]}-{i}").ToList();
        var resolved = "overnight-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await alerts.RaiseAnomalyAsync(resolved, "queue stalled on " + resolved);
            await alerts.ResolveAnomalyAsync(resolved);
            foreach (var source in open)
            {
                await alerts.RaiseAnomalyAsync(source, "still failing on " + source);
            }

            var id = (await alerts.GetAsync(AlertStates.Resolved, 1000)).Single(a => a.RegionId == resolved).AlertId;
            Assert.True((await alerts.GetAsync(AlertStates.Open, 1000)).Count(a => open.Contains(a.RegionId)) > AlertHistory.PageSize);

            var page = await host.NewPageAsync();
            await SignInAsync(page, ConsoleHostFixture.SupportKey);
            await GoAsync(page, "console/programme");
            await Expect(Row(page, id)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
            // Raised and resolved at the same pinned instant.
            Assert.Equal("under 1 min", await Cell(Row(page, id), "alert-history-lasted"));
            Assert.True(await page.GetByTestId("alert-history-rule").CountAsync() <= AlertHistory.PageSize);
            Assert.Equal(0, await page.GetByTestId("alert-history-table").GetByText("still failing on").CountAsync());
        }
        finally
        {
            foreach (var source in open)
            {
                await alerts.ResolveAnomalyAsync(source);
            }
        }
    }

    [Fact]
    public async Task AFailedReadSaysSoWithoutClaimingNoAlertsAndTryingAgainShowsTheRows()
    {
        // The history's first read times out (a TaskCanceledException nobody on the page asked for): the page says so,
        // never "no alert resolved yet" under the warning, and the circuit lives on: trying again shows the rows.
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var source = "retry-" + Guid.NewGuid().ToString("N")[..8];
        await alerts.RaiseAnomalyAsync(source, "cache stale on " + source);
        await alerts.ResolveAnomalyAsync(source);
        var id = (await alerts.GetAsync(AlertStates.Resolved, 1000)).Single(a => a.RegionId == source).AlertId;

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        var failed = page.GetByTestId("alert-history-failed");
        host.AlertCalls.FailResolvedReads(message => new TaskCanceledException(message));
        try
        {
            await GoAsync(page, "console/programme");
            await Expect(failed).ToContainTextAsync("The alert history could not be read just now.", new() { Timeout = WaitMs });
            await Expect(page.GetByTestId("programme-alerts")).ToBeVisibleAsync(new() { Timeout = WaitMs });
            Assert.Equal(0, await page.GetByTestId("alert-history").GetByText("No alert resolved yet.").CountAsync());
            Assert.Equal(0, await page.GetByTestId("alert-history-rule").CountAsync());
            Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
        }
        finally
        {
            host.AlertCalls.FailResolvedReads(null);
        }

        // Trying again is disabled while its read is under way (two reads could end out of order).
        var hold = host.AlertCalls.HoldNextResolvedRead();
        try
        {
            var retry = page.GetByTestId("alert-history-retry");
            await retry.ClickAsync();
            await Expect(retry).ToBeDisabledAsync(new() { Timeout = WaitMs });
        }
        finally
        {
            hold.TrySetResult();
        }

        await Expect(Row(page, id)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        await Expect(failed).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("alert-history-retry").CountAsync());
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());
    }

    [Fact]
    public async Task MoreStaysDisabledWhileItReadsAndGoesWhenNothingIsLeftAtAMultipleOfAPage()
    {
        // Resolved alerts padded to a whole number of pages (at least two): "more" stays on the page, disabled, while its
        // read is under way, and once every alert is shown it goes, rather than offering a page that would add nothing.
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var count = (await alerts.GetAsync(AlertStates.Resolved, 1000)).Count;
        var total = Math.Max(2, (count + AlertHistory.PageSize - 1) / AlertHistory.PageSize) * AlertHistory.PageSize;
        for (var i = count; i < total; i++)
        {
            var source = $"pad-{Guid.NewGuid().ToString("N")[..6]}-{i}";
            await alerts.RaiseAnomalyAsync(source, "late feed from " + source);
            await alerts.ResolveAnomalyAsync(source);
        }

        Assert.Equal(total, (await alerts.GetAsync(AlertStates.Resolved, 1000)).Count);

        var page = await host.NewPageAsync();
        await SignInAsync(page, ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme");
        var rules = page.GetByTestId("alert-history-rule");
        var more = page.GetByTestId("alert-history-more");
        await Expect(rules).ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });

        var hold = host.AlertCalls.HoldNextResolvedRead();
        try
        {
            await more.ClickAsync();
            await Expect(more).ToBeDisabledAsync(new() { Timeout = WaitMs });
            Assert.Equal(AlertHistory.PageSize, await rules.CountAsync());
        }
        finally
        {
            hold.TrySetResult();
        }

        await Expect(rules).ToHaveCountAsync(2 * AlertHistory.PageSize, new() { Timeout = WaitMs });
        for (var shown = 2 * AlertHistory.PageSize; shown < total; shown += AlertHistory.PageSize)
        {
            await Expect(more).ToBeEnabledAsync(new() { Timeout = WaitMs });
            await more.ClickAsync();
            await Expect(rules).ToHaveCountAsync(shown + AlertHistory.PageSize, new() { Timeout = WaitMs });
        }

        await Expect(more).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Equal(total, await rules.CountAsync());
    }

    [Fact]
    public async Task AFilteredLinkShowsOnlyThatRuleAndRegionAndAReloadKeepsIt()
    {
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        var (kept, other) = ("filter-" + Guid.NewGuid().ToString("N")[..8], "filter-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var source in new[] { kept, other })
        {
            await alerts.RaiseAnomalyAsync(source, "replica lagging on " + source);
            await alerts.ResolveAnomalyAsync(source);
        }

        var resolved = await alerts.GetAsync(AlertStates.Resolved, 1000);
        var (keptId, otherId) = (resolved.Single(a => a.RegionId == kept).AlertId, resolved.Single(a => a.RegionId == other).AlertId);

        // A shared link names the rule and the region (here an anomaly's source): only that alert shows, and a reload
        // (a new circuit reading the URL again) keeps it.
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        var rules = page.GetByTestId("alert-history-rule");
        var history = page.GetByTestId("alert-history");
        await GoAsync(page, $"console/programme?alertRule=data.anomaly&alertRegion={kept}");
        await Expect(history).ToHaveAttributeAsync("data-reads-done", "1", new() { Timeout = WaitMs });
        await Expect(Row(page, keptId)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        Assert.Equal(1, await rules.CountAsync());
        Assert.Equal(0, await Row(page, otherId).CountAsync());

        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await Expect(history).ToHaveAttributeAsync("data-reads-done", "1", new() { Timeout = WaitMs });
        await Expect(Row(page, keptId)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        Assert.Equal(1, await rules.CountAsync());

        // Another rule in that region has nothing resolved, and says so as a filter's answer.
        await GoAsync(page, $"console/programme?alertRule=complaints.high&alertRegion={kept}");
        await Expect(page.GetByTestId("alert-history-none")).ToHaveTextAsync("No resolved alert of this rule and region.", new() { Timeout = WaitMs });
        Assert.Equal(0, await rules.CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PickingAFilterPutsItInTheLinkAndShowsItsFirstPageAgain()
    {
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        for (var i = 0; i <= AlertHistory.PageSize; i++)
        {
            var source = $"pick-{Guid.NewGuid().ToString("N")[..6]}-{i}";
            await alerts.RaiseAnomalyAsync(source, "slow disk on " + source);
            await alerts.ResolveAnomalyAsync(source);
        }

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/programme?range=last-7-days");
        var rules = page.GetByTestId("alert-history-rule");
        await Expect(rules).ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });
        await page.GetByTestId("alert-history-more").ClickAsync();
        await Expect(rules).Not.ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });
        var history = page.GetByTestId("alert-history");
        var readsDone = await history.GetAttributeAsync("data-reads-done");

        // A rule picked: in the link (the range kept), and the history starts again from its first page. The pick reads
        // the history alone: the figures (whose read includes the open alerts) are not read again.
        var openReads = host.AlertCalls.OpenReads;
        await page.GetByTestId("alert-history-rule-filter").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Data anomaly (data.anomaly)", new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("alertRule=data\\.anomaly"), new() { Timeout = WaitMs });
        Assert.Contains("range=last-7-days", page.Url, StringComparison.Ordinal);
        await Expect(rules).ToHaveCountAsync(AlertHistory.PageSize, new() { Timeout = WaitMs });
        await Expect(page.GetByTestId("alert-history-more")).ToBeVisibleAsync(new() { Timeout = WaitMs });
        await Expect(history).Not.ToHaveAttributeAsync("data-reads-done", readsDone!, new() { Timeout = WaitMs });
        Assert.Equal(openReads, host.AlertCalls.OpenReads);

        // Programme-wide alerts only: no anomaly is one.
        await page.GetByTestId("alert-history-region-filter").ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("All regions (programme-wide alerts)", new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("alertRegion=all"), new() { Timeout = WaitMs });
        await Expect(page.GetByTestId("alert-history-none")).ToHaveTextAsync("No resolved alert of this rule and region.", new() { Timeout = WaitMs });
        Assert.Contains("alertRule=data.anomaly", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAlertResolvedByTurningItsRuleOffSaysNoJudgementResolvedIt()
    {
        // 5 complaints against 100 active member-days: complaints.high opens at 5% over its 3% ceiling. The rule is then
        // turned off (Engagement:Alerts:Disabled) and the next evaluation resolves the episode with no value, so the
        // stored value is still 5%: the history showed "5% / 3%" as if it had resolved while over.
        var region = "off" + Guid.NewGuid().ToString("N")[..6];
        await ComplaintsAsync(region, 0, logins: 100, complaints: 5);
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        Assert.Contains(await alerts.EvaluateAsync(), a => a.RegionId == region && a.Rule == AlertRules.ComplaintsHigh);

        var disabled = host.Services.GetRequiredService<IOptions<AlertOptions>>().Value.Disabled;
        disabled.Add(AlertRules.ComplaintsHigh);
        try
        {
            await alerts.EvaluateAsync();
        }
        finally
        {
            disabled.Remove(AlertRules.ComplaintsHigh);
        }

        var stored = (await alerts.FindAsync(AlertStates.Resolved, AlertRules.ComplaintsHigh, region, 10)).Single();
        Assert.Equal(0.05, stored.Value);
        Assert.False(stored.ResolvedWithValue);
        Assert.Contains("turned off", stored.Message, StringComparison.Ordinal);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?alertRule=complaints.high&alertRegion={region}");
        await Expect(Row(page, stored.AlertId)).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        Assert.Equal("— (not judged: rule turned off)", await Cell(Row(page, stored.AlertId), "alert-history-value"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AMetricAlertShowsTheValueThatResolvedItAgainstItsThresholdAndHowLongItLasted()
    {
        // complaints.high opens at 5% (5 complaints in 100 active member-days, ceiling 3%); 2 h 5 min later on the pinned
        // clock 150 more members were active that day, so the rate is 5 in 250, 2%, and the evaluation resolves it with
        // that value: the row shows the value that resolved it against the ceiling, and how long it lasted.
        var region = "val" + Guid.NewGuid().ToString("N")[..6];
        await ComplaintsAsync(region, 0, logins: 100, complaints: 5);
        var alerts = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0);
        Assert.Contains(await alerts.EvaluateAsync(), a => a.RegionId == region && a.Rule == AlertRules.ComplaintsHigh);

        host.Clock.Advance(new TimeSpan(2, 5, 0));
        await ComplaintsAsync(region, 105, logins: 150, complaints: 0);
        Assert.DoesNotContain(await alerts.EvaluateAsync(), a => a.RegionId == region && a.Rule == AlertRules.ComplaintsHigh);
        var stored = (await alerts.FindAsync(AlertStates.Resolved, AlertRules.ComplaintsHigh, region, 10)).Single();
        Assert.Equal(0.02, stored.Value!.Value, 9);
        Assert.Equal(0.03, stored.Threshold);
        Assert.True(stored.ResolvedWithValue);

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/programme?alertRule=complaints.high&alertRegion={region}");
        var row = Row(page, stored.AlertId);
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = WaitMs });
        Assert.Equal("2% / 3%", await Cell(row, "alert-history-value"));
        Assert.Equal("2 h 5 min", await Cell(row, "alert-history-lasted"));
        Assert.Equal("High complaint rate (complaints.high)", await Cell(row, "alert-history-rule"));
        Assert.Equal(region, await Cell(row, "alert-history-region"));
        Assert.Equal("above 3%", await Cell(row, "alert-history-direction"));
        await page.Context.CloseAsync();
    }

    // Members of region active yesterday (the rules judge complete local days), as the member outbox feeds the
    // aggregators: logins members with a login, then complaints members with a complaint, numbered from first.
    private async Task ComplaintsAsync(string region, int first, int logins, int complaints)
    {
        var yesterday = new MetricsOptions().LocalDay(host.Clock.GetUtcNow(), region).AddDays(-1);
        var contributions = Enumerable.Range(first, logins + complaints).SelectMany(i => MemberMetrics.Derive(MemberMetricState.Empty, new MemberTransition
        {
            MemberId = $"{region}-m{i}",
            EffectId = "e" + i,
            Day = yesterday,
            EventType = i < first + logins ? "login" : "complaint",
            Joined = true,
            After = new MemberSegments { RegionId = region, Tier = "V1", RfmSegment = "New", ValueClass = "C", Stage = "new" },
        }, new MetricsOptions()).Contributions).ToList();
        await host.Services.GetRequiredService<IProgrammeMetricsSink>().ApplyAsync(contributions);
    }

    private static ILocator Row(IPage page, string alertId) =>
        page.GetByTestId("alert-history-table").Locator("tbody tr").Filter(new() { Has = page.Locator($"[data-alert-id='{alertId}']") });

    private static async Task<string> Cell(ILocator row, string testId) => (await row.GetByTestId(testId).InnerTextAsync()).Trim();

    private static string ShanghaiText(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
