using System.Security.Claims;
using Engagement.Contracts.Offers;

namespace Engagement.Api.Security;

/// <summary>
/// What a configured key value means: <c>role</c> or <c>role:name</c> (CONTRACT.md §4). The name is who the audit
/// trail records; an unnamed key is recorded by its role. A store key may be bound to its store(s) by a suffix
/// <c>@S001</c> or <c>@S001,S002</c> (<c>store:POS S001@S001</c>, <c>store@S001</c>): see <see cref="StoreKeyScope"/>.
/// </summary>
public static class ApiKeyIdentity
{
    /// <summary>Longest key name, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The claim a bound store key carries once per store id it may act for (<see cref="StoreKeyScope"/>).</summary>
    public const string StoreClaim = "engagement:store";

    /// <summary>Splits a configured value into role and name (the role when no name is given); null when malformed.</summary>
    public static (string Role, string Name)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (StoresOf(value) is { } stores)
        {
            if (stores.Count == 0)
            {
                return null;
            }

            value = value[..value.LastIndexOf('@')];
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var role = (colon < 0 ? value : value[..colon]).Trim();
        var name = colon < 0 ? role : value[(colon + 1)..].Trim();
        if (!ApiRoles.All.Contains(role) || name.Length is 0 or > MaxNameLength)
        {
            return null;
        }

        return (role, name);
    }

    /// <summary>The principal of a key value (name and role claims) under <paramref name="scheme"/>; null when malformed.</summary>
    public static ClaimsPrincipal? Principal(string? value, string scheme)
    {
        if (Parse(value) is not var (role, name))
        {
            return null;
        }

        Claim[] claims = [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), .. (StoresOf(value!) ?? new HashSet<string>()).Select(store => new Claim(StoreClaim, store))];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>
    /// The stores a <c>store</c> key value is bound to (its <c>@S001,S002</c> suffix); null for an unbound store key and
    /// for every other role (whose names may hold an <c>@</c>); empty when the suffix names no valid store id (1–64
    /// characters of <c>A–Z a–z 0–9 _ - . :</c>), which <see cref="Parse"/> refuses.
    /// </summary>
    public static IReadOnlySet<string>? StoresOf(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.LastIndexOf('@');
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var role = (colon < 0 || (at >= 0 && at < colon) ? value[..(at < 0 ? value.Length : at)] : value[..colon]).Trim();
        if (at < 0 || !string.Equals(role, ApiRoles.Store, StringComparison.Ordinal))
        {
            return null;
        }

        var ids = value[(at + 1)..].Split(',', StringSplitOptions.TrimEntries);
        return ids.All(OfferIds.IsValid)
            ? new HashSet<string>(ids, StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The role of an authenticated principal (the first of support, marketing, admin it is in); empty when none.</summary>
    public static string RoleOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(ClaimTypes.Role)?.Value ?? "";
    }

    /// <summary>The name recorded in the audit for <paramref name="user"/>.</summary>
    public static string NameOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.Name is { Length: > 0 } name ? name : RoleOf(user);
    }
}
