using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Engagement.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Console.Hosting;

/// <summary>
/// A console session holds the SHA-256 of the key it was opened with (never the key) beside its role and name, and is
/// checked against the live key list (<see cref="ApiKeyOptions"/>, reloaded with the configuration) on every request and
/// every minute in an open page: a key removed, or given another role or name, ends the session.
/// </summary>
public static partial class ConsoleSessions
{
    /// <summary>The claim holding the lowercase hex SHA-256 of the session's key (<see cref="ApiKeyHashes.Hash"/>).</summary>
    public const string KeyHashClaim = "engagement:console:key-sha256";

    // HttpContext.Items: this request's session was ended because its key's role may not use the console.
    private static readonly object EndedForRoleItem = new();

    private enum SessionCheck
    {
        /// <summary>The key is configured with the session's role and name, a console role.</summary>
        Current,

        /// <summary>The key is gone, or has another role or name: a revoked or changed key.</summary>
        Stale,

        /// <summary>The key is unchanged but its role may not use the console (<see cref="Roles"/>).</summary>
        RoleRefused,
    }

    /// <summary>
    /// The roles that may sign in to the console: support, marketing and admin. Every console page reads data the API
    /// gives only to these (member search, ledger, audit, campaigns, programme health and operations: the read, support
    /// and campaign policies of CONTRACT.md §4), so a <c>store</c> key, which the API gives only a till's view of one
    /// member and the store-side writes, has no page it may open and is refused at sign-in instead of being let in to a
    /// console where every page is "Not allowed".
    /// </summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.Ordinal) { ApiRoles.Support, ApiRoles.Marketing, ApiRoles.Admin };

    /// <summary>Whether <paramref name="user"/>'s role is one of <see cref="Roles"/>.</summary>
    public static bool MayUseConsole(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Roles.Contains(ApiKeyIdentity.RoleOf(user));
    }

    /// <summary>The session principal for a presented key: its role and name and the key's hash; null when not a valid key.</summary>
    public static ClaimsPrincipal? SignIn(ApiKeyOptions keys, string key, string scheme)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(key);
        if (!ApiKeyHashes.TryResolve(keys, key, out var value) || ApiKeyIdentity.Principal(value, scheme) is not { } principal)
        {
            return null;
        }

        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(KeyHashClaim, ApiKeyHashes.Hash(key)));
        return principal;
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s key is still configured with the role and name the session holds, and that role
    /// may use the console (<see cref="Roles"/>: a store session opened before store keys were refused ends too).
    /// </summary>
    public static bool IsCurrent(ApiKeyOptions keys, ClaimsPrincipal? user) => Check(keys, user) == SessionCheck.Current;

    /// <summary>
    /// Whether this request's session cookie was ended by <see cref="ValidateAsync"/> because its key's role may not use
    /// the console (a store key's session, opened before store keys were refused at sign-in): the sign-in page then
    /// says so with the sign-in refusal's words (<c>SignIn_Refused</c>), and a page's redirect to it carries
    /// <c>refused=1</c>, as a refused sign-in's does.
    /// </summary>
    public static bool EndedForRole(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.ContainsKey(EndedForRoleItem);
    }

    /// <summary>
    /// Cookie validation: a session whose key is gone or changed is rejected and its cookie removed. A session whose key
    /// is unchanged but whose role may not use the console is ended the same way, marked for <see cref="EndedForRole"/>
    /// and logged at Information (once: the cookie is gone after this request).
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.HttpContext.RequestServices;
        var keys = services.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue;
        var check = Check(keys, context.Principal);
        if (check == SessionCheck.Current)
        {
            return;
        }

        if (check == SessionCheck.RoleRefused)
        {
            context.HttpContext.Items[EndedForRoleItem] = true;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleSessions));
            var role = ApiKeyIdentity.RoleOf(context.Principal!);
            LogEndedForRole(logger, role, context.Principal!.Identity?.Name);
        }

        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
    }

    private static SessionCheck Check(ApiKeyOptions keys, ClaimsPrincipal? user)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (user?.FindFirst(KeyHashClaim)?.Value is not { Length: 64 } hash
            || ApiKeyIdentity.Parse(ValueOf(keys, hash)) is not var (role, name)
            || role != ApiKeyIdentity.RoleOf(user) || name != user.Identity?.Name)
        {
            return SessionCheck.Stale;
        }

        return Roles.Contains(role) ? SessionCheck.Current : SessionCheck.RoleRefused;
    }

    // As ApiKeyHashes.TryResolve: a plain key first, then one configured by its hash.
    private static string? ValueOf(ApiKeyOptions keys, string hash)
    {
        var wanted = Encoding.ASCII.GetBytes(hash.ToLowerInvariant());
        foreach (var (key, value) in keys.Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ApiKeyHashes.Hash(key)), wanted))
            {
                return value;
            }
        }

        return keys.KeyHashes.TryGetValue(hash, out var hashed) ? hashed : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console session of a {Role} key ({KeyName}) ended: that role may not use the console (the session was opened before such keys were refused at sign-in); its cookie is removed and the sign-in page says why")]
    private static partial void LogEndedForRole(ILogger logger, string? role, string? keyName);
}

/// <summary>
/// The authentication state of an open page (a Blazor circuit, which sends no further requests to be checked), checked
/// against the live key list every <see cref="RevalidationInterval"/>; a stale session becomes signed out there too.
/// </summary>
public sealed class ConsoleSessionRevalidator(ILoggerFactory loggerFactory, IOptionsMonitor<ApiKeyOptions> keys)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    /// <inheritdoc />
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return Task.FromResult(ConsoleSessions.IsCurrent(keys.CurrentValue, authenticationState.User));
    }
}
