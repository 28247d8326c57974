using System.Globalization;
using Engagement.Api.Security;
using Engagement.Console.Components;
using Engagement.Console.Services;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace Engagement.Console.Hosting;

/// <summary>
/// The operator console at <c>/console</c> in the silo host: Blazor interactive server pages on MudBlazor, signed in
/// with an API key (kept as a cookie session with the key's role, name and hash, re-checked against the live key list:
/// <see cref="ConsoleSessions"/>), in English and Simplified Chinese.
/// </summary>
public static class ConsoleHostingExtensions
{
    /// <summary>The cookie scheme of console sessions.</summary>
    public const string CookieScheme = "EngagementConsole";

    /// <summary>Picks the API key scheme for <c>/api</c> (and any request with an API key header), the cookie otherwise.</summary>
    public const string SelectorScheme = "EngagementKeyOrCookie";

    public const string BasePath = "/console";

    public static readonly CultureInfo[] Cultures = [new("en"), new("zh-CN")];

    /// <summary>
    /// Adds the console: Razor components with interactive server rendering, MudBlazor, localization from the
    /// resource files, and a cookie session beside the API's key scheme (call after <c>AddEngagementApi</c>).
    /// </summary>
    public static IServiceCollection AddEngagementConsole(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        // MudBlazor's own texts (pager, close buttons, "Required", date pickers) in the viewer's language.
        services.AddTransient<MudLocalizer, ConsoleMudLocalizer>();
        services.AddLocalization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<ViewerClock>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
                o.DefaultForbidScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "API key or console cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.ContainsKey(ApiKeyOptions.HeaderName) || !IsConsolePath(ctx.Request.Path)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "engagement.console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.Path = "/";
                o.LoginPath = BasePath + "/signin";
                o.AccessDeniedPath = BasePath + "/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;

                // Re-checked against the live key list on every request: a revoked or downgraded key ends the session.
                o.Events.OnValidatePrincipal = ConsoleSessions.ValidateAsync;

                // A session ended because its key's role may not use the console (a store key's, opened before such
                // keys were refused at sign-in) goes to the sign-in page with the sign-in refusal's message, not bare.
                var redirectToLogin = o.Events.OnRedirectToLogin;
                o.Events.OnRedirectToLogin = context =>
                {
                    if (ConsoleSessions.EndedForRole(context.HttpContext))
                    {
                        context.RedirectUri = context.Request.PathBase + BasePath + "/signin?refused=1";
                    }

                    return redirectToLogin(context);
                };
            });
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, ConsoleSessionRevalidator>();
        return services;
    }

    /// <summary>
    /// Maps the console's pages, its sign-in/out and language endpoints, and its static assets, behind
    /// <see cref="ConsoleCircuitShutdown"/> (a stopping host closes the pages' circuit connections).
    /// </summary>
    public static WebApplication MapEngagementConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // First: a stopping host refuses and closes the circuits' connections, so open pages cannot hold its stop.
        app.UseConsoleCircuitShutdown();
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.ApplyCurrentCultureToResponseHeaders = true;
        });
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapPost(Engagement.Api.Security.ApiRateLimiting.ConsoleSignInPath, (Delegate)SignInAsync).DisableAntiforgery().AllowAnonymous();
        app.MapGet(BasePath + "/signout", (Delegate)SignOutAsync).AllowAnonymous();
        app.MapGet(BasePath + "/culture", (Delegate)SetCulture).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static bool IsConsolePath(PathString path) =>
        path.StartsWithSegments(BasePath) || path.StartsWithSegments("/_blazor");

    private static async Task<IResult> SignInAsync(HttpContext context, IOptionsMonitor<ApiKeyOptions> keys)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var key = form["key"].ToString();
        if (key.Length is 0 or > 256 || ConsoleSessions.SignIn(keys.CurrentValue, key, CookieScheme) is not { } principal)
        {
            return Results.Redirect(BasePath + "/signin?failed=1");
        }

        // A valid key whose role has no console page (a store key): refused here, saying who may sign in, rather than
        // signed in to a console that answers "Not allowed" everywhere.
        if (!ConsoleSessions.MayUseConsole(principal))
        {
            return Results.Redirect(BasePath + "/signin?refused=1");
        }

        await context.SignInAsync(CookieScheme, principal);
        return Results.Redirect(BasePath);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(CookieScheme);
        return Results.Redirect(BasePath + "/signin");
    }

    private static IResult SetCulture(HttpContext context, string? culture, string? redirect)
    {
        var chosen = Cultures.FirstOrDefault(c => c.Name == culture) ?? Cultures[0];
        context.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Path = "/", MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true });
        var target = redirect is { Length: > 0 } r && r.StartsWith(BasePath, StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal) ? r : BasePath;
        return Results.LocalRedirect(target);
    }
}
