using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Engagement.Api.Security;

/// <summary>
/// API keys configured by their SHA-256 (<see cref="ApiKeyOptions.KeyHashes"/>): the presented key is hashed and
/// looked up, so a configuration file or environment that leaks gives away no key.
/// </summary>
public static class ApiKeyHashes
{
    /// <summary>The lowercase hex SHA-256 of the key's UTF-8 bytes (64 characters), as <c>sha256sum</c> prints it.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>The configured value (the role) for <paramref name="key"/> if its hash is configured.</summary>
    public static bool TryFind(ApiKeyOptions options, string key, [NotNullWhen(true)] out string? role)
    {
        ArgumentNullException.ThrowIfNull(options);
        role = null;
        return options.KeyHashes.Count > 0 && options.KeyHashes.TryGetValue(Hash(key), out role);
    }

    /// <summary>
    /// The configured value (the role) for a presented key: a key listed in plain (<see cref="ApiKeyOptions.Keys"/>) or
    /// one configured only by its SHA-256 (<see cref="ApiKeyOptions.KeyHashes"/>). Every place that accepts a key (the
    /// API's <c>X-Api-Key</c>, a Basic password, the console's sign-in form) asks this, so a production configuration
    /// holding hashes only works everywhere.
    /// </summary>
    public static bool TryResolve(ApiKeyOptions options, string key, [NotNullWhen(true)] out string? role)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        return TryFindPlain(options, key, out role) || TryFind(options, key, out role);
    }

    /// <summary>
    /// A key listed in plain, compared in fixed time: the presented key's SHA-256 against each configured key's, so the
    /// time taken says nothing about how many leading characters a guess got right (a dictionary lookup ends at the
    /// first differing character). Every configured key is compared; the list is a handful of keys.
    /// </summary>
    private static bool TryFindPlain(ApiKeyOptions options, string key, [NotNullWhen(true)] out string? role)
    {
        role = null;
        if (options.Keys.Count == 0)
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> configured = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), presented);
        foreach (var (candidate, value) in options.Keys)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(candidate), configured);
            if (CryptographicOperations.FixedTimeEquals(presented, configured) && role is null)
            {
                role = value;
            }
        }

        return role is not null;
    }

    /// <summary>
    /// The password of an HTTP Basic <c>Authorization</c> header (any user name), taken as the API key: how a person
    /// opens <c>/dashboard</c> in a browser, which cannot send <c>X-Api-Key</c>. Empty when there is none.
    /// </summary>
    public static StringValues BasicPassword(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return StringValues.Empty;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && colon < pair.Length - 1 ? new StringValues(pair[(colon + 1)..]) : StringValues.Empty;
        }
        catch (FormatException)
        {
            return StringValues.Empty;
        }
    }

    /// <summary>On a 401 for the dashboard, asks a browser for the key (as the Basic password).</summary>
    public static void OfferBasicLogin(HttpRequest request, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (request.Path.StartsWithSegments("/dashboard"))
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"engagement (API key as password)\", charset=\"UTF-8\"";
        }
    }
}

/// <summary>Checks <see cref="ApiKeyOptions.KeyHashes"/> and <see cref="ApiKeyOptions.RateLimit"/> at start-up.</summary>
internal sealed class ApiKeyProtectionValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var failures = new List<string>();
        foreach (var (hash, value) in options.KeyHashes)
        {
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                failures.Add($"{ApiKeyOptions.SectionName}:KeyHashes: '{hash}' is not a SHA-256 in hex (64 hex digits).");
            }

            // The same reading sign-in uses: "admin:" (an empty name) or a name over the limit would pass a check of the
            // role alone and then refuse every request with that key (401).
            if (ApiKeyIdentity.Parse(value) is null)
            {
                failures.Add($"{ApiKeyOptions.SectionName}:KeyHashes:{hash} must map to support, marketing, admin or store, optionally followed by :name (1–{ApiKeyIdentity.MaxNameLength} characters).");
            }
        }

        var limit = options.RateLimit;
        if (limit.PermitLimit < 0 || limit.QueueLimit < 0 || limit.Window <= TimeSpan.Zero || limit.Window > TimeSpan.FromHours(1))
        {
            failures.Add($"{ApiKeyOptions.SectionName}:RateLimit: PermitLimit and QueueLimit must be ≥ 0 (0 permits = no limit) and Window between 0 and 1 hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
