using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Engagement.Domain.Touches;

/// <summary>Deterministic touch ids: the same logical touch always gets the same id, in any process, on any day.</summary>
public static class TouchIds
{
    /// <summary>
    /// <c>t_</c> + 24 hex digits of SHA-256 over member id, kind, campaign id, level and dedupe key.
    /// 96 bits keep accidental collisions out of reach for billions of touches.
    /// </summary>
    public static string For(string memberId, string kind, string? campaignId, int? level, string dedupeKey)
    {
        // Unit separator between fields so ("a", "bc") and ("ab", "c") never hash alike.
        var text = string.Join(
            '\u001f',
            memberId,
            kind.ToLowerInvariant(),
            campaignId ?? "",
            level?.ToString(CultureInfo.InvariantCulture) ?? "",
            dedupeKey);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return "t_" + Convert.ToHexStringLower(hash[..12]);
    }

    public static string For(string memberId, TouchRequest request) =>
        For(memberId, request.Kind, request.CampaignId, request.Level, request.DedupeKey);

    /// <summary>A dedupe key from an instant (UTC, to the second), e.g. a win-back episode's day 0.</summary>
    public static string KeyFor(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
}
