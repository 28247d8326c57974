using System.Net;
using System.Security.Claims;
using Engagement.Api.Security;
using Engagement.Console.Hosting;
using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>Who may open which console page: the same roles the API asks for the page's data.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleAccessTests(ConsoleHostFixture host)
{
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
        await page.WaitForURLAsync("**/console/signin?refused=1", new() { Timeout = WaitMs });
        Assert.Equal(
            "That key is valid, but its role cannot use the console: the console is for support, marketing and admin keys. A store key works through the API (a till's member lookup, coupon and points redemptions).",
            await page.GetByTestId("signin-refused").InnerTextAsync());
        Assert.Equal(0, await page.GetByTestId("signin-failed").CountAsync());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name.StartsWith("engagement.console", StringComparison.Ordinal));

        foreach (var path in new[] { "console", "console/programme", "console/members" })
        {
            await page.GotoAsync(path);
            await page.WaitForURLAsync("**/console/signin**", new() { Timeout = WaitMs });
            Assert.Equal(0, await page.GetByTestId("programme-how-counted").CountAsync());
        }

        // In the viewer's language.
        var chinese = await host.NewPageAsync(locale: "zh-CN");
        await chinese.GotoAsync("console/signin");
        await chinese.GetByTestId("signin-key").FillAsync(ConsoleHostFixture.StoreKey);
        await chinese.GetByTestId("signin-submit").ClickAsync();
        await chinese.WaitForURLAsync("**/console/signin?refused=1", new() { Timeout = WaitMs });
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

    private static ClaimsPrincipal Session(ApiKeyOptions keys, string key)
    {
        var principal = ApiKeyIdentity.Principal(keys.Keys[key], "test")!;
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(ConsoleSessions.KeyHashClaim, ApiKeyHashes.Hash(key)));
        return principal;
    }
}
