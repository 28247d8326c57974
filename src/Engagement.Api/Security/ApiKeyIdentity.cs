using System.Security.Claims;
using Engagement.Contracts.Offers;

namespace Engagement.Api.Security;

/// <summary>
/// What a configured key value means: <c>role</c> or <c>role:name</c> (CONTRACT.md §4). The name is who the audit
/// trail records; an unnamed key is recorded by its role. A store key may be bound to its store(s) by a suffix
/// <c>@S001</c> or <c>@S001,S002</c> (<c>store:POS S001@S001</c>, <c>store@S001</c>), read from the last <c>@</c> only
/// when store ids follow it (<see cref="StoresOf"/>): see <see cref="StoreKeyScope"/>.
/// </summary>
public static partial class ApiKeyIdentity
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

        if (StoresOf(value) is not null)
        {
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
    /// The stores a <c>store</c> key value is bound to: read only from its LAST <c>@</c>, and only when everything after
    /// it is a comma-separated list of store ids (1–64 characters of <c>A–Z a–z 0–9 _ - . :</c>) and everything before it
    /// is the role <c>store</c>, alone or with a name (<c>store@S:1</c> is bound to <c>S:1</c>;
    /// <c>store:ops@example.com</c> would be the key <c>ops</c> bound to store <c>example.com</c>, a value start-up refuses:
    /// <see cref="AmbiguousBinding"/>). Null for an unbound store
    /// key, including one whose name holds an <c>@</c> not followed by store ids (<c>store:till@Mall 3</c> is the
    /// unbound key <c>till@Mall 3</c>), and for every other role (whose names may hold an <c>@</c>). Never empty.
    /// The silo logs each store key's binding at start (<see cref="StoreKeyScope"/>).
    /// </summary>
    public static IReadOnlySet<string>? StoresOf(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var at = value.LastIndexOf('@');
        if (at < 0)
        {
            return null;
        }

        var head = value[..at];
        var colon = head.IndexOf(':', StringComparison.Ordinal);
        var role = (colon < 0 ? head : head[..colon]).Trim();
        var ids = value[(at + 1)..].Split(',', StringSplitOptions.TrimEntries);
        return string.Equals(role, ApiRoles.Store, StringComparison.Ordinal) && ids.All(OfferIds.IsValid)
            ? new HashSet<string>(ids, StringComparer.Ordinal)
            : null;
    }

    /// <summary>
    /// Why a <c>store</c> key value is refused at start, or null when it is not: its binding names a store id shaped like
    /// an Internet domain (<c>store:ops@example.com</c>: labels of letters, digits and <c>-</c> joined by dots, the last of
    /// letters only), which the last-<c>@</c> rule would read as the key <c>ops</c> bound to store <c>example.com</c>
    /// while whoever wrote it most likely meant a key named after an e-mail address. Neither reading is safe to guess (one
    /// leaves the till refused at its own store, the other lets it act for every store), so the silo does not start; the
    /// message says how to write either. Store ids with a dot but not that shape (<c>S.2</c>, <c>SH.001</c>) bind as before.
    /// </summary>
    public static string? AmbiguousBinding(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (StoresOf(value) is not { } stores || stores.FirstOrDefault(DomainShaped().IsMatch) is not { } domain)
        {
            return null;
        }

        var head = value[..value.LastIndexOf('@')];
        return $"the store key '{value}' reads as the key '{Parse(value)?.Name}' bound to store '{domain}', which looks like the end of an e-mail address: "
            + $"to name the key after it and bind it to its store, add the store after it ('{head}@{domain}@S001'); to name it so and leave it unbound, write the name without '@' ('{head} at {domain}')";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex DomainShaped();

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
