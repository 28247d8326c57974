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
    /// <c>store:ops@example.com</c> is the key <c>ops</c> bound to store <c>example.com</c>, which the silo warns about at
    /// start: <see cref="DomainShapedStore"/>). Null for an unbound store
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
    /// For a NAMED <c>store</c> key bound to one store id shaped like the end of an e-mail address
    /// (<c>store:ops@example.com</c>, <c>store:x@SH.PD</c>: dot-joined labels of letters, digits and <c>-</c>, the last of
    /// two or more letters), which the last-<c>@</c> rule reads as the key <c>ops</c> bound to store <c>example.com</c>:
    /// its name, its store and how to write the value if the <c>@</c> was meant as part of the name. Null for every other
    /// value, including a nameless key (<c>store@SH.PD</c>) and a key bound to several stores (<c>store@S001,mall.cn</c>).
    /// Such values are valid and bind as read; the silo only warns about them at start (<see cref="StoreKeyScope"/>).
    /// </summary>
    public static DomainShapedBinding? DomainShapedStore(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (StoresOf(value) is not { Count: 1 } stores || Parse(value) is not var (role, name))
        {
            return null;
        }

        var store = stores.First();
        if (!value[..value.LastIndexOf('@')].Contains(':', StringComparison.Ordinal) || !DomainShaped().IsMatch(store))
        {
            return null;
        }

        // Built from the parsed role and name, and kept only when sign-in reads them so (a name of at most 64 characters).
        var bound = $"{role}:{name}@{store}@S001";
        var unbound = $"{role}:{name} at {store}";
        return new(name, store, Parse(bound) is not null ? bound : null, Parse(unbound) is not null ? unbound : null);
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

/// <summary>
/// A named store key bound to a store id shaped like the end of an e-mail address (<see cref="ApiKeyIdentity.DomainShapedStore"/>).
/// </summary>
/// <param name="Name">The key's name as read (<c>ops</c> of <c>store:ops@example.com</c>).</param>
/// <param name="StoreId">The one store it is bound to (<c>example.com</c>).</param>
/// <param name="AsBoundName">
/// The value naming the key after the whole address and binding it to a store (<c>store:ops@example.com@S001</c>, S001 to
/// be replaced by its store id); null when that name would be over <see cref="ApiKeyIdentity.MaxNameLength"/>.
/// </param>
/// <param name="AsUnboundName">The value naming it without an <c>@</c>, unbound (<c>store:ops at example.com</c>); null when over the limit.</param>
public sealed record DomainShapedBinding(string Name, string StoreId, string? AsBoundName, string? AsUnboundName);
