using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Engagement.Console.Tests;

/// <summary>
/// The real host (silo + API + console, Program.cs) on Kestrel over Azurite (from scripts/test), with the engine clock
/// pinned at <see cref="Now"/>, and one headless Debian Chromium driven by Playwright (never a downloaded browser).
/// </summary>
public class ConsoleHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SupportKey = "console-test-support";
    public const string MarketingKey = "console-test-marketing";
    public const string AdminKey = "console-test-admin";

    /// <summary>A store (POS) system's key: it may sign in, but sees none of the programme's data.</summary>
    public const string StoreKey = "console-test-store";

    /// <summary>A support key configured only by its SHA-256 (<c>Engagement:Api:KeyHashes</c>), as production holds keys.</summary>
    public const string HashedSupportKey = "console-test-hashed-support";
    public const string SupportName = "Wang Fang";

    /// <summary>The engine's pinned instant: 2026-03-10 12:00 in Asia/Shanghai, outside quiet hours.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 10, 4, 0, 0, TimeSpan.Zero);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The console's session cookie (Engagement.Console's cookie scheme; a large one would come in chunks of this name).</summary>
    private const string SessionCookie = "engagement.console";

    /// <summary>
    /// Chromium's <c>--disable-features</c>: the list Playwright 1.64 passes (chromiumSwitches, less its two Edge-only
    /// names; Chromium reads the last <c>--disable-features</c> only, so the list is repeated here) and
    /// <c>SpareRendererForSitePerProcess</c>. That feature keeps a spare renderer process started and initialised for a
    /// context's next navigation: a test's context makes one page, navigates and closes, so every context started one
    /// renderer more than it used (3 instead of 2 per context in a probe of Debian's Chromium 156).
    /// </summary>
    private const string DisabledFeatures = "--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,"
        + "DialMediaRouteProvider,GlobalMediaControls,HttpsUpgrades,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
        + "BlockOriginHeaderModificationOnRedirect,AvoidCorsURLLoaderRestartOnRedirect,Translate,AutoDeElevate,OptimizationHints,"
        + "NetworkTimeServiceQuerying,AimEnabled,SpareRendererForSitePerProcess";

    /// <summary>
    /// The browser the tests drive: Debian's <c>chromium-headless-shell</c> (scripts/browser-deps installs it), the
    /// headless build of the same Chromium that Playwright itself launches for headless tests, or the program that
    /// <c>ENGAGEMENT_TEST_CHROMIUM</c> names (e.g. <c>/usr/bin/chromium</c>, the full browser in its headless mode).
    /// Never a browser Playwright downloads. Measured on 44 tests of three classes (2-core machine, 2026-12-07):
    /// Chromium's CPU 197 CPU-s with <c>/usr/bin/chromium</c>, 73 with the headless shell; the same tests passed.
    /// </summary>
    public static string BrowserExecutable { get; } =
        Environment.GetEnvironmentVariable("ENGAGEMENT_TEST_CHROMIUM") is { Length: > 0 } named ? named : "/usr/bin/chromium-headless-shell";

    private readonly string _serviceId = "console-" + Guid.NewGuid().ToString("N")[..8];
    /// <summary>
    /// One host's cold start at a time (host, silo, Chromium and the first sign-in), as the collections of the pinned
    /// instant start side by side (AssemblyInfo.cs): cold starts together on 2 cores once held a first page load past its
    /// deadline.
    /// </summary>
    private static readonly SemaphoreSlim ColdStarts = new(1, 1);

    private readonly SemaphoreSlim _signIn = new(1, 1);
    private readonly Dictionary<string, Microsoft.Playwright.Cookie[]> _sessions = new(StringComparer.Ordinal);
    private IPlaywright? _playwright;

    // The browser contexts opened since the last CloseTestPagesAsync: the running test's (a collection runs its tests
    // one at a time, so each fixture's list holds one test's contexts).
    private readonly List<IBrowserContext> _openContexts = [];

    /// <summary>
    /// Every <c>Expect</c> that names no timeout waits <see cref="ConsolePages.WaitMs"/>, as the rest do, not Playwright's
    /// 5 s, which a loaded CI machine can outlast. Set before any fixture (so any page) exists.
    /// </summary>
    static ConsoleHostFixture() => Assertions.SetDefaultExpectTimeout(ConsolePages.WaitMs);

    public ConsoleHostFixture()
        : this(Now)
    {
    }

    /// <summary>A host whose engine clock starts at <paramref name="start"/> (a fixture of its own collection).</summary>
    protected ConsoleHostFixture(DateTimeOffset start) => Clock = new FakeTimeProvider(start);

    public FakeTimeProvider Clock { get; }

    /// <summary>Keys a test adds, changes or revokes while the host runs.</summary>
    public ReloadableKeys Keys { get; } = new();

    /// <summary>The host's audit log, which a test can make fail once (<see cref="FlakyAuditLog"/>).</summary>
    public FlakyAuditLog Audit => Services.GetRequiredService<FlakyAuditLog>();

    /// <summary>The host's member search, which a test can hold for one query (<see cref="GatedMemberSearch"/>).</summary>
    public GatedMemberSearch Search => Services.GetRequiredService<GatedMemberSearch>();

    /// <summary>The host's audience index, whose reads a test can make time out (<see cref="FlakyAudienceIndex"/>).</summary>
    public FlakyAudienceIndex AudienceIndex => Services.GetRequiredService<FlakyAudienceIndex>();

    /// <summary>The host's programme days reader, whose reads a test can make time out (<see cref="FlakyDaysReader"/>).</summary>
    public FlakyDaysReader DaysReader => Services.GetRequiredService<FlakyDaysReader>();

    /// <summary>The host's ledger archive, whose appends a test can make fail for a member (<see cref="FlakyLedgerArchive"/>).</summary>
    public FlakyLedgerArchive Ledger => Services.GetRequiredService<FlakyLedgerArchive>();

    /// <summary>Faults in the host's calls to campaign grains (<see cref="CampaignCallFaults"/>).</summary>
    public CampaignCallFaults CampaignCalls { get; } = new();

    /// <summary>Faults in the host's calls to member grains (<see cref="MemberCallFaults"/>).</summary>
    public MemberCallFaults MemberCalls { get; } = new();

    /// <summary>Faults in the host's reads of resolved alerts (<see cref="AlertCallFaults"/>).</summary>
    public AlertCallFaults AlertCalls { get; } = new();

    /// <summary>The clock the console's session cookies are issued and checked by (<see cref="Tests.SessionClock"/>).</summary>
    public SessionClock SessionClock { get; } = new();

    /// <summary>Every log event the host writes (<see cref="CapturedLogEvents"/>).</summary>
    public CapturedLogEvents Logs { get; } = new();

    public IBrowser Browser { get; private set; } = default!;

    public Uri Address { get; private set; } = default!;

    /// <summary>Where each test's full-page screenshot goes (the test results folder).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>
    /// Starts the host and its browser and signs in <see cref="SupportKey"/> once (the session most pages use), one host
    /// at a time across the test run (<see cref="ColdStarts"/>).
    /// </summary>
    public async Task InitializeAsync()
    {
        var queued = System.Diagnostics.Stopwatch.StartNew();
        await ColdStarts.WaitAsync();
        try
        {
            var waited = queued.Elapsed;
            var started = System.Diagnostics.Stopwatch.StartNew();
            UseKestrel(0);
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Address = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            Directory.CreateDirectory(ScreenshotDirectory);
            _playwright = await Playwright.CreateAsync();
            var hostUp = started.Elapsed;
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserExecutable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", DisabledFeatures],
            });

            // The host's first page load and Blazor circuit (the slowest of any, a cold host's) here, not in whichever
            // test comes first: the session is the one that test's NewSignedInPageAsync would open anyway.
            var browserUp = started.Elapsed;
            _sessions[SupportKey] = await SignInOnceAsync(SupportKey);

            // Where a collection's start goes, on the test host's output as the browser's lines are: the wait for the
            // hosts before it, the host and silo, Chromium, the first sign-in.
            System.Console.WriteLine(
                $"[console host {GetType().Name} {_serviceId}] waited {waited.TotalSeconds:0.0} s; host {hostUp.TotalSeconds:0.0} s, "
                + $"browser {(browserUp - hostUp).TotalSeconds:0.0} s, first sign-in {(started.Elapsed - browserUp).TotalSeconds:0.0} s");
        }
        finally
        {
            ColdStarts.Release();
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        _signIn.Dispose();
        await DisposeAsync();
    }

    /// <summary>A browser page in its own context (cookies), with the given language and time zone.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US", string timeZone = "Asia/Shanghai")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            Locale = locale,
            TimezoneId = timeZone,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },

            // The viewer's "reduce motion" setting, which the console honours (App.razor): no progress indicator, ripple
            // or popover animates, so Chromium's software compositor paints a frame when the page changes, not 60 a
            // second while a campaign counts; what the page shows, and where, is the same.
            ReducedMotion = ReducedMotion.Reduce,
        });

        lock (_openContexts)
        {
            _openContexts.Add(context);
        }

        // An action, wait or navigation that names no timeout waits as long as the rest (ConsolePages.WaitMs), not
        // Playwright's 30 s: at 30 s a first sign-in and a Create navigation once ran out on the loaded CI machine.
        context.SetDefaultTimeout(ConsolePages.WaitMs);
        context.SetDefaultNavigationTimeout(ConsolePages.WaitMs);
        var page = await context.NewPageAsync();

        // Browser-side failures end up in the test log, where a timeout alone would not explain them.
        page.Console += (_, m) =>
        {
            System.Console.WriteLine($"[browser {m.Type}] {m.Text}");
        };
        page.PageError += (_, e) => System.Console.WriteLine($"[browser page error] {e}");
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                System.Console.WriteLine($"[browser http {r.Status}] {r.Url}");
            }
        };
        return page;
    }

    /// <summary>
    /// Closes every browser context (so page and Blazor circuit) opened through this fixture since the last call: what the
    /// test that just ended left open (<see cref="BrowserTest"/> calls it when each test ends). A context already closed is
    /// skipped; the shared sign-in sessions stay (their cookies are kept apart from any context).
    /// </summary>
    public async Task CloseTestPagesAsync()
    {
        IBrowserContext[] open;
        lock (_openContexts)
        {
            open = [.. _openContexts];
            _openContexts.Clear();
        }

        foreach (var context in open)
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // Closed already, with its browser (a test that stopped the host).
            }
        }
    }

    /// <summary>
    /// A browser page as <see cref="NewPageAsync"/> (a context of its own), already signed in with <paramref name="key"/> and
    /// not yet navigated (the test goes to its page). The first such page of a key signs in through the form
    /// (<see cref="ConsolePages.SignInAsync"/>) in a context that is then closed; every page of that key gets only that
    /// session's cookie, so a test pays no sign-in of its own and shares nothing else with another test (no page, circuit,
    /// storage or other cookie). For the keys this host keeps as configured: a test that changes or revokes a key signs in
    /// itself (the session would end with the key, ConsoleSessions.IsCurrent). A session that has ended (8 h sliding on the
    /// host's clock, which a long run or one under <c>scripts/test --at</c> passes) is found before the page is handed over
    /// (the console home answers with the sign-in page) and the key signs in again, once for all its pages.
    /// </summary>
    public async Task<IPage> NewSignedInPageAsync(string key, string locale = "en-US", string timeZone = "Asia/Shanghai")
    {
        Microsoft.Playwright.Cookie[]? session;
        await _signIn.WaitAsync();
        try
        {
            if (!_sessions.TryGetValue(key, out session))
            {
                session = await SignInOnceAsync(key);
                _sessions[key] = session;
            }
        }
        finally
        {
            _signIn.Release();
        }

        var page = await NewPageAsync(locale, timeZone);
        await page.Context.AddCookiesAsync(session);
        if (await LandsOnSignInAsync(page))
        {
            // The shared session ended (8 h of the host's clock, a long run or one under scripts/test --at): sign in
            // again, once for every page that finds it ended, and give this page the new session.
            await _signIn.WaitAsync();
            try
            {
                if (ReferenceEquals(_sessions[key], session))
                {
                    _sessions[key] = await SignInOnceAsync(key);
                }

                session = _sessions[key];
            }
            finally
            {
                _signIn.Release();
            }

            await page.Context.ClearCookiesAsync();
            await page.Context.AddCookiesAsync(session);
        }

        return page;
    }

    // Whether the console home, asked with the page's cookies, answers with the sign-in page (the redirect the cookie
    // scheme gives a session it no longer accepts). A request of the page's context, not a navigation: the page is
    // handed over not yet navigated, and the context keeps any cookie the answer renews.
    private static async Task<bool> LandsOnSignInAsync(IPage page)
    {
        await using var response = await page.Context.APIRequest.GetAsync("console", new() { MaxRedirects = 0 });
        return response.Status is >= 300 and < 400
            && response.Headers.TryGetValue("location", out var location)
            && location.Contains("/console/signin", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<Microsoft.Playwright.Cookie[]> SignInOnceAsync(string key)
    {
        var page = await NewPageAsync();
        try
        {
            await ConsolePages.SignInAsync(page, key);
            var session = (await page.Context.CookiesAsync())
                .Where(c => c.Name.StartsWith(SessionCookie, StringComparison.Ordinal))
                .Select(c => new Microsoft.Playwright.Cookie
                {
                    Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires,
                    HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
                })
                .ToArray();
            Assert.NotEmpty(session);
            return session;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Posts events through the API as admin (applied before the answer) and expects 202. A 503 (the engine's "not now",
    /// a member's backlog on a loaded machine) is answered as a client should: the same events (so the same event ids,
    /// idempotent per CONTRACT.md §1) posted again after the answer's <c>Retry-After</c>, until
    /// <see cref="ConsolePages.WaitTime"/> has passed; each retry is written to the test output.
    /// </summary>
    public async Task PostEventsAsync(IEnumerable<object> events)
    {
        var batch = events.ToArray();
        using var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostAsJsonAsync("api/v1/events", batch, Json);
            var left = ConsolePages.WaitTime - deadline.Elapsed;
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || left <= TimeSpan.Zero)
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                return;
            }

            var retryAfter = RetryAfter(response);
            var wait = retryAfter < left ? retryAfter : left;
            System.Console.WriteLine(
                $"[console host {_serviceId}] POST api/v1/events ({batch.Length} events) answered 503 (attempt {attempt}, "
                + $"Retry-After {retryAfter.TotalSeconds:0.#} s): posting the same events again in {wait.TotalSeconds:0.#} s; "
                + await response.Content.ReadAsStringAsync());
            await Task.Delay(wait);
        }
    }

    // The wait a 503 asks for (Retry-After as seconds or as a date); 1 s when it names none.
    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } at ? at - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connection = Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("AZURE_STORAGE_CONNECTION_STRING is not set: run the tests with scripts/test (it starts Azurite).");
        builder.UseEnvironment("Production");

        // Not published: serve blazor.web.js and MudBlazor from their build-time locations, as Development does.
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:AzureStorage", connection);
        builder.UseSetting("Engagement:Silo:SiloPort", FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:GatewayPort", FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Engagement:Silo:ServiceId", _serviceId);
        builder.UseSetting("Engagement:Silo:ClusterId", _serviceId);
        builder.UseSetting("Engagement:Ingestion:QueueNamePrefix", "cons" + Guid.NewGuid().ToString("N")[..8]);
        // A campaign's fan-out reads every index shard twice (count, then deliver) and checkpoints after each: at the
        // default 64 shards that is 128 state writes even for an audience of 3, 30 s and more for one campaign on a
        // loaded 2-core machine. 8 shards (as the EndToEnd campaign hosts use) and a table of this host's own members
        // only (not every console host's that ran before in this Azurite) give the same outcome in a fraction of it.
        builder.UseSetting("Engagement:Campaigns:IndexShardCount", "8");
        builder.UseSetting("Engagement:Campaigns:MemberIndexTableName", "ConsIdx" + _serviceId["console-".Length..]);
        builder.UseSetting("Engagement:Offers:CouponSecret", "console-test-coupon-secret-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting($"Engagement:Api:Keys:{SupportKey}", "support:" + SupportName);
        builder.UseSetting($"Engagement:Api:Keys:{MarketingKey}", "marketing:Chen Jie");
        builder.UseSetting($"Engagement:Api:Keys:{AdminKey}", "admin");
        builder.UseSetting($"Engagement:Api:Keys:{StoreKey}", "store:POS S001");
        builder.UseSetting($"Engagement:Api:KeyHashes:{Engagement.Api.Security.ApiKeyHashes.Hash(HashedSupportKey)}", "support");
        builder.ConfigureAppConfiguration(configuration => configuration.Add(Keys));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAllKeyed<TimeProvider>("engagement");
            services.AddKeyedSingleton<TimeProvider>("engagement", Clock);
            services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(
                Engagement.Console.Hosting.ConsoleHostingExtensions.CookieScheme, o => o.TimeProvider = SessionClock);

            // The registered audit log, member search, audience index, days reader and ledger archive, each wrapped so a
            // test can make it fail or hold (a write or read, a query, a member's appends).
            Wrap<Engagement.Contracts.Audit.IAuditLog, FlakyAuditLog>(services, inner => new FlakyAuditLog(inner));
            Wrap<Engagement.Contracts.Search.IMemberSearch, GatedMemberSearch>(services, inner => new GatedMemberSearch(inner));
            Wrap<Engagement.Contracts.Search.IAudienceIndex, FlakyAudienceIndex>(services, inner => new FlakyAudienceIndex(inner));
            Wrap<Engagement.Domain.Metrics.IProgrammeDaysReader, FlakyDaysReader>(services, inner => new FlakyDaysReader(inner));
            Wrap<Engagement.Grains.Ports.ILedgerArchive, FlakyLedgerArchive>(services, inner => new FlakyLedgerArchive(inner));

            services.AddSingleton<IOutgoingGrainCallFilter>(CampaignCalls);
            services.AddSingleton<IOutgoingGrainCallFilter>(MemberCalls);
            services.AddSingleton<IOutgoingGrainCallFilter>(AlertCalls);

            // The host's Serilog logger also writes to the sinks registered as services (ReadFrom.Services).
            services.AddSingleton<Serilog.Core.ILogEventSink>(Logs);
        });
    }

    /// <summary>
    /// Replaces the host's registered <typeparamref name="TService"/> with what <paramref name="wrap"/> makes around it (a
    /// test's switch for faults), registered as itself too so a test can reach it.
    /// </summary>
    private static void Wrap<TService, TWrapper>(IServiceCollection services, Func<TService, TWrapper> wrap)
        where TService : class
        where TWrapper : class, TService
    {
        var registered = services.Last(d => d.ServiceType == typeof(TService));
        services.RemoveAll<TService>();
        services.AddSingleton(sp => wrap((TService)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
        services.AddSingleton<TService>(sp => sp.GetRequiredService<TWrapper>());
    }

    private static int FreePort() => Engagement.Testing.TestPorts.Next();
}
