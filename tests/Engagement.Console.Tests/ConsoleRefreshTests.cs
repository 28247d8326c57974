using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>
/// An action the engine confirmed whose page reload then fails: the form reports the action as done and the page as out
/// of date, never "not confirmed", and offers nothing to send again.
/// </summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleRefreshTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    private const string RefreshFailed = "The page could not refresh to show it";

    // Orleans' response timeout, or a storage SDK timeout behind the read (a TaskCanceledException nobody asked for).
    private static Func<string, Exception> Fault(string failure) =>
        failure == "storage timeout" ? what => new TaskCanceledException(what) : what => new TimeoutException(what);

    [Theory]
    [InlineData("timeout")]
    [InlineData("storage timeout")]
    public async Task AnAppliedAdjustmentWhoseReloadFailsSaysDoneAndThatThePageIsStaleNotUnconfirmed(string failure)
    {
        var (id, page) = await OpenSeededMemberAsync(host, "ARF", "adjust-form");

        // The member applies +500 and answers; the page's reload of the member (its ledger read) then fails. Armed once the
        // page's own opening reads are over, so the fault cannot take one of those instead.
        await WaitForMemberReadsAsync(page);
        host.MemberCalls.FailNextLedgerRead(id, Fault(failure));
        await Input(page, "adjust-delta").FillAsync("500");
        await Input(page, "adjust-reason").FillAsync("goodwill for a lost parcel");
        await page.GetByTestId("adjust-submit").ClickAsync();
        var shown = page.GetByTestId("adjust-message");
        await Assertions.Expect(shown).ToContainTextAsync(RefreshFailed, new() { Timeout = WaitMs });
        var text = await shown.InnerTextAsync();
        Assert.Contains("Done. Balance now 740.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not confirmed", text, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("page-error").CountAsync());

        // Nothing is held for a retry: the form is free for the next adjustment, and a reload offers nothing pending.
        Assert.True(await Input(page, "adjust-delta").IsEditableAsync());
        Assert.Equal("0", await Input(page, "adjust-delta").InputValueAsync());
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("points")).ToHaveTextAsync("740", new() { Timeout = WaitMs });
        await Assertions.Expect(shown).ToHaveCountAsync(0, new() { Timeout = WaitMs });
        Assert.Single(await ReadAuditAsync(host, id, "member.adjustment"));
        await ScreenshotAsync(page, "adjust-refresh-failed-" + failure.Replace(' ', '-'));
    }

    [Fact]
    public async Task ASavedConsentChangeWhoseReloadFailsSaysSavedAndThatThePageIsStaleNotUnconfirmed()
    {
        var (id, page) = await OpenSeededMemberAsync(host, "CRF", "consent-form");

        // The fault takes the first ledger read sent after the consent change was answered (the page's reload), not one of
        // the page's own opening reads.
        await WaitForMemberReadsAsync(page);
        host.MemberCalls.FailLedgerReadAfterConsent(id, Fault("timeout"));
        await page.GetByTestId("consent-sms").ClickAsync();
        await Input(page, "consent-reason").FillAsync("member asked: no SMS");
        await page.GetByTestId("consent-submit").ClickAsync();
        var shown = page.GetByTestId("consent-message");
        await Assertions.Expect(shown).ToContainTextAsync(RefreshFailed, new() { Timeout = WaitMs });
        var text = await shown.InnerTextAsync();
        Assert.Contains("Saved: sms: no.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not confirmed", text, StringComparison.Ordinal);
        Assert.Single(await ReadAuditAsync(host, id, "member.consent"));

        // Nothing is kept for a retry: after a reload the switch shows the stored "no" and no change is pending.
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByTestId("consent-chip-sms")).ToHaveTextAsync("sms: no", new() { Timeout = WaitMs });
        await Assertions.Expect(shown).ToHaveCountAsync(0, new() { Timeout = WaitMs });
    }

    [Fact]
    public async Task ACouponReissueWhoseReloadFailsSaysTheNewCouponAndThatThePageIsStaleNotUnconfirmed()
    {
        var (id, code, page, admin) = await OpenCouponReissueAsync(host, "RRF");
        using var api = admin;
        await Input(page, "reissue-reason").FillAsync("member lost the paper coupon");

        // The fault takes the first ledger read sent after the reissue was answered (the page's reload), not one of the
        // page's own opening reads.
        await WaitForMemberReadsAsync(page);
        host.MemberCalls.FailLedgerReadAfterReissue(id, Fault("timeout"));
        await page.GetByTestId("reissue-submit").ClickAsync();
        var shown = page.GetByTestId("reissue-message");
        await Assertions.Expect(shown).ToContainTextAsync(RefreshFailed, new() { Timeout = WaitMs });
        var coupons = await api.GetFromJsonAsync<JsonArray>($"api/v1/members/{id}/coupons", ConsoleHostFixture.Json);
        var fresh = Assert.Single(coupons!, c => c!["status"]!.GetValue<string>() == "issued")!["code"]!.GetValue<string>();
        var text = await shown.InnerTextAsync();
        Assert.Contains($"Done. New coupon {fresh}.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not confirmed", text, StringComparison.Ordinal);
        Assert.Single(await ReadAuditAsync(host, id, "member.coupon_reissue"));

        // Nothing is kept for a retry: after a reload no reissue form reopens for the old coupon.
        await page.ReloadAsync();
        await WaitForCircuitAsync(page);
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await page.Locator(".mud-tab").Filter(new() { HasText = "Benefits" }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("coupons-table")).ToContainTextAsync(fresh, new() { Timeout = WaitMs });
        Assert.Equal(0, await page.GetByTestId("reissue-form").CountAsync());
        Assert.NotEqual(code, fresh);
    }
}
