using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Engagement.Contracts.Programme;
using Engagement.Domain.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>The console's consent change (audited), the audience size before a trigger, and the operations page.</summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleActionTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private static readonly DateTimeOffset T0 = ConsoleHostFixture.Now;

    [Fact]
    public async Task SupportTurnsAChannelOffWithAReasonAndTheAuditSaysWhoWhatAndWhy()
    {
        var (id, page) = await OpenSeededMemberAsync(host, "CNS", "consent-form");
        var sms = page.GetByTestId("consent-sms").Locator("input");
        await Assertions.Expect(sms).ToBeCheckedAsync(new() { Timeout = WaitMs });

        // Switched off without a reason: the form names the field and nothing changes.
        await page.GetByTestId("consent-sms").ClickAsync();
        await Assertions.Expect(sms).Not.ToBeCheckedAsync(new() { Timeout = WaitMs });
        await page.GetByTestId("consent-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("consent-message")).ToContainTextAsync("Reason", new() { Timeout = WaitMs });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var unchanged = await api.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", ConsoleHostFixture.Json);
        Assert.Empty(unchanged!["caps"]!["optedOutChannels"]!.AsArray());

        await Input(page, "consent-reason").FillAsync("member asked on the phone: no more SMS");
        await page.GetByTestId("consent-submit").ClickAsync();
        // The chip shows once the member has a stored SMS answer: its text is polled until it shows the saved "no".
        await Assertions.Expect(page.GetByTestId("consent-chip-sms")).ToHaveTextAsync(new Regex(@"^\s*sms: no\s*$", RegexOptions.IgnoreCase), new() { Timeout = WaitMs, UseInnerText = true });
        var view = await api.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", ConsoleHostFixture.Json);
        Assert.Equal(["sms"], view!["caps"]!["optedOutChannels"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.False(view["consent"]!["sms"]!.GetValue<bool>());
        await ScreenshotAsync(page, "member-consent");

        await GoAsync(page, "console/audit");
        var auditRow = page.GetByTestId("audit-table").Locator("tr", new() { HasText = id });
        await auditRow.WaitForAsync(new() { Timeout = WaitMs });
        var audit = await auditRow.InnerTextAsync();
        Assert.Contains(ConsoleHostFixture.SupportName, audit, StringComparison.Ordinal);
        Assert.Contains("member.consent", audit, StringComparison.Ordinal);
        Assert.Contains("consent sms default→no", audit, StringComparison.Ordinal);
        Assert.Contains("member asked on the phone: no more SMS", audit, StringComparison.Ordinal);
        Assert.Equal(1, await page.GetByTestId("audit-table").Locator("tr", new() { HasText = id }).CountAsync());
        await ScreenshotAsync(page, "audit-consent");
    }

    [Fact]
    public async Task AConsentSwitchTurnedOffSurvivesPagingTheLedgerAndIsSaved()
    {
        var id = "CNP" + Guid.NewGuid().ToString("N")[..10];
        var events = new List<object> { new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30), regionId = "east" } };

        // Enough purchases for more than one ledger page (20 rows), so "Older" re-renders the member page.
        for (var i = 1; i <= 12; i++)
        {
            events.Add(new { eventId = $"{id}-o{i}", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20 + i), orderId = "O" + i, amount = 50m });
        }

        await host.PostEventsAsync(events);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("consent-form").WaitForAsync(new() { Timeout = WaitMs });
        var sms = page.GetByTestId("consent-sms").Locator("input");
        await Assertions.Expect(sms).ToBeCheckedAsync(new() { Timeout = WaitMs });

        await page.GetByTestId("consent-sms").ClickAsync();
        await Assertions.Expect(sms).Not.ToBeCheckedAsync(new() { Timeout = WaitMs });
        await Input(page, "consent-reason").FillAsync("member asked: no SMS");

        // The agent looks at older ledger rows before saving: the page re-renders, the switch stays off.
        await page.Locator(".mud-tab", new() { HasTextString = "Ledger" }).ClickAsync();
        var firstRow = page.GetByTestId("ledger-table").Locator("tbody tr").First;
        var newest = await firstRow.InnerTextAsync();
        await page.GetByTestId("ledger-older").ClickAsync();
        await Assertions.Expect(firstRow).Not.ToHaveTextAsync(newest, new() { Timeout = WaitMs });
        Assert.False(await sms.IsCheckedAsync());

        await page.GetByTestId("consent-submit").ClickAsync();
        await page.GetByTestId("consent-chip-sms").WaitForAsync(new() { Timeout = WaitMs });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        var view = await api.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", ConsoleHostFixture.Json);
        Assert.Equal(["sms"], view!["caps"]!["optedOutChannels"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Theory]
    [InlineData("zh-CN", "未执行：当前积分余额 240，扣减 900 会使余额低于零。")]
    [InlineData("en-US", "Not applied: the balance is 240 points and cannot go below zero by taking 900.")]
    public async Task ANegativeAdjustmentBeyondTheBalanceIsRefusedInTheViewersLanguageAndChangesNothing(string locale, string message)
    {
        var (id, page) = await OpenSeededMemberAsync(host, "NEG", "adjust-form", locale);

        await Input(page, "adjust-delta").FillAsync("-900");
        await Input(page, "adjust-reason").FillAsync("wrong goodwill");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var shown = page.GetByTestId("adjust-message");
        await Assertions.Expect(shown).ToHaveTextAsync(message, new() { Timeout = WaitMs, UseInnerText = true });
        Assert.Equal("240", (await page.GetByTestId("points").InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "adjust-refused-" + locale);
    }

    [Theory]
    [InlineData("zh-CN", "不是有效的会员号：会员号为 1–64 个 A–Z a–z 0–9 _ - . : 字符，不含空格。", "您要找的是 {0} 吗？", "从未见过会员 {0}。")]
    [InlineData("en-US", "is not a member id: 1–64 characters of A–Z a–z 0–9 _ - . : without spaces.", "Did you mean {0}?", "Member {0} has never been seen.")]
    public async Task AMemberIdTypedWithSpacesInLowerCaseOrFarTooLongGetsAClearMessageAndTheMemberMeant(string locale, string invalid, string didYouMean, string notFound)
    {
        var id = "TYP" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await host.PostEventsAsync([new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-10), regionId = "east" }]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        var missing = page.GetByTestId("member-missing");

        // Spaces from a copied number: not an id at all, and the member it was meant to be is offered.
        await GoAsync(page, $"console/members/{id[..3]} {id[3..]}");
        await missing.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains(invalid, await missing.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, didYouMean, id), (await page.GetByTestId("member-suggestion").InnerTextAsync()).Trim());

        // Lower case: a valid id of nobody; the upper-case member is offered and opens.
        await GoAsync(page, $"console/members/{id.ToLowerInvariant()}");
        await missing.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, notFound, id.ToLowerInvariant()), await missing.InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByTestId("member-suggestion").ClickAsync();
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        Assert.EndsWith("/console/members/" + id, page.Url, StringComparison.Ordinal);

        // 200 characters: the message, shortened, and no suggestion.
        await GoAsync(page, "console/members/" + new string('A', 200));
        await missing.WaitForAsync(new() { Timeout = WaitMs });
        var text = await missing.InnerTextAsync();
        Assert.Contains(invalid, text, StringComparison.Ordinal);
        Assert.Contains("200", text, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('A', 65), text, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("member-suggestion").CountAsync());
        await ScreenshotAsync(page, "member-invalid-id-" + locale);
    }

    [Fact]
    public async Task TheChineseConsoleNamesStagesSegmentsAndLedgerKindsInChinese()
    {
        var id = "ZHC" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-40), regionId = "east" },
            new { eventId = id + "-o", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20), orderId = "O1", amount = 1680.5m },
            new { eventId = id + "-s", type = "share", memberId = id, occurredAt = T0.AddHours(-7) },
        ]);
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.SupportKey);
        var view = await api.GetFromJsonAsync<JsonObject>($"api/v1/members/{id}", ConsoleHostFixture.Json);
        Assert.Equal("active", view!["lifecycleStage"]!.GetValue<string>());
        Assert.Equal("Potential Loyalist", view["rfm"]!["segment"]!.GetValue<string>());

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("活跃", (await page.GetByTestId("stage").InnerTextAsync()).Trim());
        Assert.Equal("潜在忠诚客户", (await page.GetByTestId("segment").InnerTextAsync()).Trim());
        var kinds = await page.GetByTestId("ledger-table").Locator("tbody tr td:nth-child(3)").AllInnerTextsAsync();
        Assert.Contains("积分", kinds.Select(k => k.Trim()));
        Assert.All(kinds, k => Assert.Contains(k.Trim(), new[] { "积分", "成长值", "等级", "优惠券" }));

        await GoAsync(page, "console/programme");
        var segments = page.GetByTestId("programme-segments");
        await segments.WaitForAsync(new() { Timeout = WaitMs });
        var labels = await segments.InnerTextAsync();
        Assert.Contains("潜在忠诚客户", labels, StringComparison.Ordinal);
        Assert.DoesNotContain("Potential Loyalist", labels, StringComparison.Ordinal);
        await ScreenshotAsync(page, "codes-zh-CN");
    }

    [Theory]
    [InlineData("zh-CN")]
    [InlineData("en-US")]
    public async Task SupportFindsAMemberTypedInLowerCaseOrWithASpace(string locale)
    {
        var id = "LOW" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await host.PostEventsAsync([new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-10), regionId = "east" }]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, "console/members");

        foreach (var typed in new[] { id.ToLowerInvariant(), $"{id[..3]} {id[3..]}" })
        {
            await Input(page, "member-search").FillAsync(typed);
            var hit = page.GetByTestId("search-results").GetByTestId("hit").Filter(new() { HasText = id });
            await hit.WaitForAsync(new() { Timeout = WaitMs });
            Assert.Equal(id, (await hit.InnerTextAsync()).Trim());
        }
    }

    [Fact]
    public async Task MarketingSeesTheAudienceSizeAndSplitBeforeTriggeringAndTheFanOutReachesExactlyThat()
    {
        var region = "au" + Guid.NewGuid().ToString("N")[..8];
        var members = Enumerable.Range(0, 30).Select(i => $"{region}-{i:D3}").ToList();
        await host.PostEventsAsync(members.Select(m =>
            (object)new { eventId = m + "-r", type = "register", memberId = m, occurredAt = T0.AddDays(-20), regionId = region }));
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/campaigns");

        var campaignId = "size-" + region;
        await Input(page, "f-id").FillAsync(campaignId);
        await Input(page, "f-name").FillAsync("Audience size check");
        await Input(page, "f-regions").FillAsync(region);
        await Input(page, "f-coupon").FillAsync("SIZE5");
        await Input(page, "f-control").FillAsync("0.3");
        await page.GetByTestId("campaign-create").ClickAsync();
        await ExpectUrlEndsWithAsync(page, $"/console/campaigns/{campaignId}");
        await WaitForCircuitAsync(page);

        var size = page.GetByTestId("audience-members");
        await Assertions.Expect(size).ToHaveTextAsync("30 members match the audience criteria.", new() { Timeout = WaitMs, UseInnerText = true });
        var groups = await page.GetByTestId("audience-group").AllInnerTextsAsync();
        Assert.Equal(4, groups.Count);
        Assert.Equal(30, groups.Sum(g => long.Parse(g[(g.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture)));
        await ScreenshotAsync(page, "campaign-audience");

        // The API answers the same, group by group, for the stored campaign.
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var estimate = await api.GetFromJsonAsync<JsonObject>($"api/v1/campaigns/{campaignId}/audience", ConsoleHostFixture.Json);
        Assert.True(estimate!["exact"]!.GetValue<bool>());
        Assert.Equal(30, estimate["members"]!.GetValue<long>());

        // Trigger does not sit below the estimate, whose landing would move it under the pointer (beside it, top-aligned).
        var trigger = page.GetByTestId("campaign-trigger");
        var triggerBox = await trigger.BoundingBoxAsync();
        var estimateBox = await page.GetByTestId("audience-estimate").BoundingBoxAsync();
        Assert.NotNull(triggerBox);
        Assert.NotNull(estimateBox);
        Assert.True(triggerBox.Y < estimateBox.Y + estimateBox.Height, $"Trigger at y {triggerBox.Y} sits below the estimate ({estimateBox.Y} + {estimateBox.Height})");

        await trigger.ClickAsync();
        await page.GetByTestId("campaign-status").Filter(new() { HasText = "completed" }).WaitForAsync(new() { Timeout = WaitMs });
        await GoAsync(page, $"console/campaigns/{campaignId}");
        var rows = await page.GetByTestId("result-row").AllInnerTextsAsync();
        var shown = estimate["groups"]!.AsArray().Select(g => g!["members"]!.GetValue<long>()).ToList();
        var reached = rows.Select(r => long.Parse(r.Split('\t', StringSplitOptions.TrimEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shown, reached);
    }

    [Fact]
    public async Task OperationsLeadsToTheLiveProgrammeHealthAndShowsTheWinBackChart()
    {
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.MarketingKey);
        await GoAsync(page, "console/operations");
        var tiles = await page.GetByTestId("ops-tile").AllInnerTextsAsync();
        Assert.Equal(6, tiles.Count);
        Assert.All(tiles, t => Assert.Contains("Programme health page", t, StringComparison.Ordinal));
        var links = page.GetByTestId("ops-tile").Locator("a");
        Assert.Equal(6, await links.CountAsync());
        Assert.Equal("/console/programme", await links.First.GetAttributeAsync("href"));
        await page.GetByTestId("winback-chart").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains("Level 1", await page.GetByTestId("winback-chart").InnerHTMLAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "operations");
    }

    [Fact]
    public async Task OperationsIsTitledOperationsAndShowsOpenAlertsQueueDepthsAndTheBackupAge()
    {
        // The heading said "Programme health", the programme page's title, and the tiles were links only: it now shows
        // what the silo already has, the open alerts as GET /alerts?state=open counts them, each event queue's and the
        // poison queue's depth from the queue-depth gauges (the sampler reads Azurite when the host starts), and the
        // newest complete backup's age (none in this host: said as such, not as a failure).
        var open = (await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IAlertsGrain>(0).GetAsync(AlertStates.Open, 1000)).Count;
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        var depths = await Eventually.ReturnsAsync(
            async () =>
            {
                await GoAsync(page, "console/operations");
                await page.GetByTestId("ops-alerts-open").WaitForAsync(new() { Timeout = WaitMs });
                return await page.GetByTestId("ops-queue-depth").AllInnerTextsAsync();
            },
            lines => lines.Count > 0,
            WaitTime,
            "the queue depths were read");

        Assert.Equal("Operations", await page.Locator("h4").First.InnerTextAsync());
        Assert.Equal(open.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetByTestId("ops-alerts-open").InnerTextAsync());
        Assert.Contains(depths, d => d.Contains("-0: ", StringComparison.Ordinal));
        Assert.Contains(depths, d => d.Contains("(dead letters): ", StringComparison.Ordinal));
        Assert.All(depths, d => Assert.Matches(@": \d+$", d));
        Assert.Equal(1, await page.GetByTestId("ops-backup-age").CountAsync() + await page.GetByTestId("ops-backup-none").CountAsync());
        Assert.Equal(0, await page.GetByTestId("ops-alerts-failed").CountAsync() + await page.GetByTestId("ops-queues-failed").CountAsync() + await page.GetByTestId("ops-backup-failed").CountAsync());

        var zh = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(zh, "console/operations");
        Assert.Equal("运营", await zh.Locator("h4").First.InnerTextAsync());
    }
}
