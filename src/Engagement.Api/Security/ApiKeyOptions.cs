namespace Engagement.Api.Security;

/// <summary>
/// API keys and their roles, bound from <c>Engagement:Api</c>: <c>Engagement:Api:Keys:{key} = role</c>
/// (so <c>Engagement__Api__Keys__k1=admin</c> in the environment adds one).
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Engagement:Api";

    public const string HeaderName = "X-Api-Key";

    /// <summary>
    /// Key → <c>role</c> or <c>role:name</c> (role <c>support</c>, <c>marketing</c> or <c>admin</c>; the name is who the
    /// audit records, see <see cref="ApiKeyIdentity"/>); a <c>store</c> key may end <c>@S001</c> or <c>@S001,S002</c> to be
    /// bound to those stores (<see cref="StoreKeyScope"/>). No defaults: a deployment configures its own.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// SHA-256 of a key (64 hex digits, either case) → role, so production configuration holds no plain key:
    /// <c>Engagement:Api:KeyHashes:{sha256-hex} = admin</c>. Make one with
    /// <c>printf %s "$KEY" | sha256sum</c>. See <see cref="ApiKeyHashes"/>.
    /// </summary>
    public Dictionary<string, string> KeyHashes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Requests allowed per API key (or per client address without one); see <see cref="ApiRateLimitOptions"/>.</summary>
    public ApiRateLimitOptions RateLimit { get; set; } = new();
}
