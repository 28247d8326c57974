using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Engagement.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Engagement.Console.Hosting;

/// <summary>
/// A console session holds the SHA-256 of the key it was opened with (never the key) beside its role and name, and is
/// checked against the live key list (<see cref="ApiKeyOptions"/>, reloaded with the configuration) on every request and
/// every minute in an open page: a key removed, or given another role or name, ends the session.
/// </summary>
public static class ConsoleSessions
{
    /// <summary>The claim holding the lowercase hex SHA-256 of the session's key (<see cref="ApiKeyHashes.Hash"/>).</summary>
    public const string KeyHashClaim = "engagement:console:key-sha256";

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
    public static bool IsCurrent(ApiKeyOptions keys, ClaimsPrincipal? user)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (user?.FindFirst(KeyHashClaim)?.Value is not { Length: 64 } hash
            || ApiKeyIdentity.Parse(ValueOf(keys, hash)) is not var (role, name))
        {
            return false;
        }

        return role == ApiKeyIdentity.RoleOf(user) && name == user.Identity?.Name && Roles.Contains(role);
    }

    /// <summary>Cookie validation: a session whose key is gone or changed is rejected and its cookie removed.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue;
        if (!IsCurrent(keys, context.Principal))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
        }
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
