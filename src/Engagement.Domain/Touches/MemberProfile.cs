using Engagement.Domain.Members;

namespace Engagement.Domain.Touches;

/// <summary>
/// The one place lifecycle and touch rules read the member's profile (zone, consent, registration, birthday)
/// from <see cref="MemberState"/>, so those rules do not depend on how the profile is stored.
/// </summary>
internal static class MemberProfile
{
    /// <summary>IANA zone id from the member's profile; null: use the programme default.</summary>
    public static string? TimeZone(MemberState state) => state.TimeZone;

    /// <summary>Channel consent; false = opted out, missing = allowed.</summary>
    public static IReadOnlyDictionary<string, bool>? Consent(MemberState state) => state.Consent;

    /// <summary>Registration time (the register event, else the first event); else the lifecycle's first activity.</summary>
    public static DateTimeOffset? RegisteredAt(MemberState state) => state.RegisteredAt ?? state.Lifecycle.FirstActivityAt;

    public static DateOnly? Birthday(MemberState state) => state.Birthday;

    /// <summary>The channel, or the fallback when the member opted out of the channel and not of the fallback.</summary>
    public static string PreferredChannel(MemberState state, string channel, string? fallback) =>
        IsOptedOut(state, channel) && !string.IsNullOrWhiteSpace(fallback) && !IsOptedOut(state, fallback) ? fallback : channel;

    public static bool IsOptedOut(MemberState state, string channel)
    {
        var consent = Consent(state);
        if (consent is null)
        {
            return false;
        }

        // Consent is stored under lower-case names; a state written before that may hold several spellings of one
        // channel (sms and SMS) whose order is lost: any of them saying no is an opt-out (CONTRACT.md §2).
        foreach (var pair in consent)
        {
            if (!pair.Value && string.Equals(pair.Key, channel, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static IReadOnlyList<string> OptedOutChannels(MemberState state)
    {
        var consent = Consent(state);
        if (consent is null)
        {
            return [];
        }

        return [.. consent.Where(p => !p.Value).Select(p => p.Key.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
