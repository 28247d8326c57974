using System.Security.Claims;

namespace Engagement.Api.Security;

/// <summary>
/// What a configured key value means: <c>role</c> or <c>role:name</c> (CONTRACT.md §4). The name is who the audit
/// trail records; an unnamed key is recorded by its role.
/// </summary>
public static class ApiKeyIdentity
{
    /// <summary>Longest key name, in characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Splits a configured value into role and name (the role when no name is given); null when malformed.</summary>
    public static (string Role, string Name)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
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

        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], scheme));
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
