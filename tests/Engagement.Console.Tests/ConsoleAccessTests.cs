using System.Net;
using System.Security.Claims;
using Engagement.Api.Security;
using Engagement.Console.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Who may open which console page: the same roles the API asks for the page's data.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleAccessTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task AStoreKeyIsRefusedAtSignInSayingWhichRolesMayUseTheConsole()
    {
        // The API refuses the store key everything a console page reads: programme health, member search, campaigns.
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.StoreKey);
        foreach (var path in new[] { "api/v1/programme/health", "api/v1/members?q=M0", "api/v1/campaigns" })
        {
            using var refused = await api.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // So the console refuses the key at sign-in, saying who may sign in, and opens no session: it used to sign the
        // key in to a console whose every page but Home said "Not allowed".
        var page = await host.NewPageAsync();
        await page.GotoAsync("console/signin");
        await page.GetByTestId("signin-key").FillAsync(ConsoleHostFixture.StoreKey);
        await page.GetByTestId("signin-submit").ClickAsync();
        await ExpectUrlEndsWithAsync(page, "/console/signin?refused=1");
        Assert.Equal(
            "That key is valid, but its role cannot use the console: the console is for support, marketing and admin keys. A store key works through the API (a till's member lookup, coupon and points redemptions).",
            await page.GetByTestId("signin-refused").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("signin-failed").CountAsync());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name.StartsWith("engagement.console", StringComparison.Ordinal));

        foreach (var path in new[] { "console", "console/programme", "console/members" })
        {
            await page.GotoAsync(path);
            await ExpectUrlAsync(page, new("/console/signin"));
            Assert.Equal(0, await page.GetByTestId("programme-how-counted").CountAsync());
        }

        // In the viewer's language.
        var chinese = await host.NewPageAsync(locale: "zh-CN");
        await chinese.GotoAsync("console/signin");
        await chinese.GetByTestId("signin-key").FillAsync(ConsoleHostFixture.StoreKey);
        await chinese.GetByTestId("signin-submit").ClickAsync();
        await ExpectUrlEndsWithAsync(chinese, "/console/signin?refused=1");
        Assert.Contains("控制台仅供客服、营销和管理员密钥使用", await chinese.GetByTestId("signin-refused").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void AStoreSessionOpenedBeforeStoreKeysWereRefusedIsNoLongerCurrent()
    {
        // A cookie issued to a store key by an earlier version holds a valid key's hash, role and name: the session ends
        // (the cookie check and the open page's revalidation both ask IsCurrent), as it would for a revoked key.
        var keys = new ApiKeyOptions();
        keys.Keys["till-key"] = "store:POS S001@S001";
        keys.Keys["support-key"] = "support:Wang Fang";
        Assert.False(ConsoleSessions.IsCurrent(keys, Session(keys, "till-key")));
        Assert.True(ConsoleSessions.IsCurrent(keys, Session(keys, "support-key")));
        Assert.Null(ConsoleSessions.SignIn(keys, "unknown-key", "test"));
        Assert.False(ConsoleSessions.MayUseConsole(ConsoleSessions.SignIn(keys, "till-key", "test")!));
        Assert.True(ConsoleSessions.MayUseConsole(ConsoleSessions.SignIn(keys, "support-key", "test")!));
    }

    [Fact]
    public async Task ABrowserStillHoldingAStoreSessionIsSignedOutWithTheSignInRefusalAndItsCookieCleared()
    {
        const string Refusal = "That key is valid, but its role cannot use the console: the console is for support, marketing and admin keys. A store key works through the API (a till's member lookup, coupon and points redemptions).";
        // Each answer as it is (no redirect followed, no cookie kept): the cookie is sent by hand.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.Address };

        // The forged cookie is a session the host takes: a support key's, made the same way, opens the page.
        using (var support = await GetAsync(client, "console/members", SessionCookie(ConsoleHostFixture.SupportKey)))
        {
            Assert.Equal(HttpStatusCode.OK, support.StatusCode);
        }

        // A browser that kept the cookie a store key's sign-in got before such keys were refused: it is sent to sign-in
        // with the refusal (it used to land on the bare form, ?ReturnUrl=…, saying nothing), its cookie cleared.
        var logged = host.Logs.Events.Count;
        var storeCookie = SessionCookie(ConsoleHostFixture.StoreKey);
        using var page = await GetAsync(client, "console/members", storeCookie);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        var signIn = new Uri(client.BaseAddress!, page.Headers.Location!);
        Assert.Equal("/console/signin?refused=1", signIn.PathAndQuery);
        AssertSessionCookieCleared(page);

        // Where it lands (without the cookie, now cleared): the sign-in refusal's words, and one Information line.
        using (var landed = await GetAsync(client, signIn.PathAndQuery, cookie: null))
        {
            Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
            var html = await landed.Content.ReadAsStringAsync();
            Assert.Equal(Refusal, RefusedText(html));

            // Its language links come back to the refusal, not to the bare form (they used to drop ?refused=1).
            using var switched = await GetAsync(client, LanguageLink(html, "lang-zh"), cookie: null);
            Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
            Assert.Equal("/console/signin?refused=1", new Uri(client.BaseAddress!, switched.Headers.Location!).PathAndQuery);
            Assert.Equal("/console/signin?refused=1", LanguageRedirect(html, "lang-en"));
        }

        var ended = Assert.Single(host.Logs.Events.Skip(logged), e => e.MessageTemplate.Text.StartsWith("Console session of a", StringComparison.Ordinal));
        Assert.Equal(Serilog.Events.LogEventLevel.Information, ended.Level);
        Assert.Equal("Console session of a \"store\" key (\"POS S001\") ended: that role may not use the console (the session was opened before such keys were refused at sign-in); its cookie is removed and the sign-in page says why", ended.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));

        // The same cookie brought to the sign-in page itself: cleared there, with the same words.
        using var direct = await GetAsync(client, "console/signin", storeCookie);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        var directHtml = await direct.Content.ReadAsStringAsync();
        Assert.Equal(Refusal, RefusedText(directHtml));
        Assert.Equal("/console/signin?refused=1", LanguageRedirect(directHtml, "lang-zh"));
        AssertSessionCookieCleared(direct);

        // The plain sign-in page's language links come back to the plain form.
        using (var plain = await GetAsync(client, "console/signin", cookie: null))
        {
            var plainHtml = await plain.Content.ReadAsStringAsync();
            Assert.Null(RefusedText(plainHtml));
            Assert.Equal("/console/signin", LanguageRedirect(plainHtml, "lang-en"));
        }

        // A revoked key's session still goes to the bare sign-in form: the refusal is only for a role the console refuses.
        var revoked = "console-test-revoked-" + Guid.NewGuid().ToString("N")[..8];
        host.Keys.SetKey(revoked, "support:Li Lei");
        var revokedCookie = SessionCookie(revoked);
        host.Keys.SetKey(revoked, null);
        using var stale = await GetAsync(client, "console/members", revokedCookie);
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.DoesNotContain("refused", new Uri(client.BaseAddress!, stale.Headers.Location!).Query, StringComparison.Ordinal);
        AssertSessionCookieCleared(stale);
    }

    [Fact]
    public async Task AFailedSignInKeepsItsMessageAcrossALanguageSwitch()
    {
        // An unknown key: the page says so, and switching language says it again in the other (the links used to come
        // back to the bare form, ?refused=1 alone kept).
        var page = await host.NewPageAsync();
        await page.GotoAsync("console/signin");
        await page.GetByTestId("signin-key").FillAsync("console-test-unknown-" + Guid.NewGuid().ToString("N")[..8]);
        await page.GetByTestId("signin-submit").ClickAsync();
        await ExpectUrlEndsWithAsync(page, "/console/signin?failed=1");
        Assert.Equal("That key is not known.", await page.GetByTestId("signin-failed").InnerTextAsync());

        // The page was at this URL before the click: checked only once the other language's page shows (checked at once,
        // it held before the switch had even begun).
        await page.GetByTestId("lang-zh").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("signin-failed")).ToHaveTextAsync("无效的密钥。", new() { Timeout = WaitMs });
        await ExpectUrlEndsWithAsync(page, "/console/signin?failed=1");
        Assert.Equal(0, await page.GetByTestId("signin-refused").CountAsync());

        await page.GetByTestId("lang-en").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("signin-failed")).ToHaveTextAsync("That key is not known.", new() { Timeout = WaitMs });
        Assert.EndsWith("/console/signin?failed=1", page.Url, StringComparison.Ordinal);

        // Both messages showing (a failed sign-in, then a store session's cookie ended on that page): both kept.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.Address };
        using var both = await GetAsync(client, "console/signin?failed=1&refused=1", cookie: null);
        Assert.Equal("/console/signin?failed=1&refused=1", LanguageRedirect(await both.Content.ReadAsStringAsync(), "lang-zh"));
    }

    /// <summary>The console cookie the host would issue at <paramref name="key"/>'s sign-in, made with its own ticket format (no role check).</summary>
    private string SessionCookie(string key)
    {
        var keys = host.Services.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue;
        var principal = ConsoleSessions.SignIn(keys, key, ConsoleHostingExtensions.CookieScheme)!;
        var cookies = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(ConsoleHostingExtensions.CookieScheme);
        var now = host.SessionClock.GetUtcNow();
        var properties = new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(8) };
        return cookies.TicketDataFormat.Protect(new AuthenticationTicket(principal, properties, ConsoleHostingExtensions.CookieScheme));
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", "engagement.console=" + cookie);
        }

        return await client.SendAsync(request);
    }

    private static void AssertSessionCookieCleared(HttpResponseMessage response)
    {
        var cleared = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("engagement.console=", StringComparison.Ordinal));
        Assert.StartsWith("engagement.console=;", cleared, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The text of the sign-in page's refusal (<c>signin-refused</c>), or null when it shows none.</summary>
    private static string? RefusedText(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"signin-refused\">([^<]*)<");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    /// <summary>The href of the sign-in page's language link <paramref name="testId"/> (<c>lang-en</c>, <c>lang-zh</c>).</summary>
    private static string LanguageLink(string html, string testId)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]*)\" data-testid=\"" + testId + "\"");
        Assert.True(match.Success, $"no {testId} link");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Where the language link <paramref name="testId"/> comes back to (its <c>redirect</c>, decoded).</summary>
    private static string LanguageRedirect(string html, string testId)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + LanguageLink(html, testId)).Query);
        return query["redirect"]!;
    }

    private static ClaimsPrincipal Session(ApiKeyOptions keys, string key)
    {
        var principal = ApiKeyIdentity.Principal(keys.Keys[key], "test")!;
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(ConsoleSessions.KeyHashClaim, ApiKeyHashes.Hash(key)));
        return principal;
    }
}
