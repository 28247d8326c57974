using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Engagement.Contracts.Campaigns;
using Engagement.Contracts.Members;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// What a support agent needs on the member page: the campaign behind each touch and the member's campaign groups (a
/// control-group member included), the engine's records and the form's rules in Chinese, the audit's instants in the
/// page's zone, and the phone as the API gives it to the viewer's role.
/// </summary>
[Collection(MemberActionsConsoleHostCollection.Name)]
public sealed class ConsoleMemberSupportTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private static readonly DateTimeOffset T0 = ConsoleHostFixture.Now;

    [Fact]
    public async Task MemberPageShowsEachTouchsCampaignAndCouponAndTheMembersCampaignGroups()
    {
        // A campaign over a region of its own, half of it held out: one member of an arm, one of the campaign's control.
        var region = "mc" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 12).Select(i => $"{region}-{i:D2}").ToList();
        await host.PostEventsAsync(ids.Select(m => (object)new { eventId = m + "-r", type = "register", memberId = m, occurredAt = T0.AddDays(-40), regionId = region }));
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.MarketingKey);
        var campaign = "mc-" + region;
        var now = host.Clock.GetUtcNow();
        using (var created = await api.PostAsJsonAsync("api/v1/campaigns", new
        {
            id = campaign,
            name = "Spring " + region,
            kind = "broadcast",
            audience = new { regions = new[] { region } },
            channel = "push",
            offer = new { kind = "coupon", code = "MC5", unitCost = 5m },
            controlShare = 0.5,
            validFrom = now.AddHours(-1),
            validUntil = now.AddDays(14),
        }, ConsoleHostFixture.Json))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        }

        using (var triggered = await api.PostAsync($"api/v1/campaigns/{campaign}/trigger", null))
        {
            Assert.True(triggered.IsSuccessStatusCode, await triggered.Content.ReadAsStringAsync());
        }

        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var memberships = await Eventually.ReturnsAsync(
            async () => await Task.WhenAll(ids.Select(m => grains.GetGrain<IMemberGrain>(m).GetCampaignMembershipAsync(campaign))),
            found => found.Any(m => m?.Group == CampaignGroups.Control) && found.Any(m => m?.Group == CampaignGroups.Arm && m.TouchId is not null),
            WaitTime, $"members of {campaign} in an arm (touched) and in its control");
        var treated = memberships.First(m => m?.Group == CampaignGroups.Arm && m.TouchId is not null)!;
        var control = memberships.First(m => m?.Group == CampaignGroups.Control)!;
        var treatedId = ids[Array.IndexOf(memberships, treated)];
        var controlId = ids[Array.IndexOf(memberships, control)];
        var touch = (await grains.GetGrain<IMemberGrain>(treatedId).GetTouchesAsync(50)).Single(t => t.CampaignId == campaign);
        Assert.False(string.IsNullOrEmpty(touch.CouponCode));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await ZoneAfterCampaignRowsAsync(page);
        await GoAsync(page, $"console/members/{treatedId}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });

        // The touch names its campaign and the coupon it carried; its kind in Chinese. The campaign page is for marketing
        // and admin: support sees the id as text, no link that would land on "denied".
        await page.Locator(".mud-tab").Filter(new() { HasText = "触达记录" }).First.ClickAsync();
        var row = page.GetByTestId("touch-table").Locator("tbody tr").Filter(new() { HasText = campaign });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(campaign, (await row.GetByTestId("touch-campaign").InnerTextAsync()).Trim());
        Assert.Equal(0, await row.GetByTestId("touch-campaign").Locator("a").CountAsync());
        Assert.Equal(touch.CouponCode, (await row.GetByTestId("touch-coupon").InnerTextAsync()).Trim());
        Assert.Equal("营销活动", (await row.Locator("td").Nth(1).InnerTextAsync()).Trim());

        // The member's campaigns: the arm it was assigned, as the member grain records it.
        var mine = page.GetByTestId("member-campaign-" + campaign);
        await mine.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal($"实验组 {treated.Arm}", (await mine.GetByTestId("member-campaign-group").InnerTextAsync()).Trim());
        Assert.Contains("Spring " + region, await mine.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await mine.GetByTestId("member-campaign-name").Locator("a").CountAsync());

        // Assigned in the zone the page's header names (the browser's, Asia/Shanghai here), not UTC: the rows may load
        // before the browser's zone does, and must follow it when it arrives.
        await Assertions.Expect(page.GetByText("Asia/Shanghai").First).ToBeVisibleAsync(new() { Timeout = WaitMs });
        var assigned = TimeZoneInfo.ConvertTime(treated.AssignedAt, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        await Assertions.Expect(mine.GetByTestId("member-campaign-assigned")).ToHaveTextAsync(assigned, new() { Timeout = WaitMs });

        // A control-group member has no touch of the campaign, and more coupons whose offer ids name no campaign than the
        // section shows: only the member's own list of memberships still finds the campaign.
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        for (var i = 0; i <= 20; i++)
        {
            using var issued = await admin.PostAsJsonAsync($"api/v1/members/{controlId}/coupons", new { grantId = $"gw-{i}", offerId = $"goodwill-{region}-{i:D2}", kind = "no_threshold", value = 5.00m, validDays = 7 }, ConsoleHostFixture.Json);
            Assert.True(issued.IsSuccessStatusCode, await issued.Content.ReadAsStringAsync());
        }

        await GoAsync(page, $"console/members/{controlId}");
        var held = page.GetByTestId("member-campaign-" + campaign);
        await held.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("对照组", (await held.GetByTestId("member-campaign-group").InnerTextAsync()).Trim());
        Assert.Equal("对照留存（未触达）", (await held.GetByTestId("member-campaign-outcome").InnerTextAsync()).Trim());
        await ScreenshotAsync(page, "member-campaigns-zh-CN");

        // An admin may open the campaign page: the same row links to it.
        var adminPage = await host.NewSignedInPageAsync(ConsoleHostFixture.AdminKey, "zh-CN");
        await GoAsync(adminPage, $"console/members/{controlId}");
        var linked = adminPage.GetByTestId("member-campaign-" + campaign).GetByTestId("member-campaign-name").Locator("a");
        await linked.WaitForAsync(new() { Timeout = WaitMs });
        Assert.EndsWith($"/console/campaigns/{campaign}", await linked.GetAttributeAsync("href"), StringComparison.Ordinal);
    }

    // On a member page the browser answers the console's question for its time zone only once the Campaigns table is
    // shown (at most 20 s later), so the rows are always rendered in UTC first and must follow the zone when it arrives:
    // the order that left Assigned in UTC under a header naming Asia/Shanghai, made certain instead of left to a race.
    private static async Task ZoneAfterCampaignRowsAsync(IPage page) => await page.AddInitScriptAsync("""
        (() => {
            const original = window.eval;
            window.eval = function (code) {
                if (typeof code !== 'string' || !code.includes('timeZone') || !location.pathname.includes('/console/members/')) {
                    return original(code);
                }
                const started = Date.now();
                return new Promise(resolve => {
                    const poll = setInterval(() => {
                        if (document.querySelector('[data-testid="member-campaigns-table"]') || Date.now() - started > 20000) {
                            clearInterval(poll);
                            resolve(original(code));
                        }
                    }, 50);
                });
            };
        })();
        """);

    [Fact]
    public async Task MemberRecordsCouponKindsAndAdjustmentRulesReadInChinese()
    {
        // 1000 CNY reaches V2; a refund of 40, sent ten days after it occurred, leaves 960 below its 1000: the downgrade is dated
        // at the refund and its reason, worded from its numbers, says when and that it came late (CONTRACT §1.1).
        var id = "MZ" + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30), regionId = "east" },
            new { eventId = id + "-o1", type = "purchase", memberId = id, occurredAt = T0.AddDays(-20), orderId = "O1", amount = 1000m },
            new { eventId = id + "-f1", type = "refund", memberId = id, occurredAt = T0.AddDays(-10), orderId = "O1", amount = 40m },
        ]);
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        using (var issued = await admin.PostAsJsonAsync($"api/v1/members/{id}/coupons", new { grantId = "zh-kind", offerId = "goodwill", kind = "no_threshold", value = 15.00m, validDays = 7 }, ConsoleHostFixture.Json))
        {
            Assert.True(issued.IsSuccessStatusCode, await issued.Content.ReadAsStringAsync());
        }

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, "zh-CN");
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });

        var downgrade = page.GetByTestId("ledger-table").Locator("tbody tr").Filter(new() { HasText = "(tier.downgrade.refund)" }).First;
        await downgrade.WaitForAsync(new() { Timeout = WaitMs, State = WaitForSelectorState.Attached });
        var reason = downgrade.Locator("td").Nth(6);
        // In the page's zone (Asia/Shanghai): the row may render in UTC before the browser's zone is known, and follows it.
        await Assertions.Expect(reason).ToHaveTextAsync("V2 → V1：订单 O1 于 2026-02-28 12:00 的退款（迟到事件）使近期成长值 960 低于 1000", new() { Timeout = WaitMs });
        Assert.Equal("V2 → V1: refund on order O1 at 2026-02-28T04:00:00+00:00 (a late event) left trailing growth 960 below 1000", await reason.GetAttributeAsync("title"));

        await page.Locator(".mud-tab").Filter(new() { HasText = "权益" }).First.ClickAsync();
        var coupon = page.GetByTestId("coupons-table").Locator("tbody tr").Filter(new() { HasText = "15.00 CNY" }).First;
        await coupon.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("无门槛券", (await coupon.Locator("td").Nth(1).InnerTextAsync()).Trim());

        // An adjustment without a reason: the API's rule, in Chinese, with its limit.
        await Input(page, "adjust-delta").FillAsync("30");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var form = page.GetByTestId("adjust-form");
        await form.GetByText("原因: 必填，1–200 个字符").WaitForAsync(new() { Timeout = WaitMs });
        Assert.DoesNotContain("required", await form.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberAuditDetailInstantsShowInThePageZoneToTheSecond()
    {
        // As PointValueEndpoints stores it: the instant in UTC, round-trip format (seven decimals).
        var change = "audit-zone-" + Guid.NewGuid().ToString("N")[..8];
        await host.Audit.AppendAsync(new Engagement.Contracts.Audit.AuditEntry
        {
            AuditId = "point-value|" + change,
            At = host.Services.GetRequiredService<TimeProvider>().GetUtcNow(), // the clock the audit page reads its 30 days by
            Actor = "Li Lei",
            Role = "admin",
            Action = "programme.point-value",
            Target = change,
            Detail = "0.02 CNY per point from 2026-12-05T06:17:27.4053937+00:00",
            Reason = "zone check",
        });

        foreach (var (locale, shown) in new[] { ("zh-CN", "每积分 0.02 CNY，自 2026-12-05 14:17:27 起"), ("en-US", "0.02 CNY per point from 2026-12-05 14:17:27") })
        {
            var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
            await GoAsync(page, "console/audit");
            var row = page.GetByTestId("audit-table").Locator("tr", new() { HasText = change });
            await row.WaitForAsync(new() { Timeout = WaitMs });
            var what = row.Locator("td").Nth(4);
            await Assertions.Expect(what).ToHaveTextAsync(shown, new() { Timeout = WaitMs, UseInnerText = true });
            Assert.Equal("0.02 CNY per point from 2026-12-05T06:17:27.4053937+00:00", await what.Locator("[title]").GetAttributeAsync("title"));
        }
    }

    [Fact]
    public async Task MemberPhoneShowsMaskedForSupportAndWholeForAnAdmin()
    {
        var id = "MP" + Guid.NewGuid().ToString("N")[..10];
        var phone = "137" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-30), regionId = "east" },
            new { eventId = id + "-p", type = "profile_update", memberId = id, occurredAt = T0.AddDays(-29), properties = new Dictionary<string, string> { ["phone"] = phone } },
        ]);

        foreach (var (key, shown) in new[] { (ConsoleHostFixture.SupportKey, phone[..3] + "****" + phone[^4..]), (ConsoleHostFixture.AdminKey, phone) })
        {
            var page = await host.NewPageAsync();
            await SignInAsync(page, key);

            // The member index is written after the member's state: the page is read again until it has the row.
            await Eventually.ReturnsAsync(
                async () =>
                {
                    await GoAsync(page, $"console/members/{id}");
                    return (await page.GetByTestId("member-phone").InnerTextAsync(new() { Timeout = WaitMs })).Trim();
                },
                text => text != "–",
                WaitTime,
                $"the phone of {id} on the member page");
            Assert.Equal(shown, (await page.GetByTestId("member-phone").InnerTextAsync()).Trim());
            if (key == ConsoleHostFixture.SupportKey)
            {
                Assert.DoesNotContain(phone, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task MemberSearchFindsTheHolderOfACouponCode()
    {
        // A member with no phone: the holder is found by the code alone.
        var (id, code) = await IssueFoundCouponAsync("MQ");

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");

        // As read to an agent over the phone: lower case, in groups of four.
        var typed = string.Join("-", code.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
        await Input(page, "member-search").FillAsync(typed);
        var row = page.Locator("tr", new() { Has = page.GetByText(id, new() { Exact = true }) });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("coupon code", (await row.Locator("td").Nth(3).InnerTextAsync()).Trim());

        // The holder's own index row is read with limit 1 (its id sorts first among the ids it begins), not 50.
        Assert.Equal([1], host.Search.LimitsAskedFor(id).Distinct());
        await row.GetByTestId("hit").ClickAsync();
        Assert.Equal($"Member {id}", (await page.GetByTestId("member-title").InnerTextAsync(new() { Timeout = WaitMs })).Trim());
    }

    [Fact]
    public async Task AHolderWhoseIndexRowCannotBeReadIsStillListedByIdWithAWarningNotBlamedOnTheMemberIndex()
    {
        var (id, code) = await IssueFoundCouponAsync("MR");
        host.Search.FailNext(id, what => new TimeoutException(what));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");
        await Input(page, "member-search").FillAsync(code);

        // The directory found the holder: listed by id (found by the coupon code), with the row's read said to have failed.
        var row = page.Locator("tr", new() { Has = page.GetByText(id, new() { Exact = true }) });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal("coupon code", (await row.Locator("td").Nth(3).InnerTextAsync()).Trim());
        await Assertions.Expect(page.GetByTestId("holder-row-failed")).ToContainTextAsync("listed by id only", new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("search-failed").CountAsync());
        Assert.DoesNotContain("member index", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal([1], host.Search.LimitsAskedFor(id).Distinct());
    }

    [Fact]
    public async Task ACouponDirectoryThatDoesNotAnswerIsSaidSoNotBlamedOnTheMemberIndex()
    {
        var (id, code) = await IssueFoundCouponAsync("MX");
        host.MemberCalls.FailNextCouponLookup(Engagement.Domain.Offers.CouponCodes.Normalize(code)!, what => new TimeoutException(what));

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, "console/members");
        await Input(page, "member-search").FillAsync(code);

        await Assertions.Expect(page.GetByTestId("coupon-lookup-failed")).ToContainTextAsync("the coupon directory did not answer", new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("search-failed").CountAsync());
        Assert.DoesNotContain("member index", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);

        // Typing again looks the code up again: the holder is found and the warning is gone.
        await Input(page, "member-search").FillAsync(code + " ");
        var row = page.Locator("tr", new() { Has = page.GetByText(id, new() { Exact = true }) });
        await row.WaitForAsync(new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("coupon-lookup-failed").CountAsync());
    }

    // A registered member (no phone) with a coupon issued, once GET /coupons/{code} finds its holder.
    private async Task<(string MemberId, string Code)> IssueFoundCouponAsync(string prefix)
    {
        var id = prefix + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync([new { eventId = id + "-r", type = "register", memberId = id, occurredAt = T0.AddDays(-10), regionId = "east" }]);
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        using var issued = await admin.PostAsJsonAsync($"api/v1/members/{id}/coupons", new { grantId = "where-is-it", offerId = "goodwill", kind = "no_threshold", value = 15.00m, validDays = 7 }, ConsoleHostFixture.Json);
        Assert.True(issued.IsSuccessStatusCode, await issued.Content.ReadAsStringAsync());
        var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(ConsoleHostFixture.Json))!["code"]!.GetValue<string>();

        // The directory row leaves through the member's outbox: the API finds the holder once it is written.
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var found = await admin.GetAsync($"api/v1/coupons/{code}");
                return found.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            WaitTime,
            $"coupon {code} in the directory");
        return (id, code);
    }
}
