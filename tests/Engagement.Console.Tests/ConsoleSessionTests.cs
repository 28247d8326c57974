using static Engagement.Console.Tests.ConsolePages;

namespace Engagement.Console.Tests;

/// <summary>A console session lasts only as long as its key: revoked or downgraded keys end it on the next page.</summary>
[Collection(ConsoleHostCollection.Name)]
public sealed class ConsoleSessionTests(ConsoleHostFixture host)
{
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
            await page.WaitForURLAsync("**/console/signin**", new() { Timeout = WaitMs });
            await page.GotoAsync("console/audit");
            await page.WaitForURLAsync("**/console/signin**", new() { Timeout = WaitMs });
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
            await page.WaitForURLAsync("**/console/signin**", new() { Timeout = WaitMs });
            await SignInAsync(page, key);
            await page.GotoAsync("console/campaigns");
            await page.WaitForURLAsync("**/console/denied**", new() { Timeout = WaitMs });
        }
        finally
        {
            host.Keys.SetKey(key, null);
        }
    }
}
