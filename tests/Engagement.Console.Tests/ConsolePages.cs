using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Engagement.Console.Tests;

/// <summary>What every browser test does: sign in, wait for the interactive circuit, type into MudBlazor inputs, save a screenshot.</summary>
public static partial class ConsolePages
{
    /// <summary>
    /// The deadline of every wait for something to appear (never a pause: a wait ends as soon as it holds). 60 s: at 30 s
    /// a first sign-in and a campaign's Create navigation each once ran out on the 2-core CI machine with three console
    /// hosts and their browsers busy.
    /// </summary>
    public static readonly float WaitMs = 60_000;

    /// <summary>
    /// <see cref="WaitMs"/> as a span: the deadline of a test's wait for work no page element shows (<see cref="Eventually"/>,
    /// a test hook being reached), so no such wait gives up sooner than the page waits beside it.
    /// </summary>
    public static readonly TimeSpan WaitTime = TimeSpan.FromMilliseconds(WaitMs);

    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("console/signin");
        await page.GetByTestId("signin-key").FillAsync(key);
        await page.GetByTestId("signin-submit").ClickAsync();
        await ExpectUrlAsync(page, ConsoleHome());
        await WaitForCircuitAsync(page);
    }

    /// <summary>
    /// Waits until the page's URL matches <paramref name="url"/>, polling it (<c>Expect(page).ToHaveURLAsync</c>) up to
    /// <see cref="WaitMs"/>: not <c>WaitForURLAsync</c>, which waits for a navigation event and on a loaded machine missed
    /// one that happened before the wait began (a click's navigation racing it). A URL the page already had before the
    /// action passes at once: the caller checks such a URL only after something the new page alone shows.
    /// </summary>
    public static Task ExpectUrlAsync(IPage page, Regex url) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new() { Timeout = WaitMs });

    /// <summary>
    /// Waits as <see cref="ExpectUrlAsync(IPage, Regex)"/> until the page's URL ends with <paramref name="end"/> (a path and
    /// maybe its query, taken literally), as the glob <c>**</c> + <paramref name="end"/> would match it.
    /// </summary>
    public static Task ExpectUrlEndsWithAsync(IPage page, string end) =>
        ExpectUrlAsync(page, new Regex(Regex.Escape(end) + "$"));

    /// <summary>Waits until the layout marks the page interactive (the Blazor circuit rendered it).</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = WaitMs });

    /// <summary>
    /// Waits until the member page's caption names <paramref name="zone"/>: the page reads the browser's zone after its
    /// first interactive render and shows times in UTC until then, so a time read once before this may still be UTC.
    /// </summary>
    public static Task WaitForMemberZoneAsync(IPage page, string zone = "Asia/Shanghai") =>
        Assertions.Expect(page.GetByTestId("member-zone")).ToContainTextAsync(zone, new() { Timeout = WaitMs });

    public static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitForCircuitAsync(page);
    }

    /// <summary>
    /// Seeds a member (<paramref name="prefix"/> and a fresh suffix) registered in region east 10 days before the
    /// fixture's start and one 120 CNY purchase 5 days before it (240 points), signs in as support and opens the member's
    /// page until <paramref name="waitFor"/> shows.
    /// </summary>
    public static async Task<(string MemberId, IPage Page)> OpenSeededMemberAsync(ConsoleHostFixture host, string prefix, string waitFor, string locale = "en-US")
    {
        ArgumentNullException.ThrowIfNull(host);
        var id = prefix + Guid.NewGuid().ToString("N")[..10];
        var t0 = ConsoleHostFixture.Now;
        await host.PostEventsAsync(
        [
            new { eventId = id + "-r", type = "register", memberId = id, occurredAt = t0.AddDays(-10), regionId = "east" },
            new { eventId = id + "-o", type = "purchase", memberId = id, occurredAt = t0.AddDays(-5), orderId = "O1", amount = 120m },
        ]);
        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey, locale);
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId(waitFor).WaitForAsync(new() { Timeout = WaitMs });
        return (id, page);
    }

    /// <summary>
    /// Waits until the member page's own opening reads are over: its ledger's rows (the last thing it reads) are on the
    /// page. Its forms show earlier, as soon as the member's view is read (the page renders again when it has learnt the
    /// browser's time zone, while the ledger, touches and phone are still being read), so a fault armed for "the next
    /// ledger read" when a form shows may take one of those reads instead of the one after the form's action.
    /// </summary>
    public static Task WaitForMemberReadsAsync(IPage page) =>
        page.GetByTestId("ledger-table").Locator("tbody tr").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = WaitMs });

    /// <summary>
    /// Registers a member (<paramref name="prefix"/> and a fresh suffix), issues them a CNY 15 goodwill coupon as admin,
    /// and opens their page's Benefits tab as support with that coupon's reissue form open. Returns the member, the
    /// coupon's code, the page and the admin client (the caller disposes it).
    /// </summary>
    public static async Task<(string MemberId, string Code, IPage Page, HttpClient Admin)> OpenCouponReissueAsync(ConsoleHostFixture host, string prefix)
    {
        ArgumentNullException.ThrowIfNull(host);
        var id = prefix + Guid.NewGuid().ToString("N")[..10];
        await host.PostEventsAsync([new { eventId = id + "-r", type = "register", memberId = id, occurredAt = ConsoleHostFixture.Now.AddDays(-10), regionId = "east" }]);
        var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", ConsoleHostFixture.AdminKey);
        using var issued = await api.PostAsJsonAsync($"api/v1/members/{id}/coupons", new { grantId = "lost-one", offerId = "goodwill", kind = "no_threshold", value = 15.00m, validDays = 7 }, ConsoleHostFixture.Json);
        var code = (await issued.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(ConsoleHostFixture.Json))!["code"]!.GetValue<string>();

        var page = await host.NewSignedInPageAsync(ConsoleHostFixture.SupportKey);
        await GoAsync(page, $"console/members/{id}");
        await page.GetByTestId("member-title").WaitForAsync(new() { Timeout = WaitMs });
        await page.Locator(".mud-tab").Filter(new() { HasText = "Benefits" }).First.ClickAsync();
        await page.GetByTestId("reissue-" + code).ClickAsync();
        return (id, code, page, api);
    }

    /// <summary>The input inside a MudBlazor field carrying <paramref name="testId"/> (or the input itself).</summary>
    public static ILocator Input(IPage page, string testId) =>
        page.Locator($"input[data-testid={testId}], [data-testid={testId}] input, textarea[data-testid={testId}], [data-testid={testId}] textarea").First;

    public static async Task ScreenshotAsync(IPage page, string name, bool forDocs = false)
    {
        var path = Path.Combine(ConsoleHostFixture.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, $"screenshot {name} is suspiciously small");

        // The pictures in docs/images (docs/console.md shows them) are refreshed on request only, so a test run leaves the tree clean.
        if (forDocs && Environment.GetEnvironmentVariable("CONSOLE_UPDATE_DOCS_IMAGES") == "1")
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Engagement.sln")))
            {
                root = root.Parent;
            }

            if (root is not null)
            {
                var docs = Directory.CreateDirectory(Path.Combine(root.FullName, "docs", "images"));
                File.Copy(path, Path.Combine(docs.FullName, name + ".png"), overwrite: true);
            }
        }
    }

    /// <summary>
    /// The audit rows of <paramref name="action"/> on <paramref name="target"/>, read as the audit page reads them: the week
    /// up to the host's time (the audit's clock, which is not the engine's pinned one).
    /// </summary>
    public static async Task<IReadOnlyList<Engagement.Contracts.Audit.AuditEntry>> ReadAuditAsync(ConsoleHostFixture host, string target, string action)
    {
        ArgumentNullException.ThrowIfNull(host);
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        return [.. (await host.Audit.ReadAsync(now.AddDays(-7), now.AddMinutes(1), 5_000)).Where(e => e.Target == target && e.Action == action)];
    }

    [GeneratedRegex("/console/?$")]
    private static partial Regex ConsoleHome();
}
