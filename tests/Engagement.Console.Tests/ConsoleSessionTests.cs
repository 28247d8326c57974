using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>A console session lasts only as long as its key: revoked or downgraded keys end it on the next page.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleSessionTests(ConsoleHostFixture host) : BrowserTest
{
    /// <inheritdoc />
    protected override ConsoleHostFixture Host => host;

    [Fact]
    public async Task ASessionOfARevokedKeyGoesBackToSignIn()
    {
        var key = "console-test-revoked-" + Guid.NewGuid().ToString("N")[..8];
        host.Keys.SetKey(key, "admin:Li Lei");
        try
        {
            var page = await host.NewPageAsync();
            await SignInAsync(page, key);
            await GoAsync(page, "console/members");
            Assert.EndsWith("/console/members", page.Url, StringComparison.Ordinal);

            host.Keys.SetKey(key, null);
            await page.GotoAsync("console/members");
            await ExpectUrlAsync(page, new("/console/signin"));
            await page.GotoAsync("console/audit");
            await ExpectUrlAsync(page, new("/console/signin"));
        }
        finally
        {
            host.Keys.SetKey(key, null);
        }
    }

    [Fact]
    public async Task ASessionOfAKeyDowngradedFromAdminLosesAdminPagesOnTheNextPage()
    {
        var key = "console-test-downgraded-" + Guid.NewGuid().ToString("N")[..8];
        host.Keys.SetKey(key, "admin:Li Lei");
        try
        {
            var page = await host.NewPageAsync();
            await SignInAsync(page, key);
            await GoAsync(page, "console/campaigns");
            Assert.EndsWith("/console/campaigns", page.Url, StringComparison.Ordinal);

            // Now a support key: the admin session ends; signed in again, it is support's.
            host.Keys.SetKey(key, "support:Li Lei");
            await page.GotoAsync("console/campaigns");
            await ExpectUrlAsync(page, new("/console/signin"));
            await SignInAsync(page, key);
            await page.GotoAsync("console/campaigns");
            await ExpectUrlAsync(page, new("/console/denied"));
        }
        finally
        {
            host.Keys.SetKey(key, null);
        }
    }

    [Fact]
    public async Task ASharedSignInThatExpiredSignsInAgainInsteadOfLandingOnTheSignInPage()
    {
        // The key's shared session works now (signed in by this page or an earlier test's).
        var before = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(before, "console/members");
        Assert.EndsWith("/console/members", before.Url, StringComparison.Ordinal);
        var shared = await before.Context.CookiesAsync();
        await before.Context.CloseAsync();

        // 9 hours on the clock the session cookie is checked by (8 h sliding, ConsoleHostingExtensions): that session has
        // ended, as it would mid-suite in a long run or one under scripts/test --at. A page of the same key still opens
        // its page signed in, never on the sign-in form (where GoAsync would wait for a circuit in vain).
        host.SessionClock.Advance(TimeSpan.FromHours(9));
        try
        {
            // The premise: that session's cookie alone now lands on the sign-in page.
            var expired = await host.NewPageAsync();
            await expired.Context.AddCookiesAsync(shared.Select(c => new Microsoft.Playwright.Cookie
            {
                Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
            }));
            await expired.GotoAsync("console/members");
            await ExpectUrlAsync(expired, new("/console/signin"));
            await expired.Context.CloseAsync();

            var after = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
            await GoAsync(after, "console/members");
            Assert.EndsWith("/console/members", after.Url, StringComparison.Ordinal);
            await after.Context.CloseAsync();
        }
        finally
        {
            host.SessionClock.Reset();
        }
    }
}
