using System.Globalization;
using Engagement.Domain.Program;

namespace Engagement.Domain.Members;

/// <summary>Profile fields from <c>profile_update</c> properties (CONTRACT.md §1).</summary>
public static class ProfilePolicy
{
    public const string ConsentPrefix = "consent.";

    /// <summary>
    /// Channels a member's consent holds at most: a channel not yet held is ignored (with a note) once it holds this
    /// many. The contract names four (CONTRACT.md §1: sms, push, call, wechat), which the event validator and the
    /// consent endpoint enforce; this bound keeps the state bounded whatever reaches the rules.
    /// </summary>
    public const int MaxConsentChannels = 8;

    /// <summary>
    /// Applies what is valid as of <paramref name="occurredAt"/> (the event's instant; null: unstamped); returns a note
    /// for each property it ignored, so bad input never blocks good input. A value set by a later event (or by staff
    /// later) is kept: an offline upload of an older opt-in must not undo a newer opt-out (CONTRACT.md §1.1, §2).
    /// </summary>
    public static IReadOnlyList<string> Apply(MemberState state, IReadOnlyDictionary<string, string> properties, ProgramOptions options, DateTimeOffset? occurredAt = null)
    {
        var notes = new List<string>();
        foreach (var (key, raw) in properties)
        {
            var value = raw?.Trim() ?? "";
            var stamp = key.StartsWith(ConsentPrefix, StringComparison.Ordinal) ? ConsentPrefix + key[ConsentPrefix.Length..].ToLowerInvariant() : key;
            if (key is "birthday" or "timeZone" or "phone" || stamp.Length > ConsentPrefix.Length && stamp.StartsWith(ConsentPrefix, StringComparison.Ordinal))
            {
                if (occurredAt is { } at && state.ProfileAt?.GetValueOrDefault(stamp) is { } newer && newer > at)
                {
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"{key} not changed: set by a later change at {newer:yyyy-MM-dd'T'HH:mm:ssK}"));
                    continue;
                }
            }

            switch (key)
            {
                case "birthday":
                    if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthday))
                    {
                        state.Birthday = birthday;
                        Stamp(state, key, occurredAt);
                    }
                    else
                    {
                        notes.Add($"birthday '{value}' is not YYYY-MM-DD; ignored");
                    }

                    break;
                case "timeZone":
                    if (MemberTimeZones.TryFind(value) is not null)
                    {
                        if (occurredAt is { } changedAt)
                        {
                            MemberTimeZones.RecordChange(state, value, changedAt);
                        }

                        state.TimeZone = value;
                        Stamp(state, key, occurredAt);
                    }
                    else
                    {
                        notes.Add($"timeZone '{value}' is not a known IANA zone; ignored");
                    }

                    break;
                case "phone":
                    state.Phone = value.Length == 0 ? null : value;
                    Stamp(state, key, occurredAt);
                    break;
                case "tags":
                    AddTags(state, value, options.MaxTags, notes);
                    break;
                default:
                    if (key.StartsWith(ConsentPrefix, StringComparison.Ordinal) && key.Length > ConsentPrefix.Length)
                    {
                        var channel = key[ConsentPrefix.Length..];
                        if (state.Consent.Count >= MaxConsentChannels && !state.Consent.Keys.Any(k => string.Equals(k, channel, StringComparison.OrdinalIgnoreCase)))
                        {
                            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{key} not recorded: at most {MaxConsentChannels} consent channels"));
                        }
                        else if (bool.TryParse(value, out var allowed))
                        {
                            SetConsent(state, channel, allowed, occurredAt);
                        }
                        else
                        {
                            notes.Add($"{key} '{value}' is not true/false; ignored");
                        }
                    }

                    break;
            }
        }

        return notes;
    }

    /// <summary>
    /// Records one channel's consent under its lower-case name and drops any other spelling of it, so the newest
    /// answer is the only one (a producer writing <c>consent.SMS</c> after <c>consent.sms</c> opts the member out).
    /// </summary>
    /// <param name="state">The member, changed in place.</param>
    /// <param name="channel">Channel name as written (sms, push, call, wechat), any case.</param>
    /// <param name="allowed">True allowed, false opted out.</param>
    /// <param name="at">When it was said (an event's occurredAt, or when staff set it), kept in <see cref="MemberState.ProfileAt"/>; null: not stamped.</param>
    public static void SetConsent(MemberState state, string channel, bool allowed, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(channel);
        var name = channel.ToLowerInvariant();
        foreach (var other in state.Consent.Keys.Where(k => !string.Equals(k, name, StringComparison.Ordinal)
            && string.Equals(k, name, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            state.Consent.Remove(other);
        }

        state.Consent[name] = allowed;
        Stamp(state, ConsentPrefix + name, at);
    }

    /// <summary>Keeps when profile value <paramref name="key"/> was set (<see cref="MemberState.ProfileAt"/>); nothing when <paramref name="at"/> is null.</summary>
    private static void Stamp(MemberState state, string key, DateTimeOffset? at)
    {
        if (at is { } instant)
        {
            (state.ProfileAt ??= new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal))[key] = instant;
        }
    }

    /// <summary>
    /// The longest tag kept, in Unicode code points (64). A longer one is not added and is noted: 32 tags of a whole
    /// property value (512 code points, each CJK character 6 bytes escaped in the stored JSON) would add about 98 KB to a
    /// member and take one at every cap past the grain-state bound (MemberStateSerializationTests measure every cap at
    /// once with 32 tags of 64 CJK characters).
    /// </summary>
    public const int MaxTagLength = 64;

    // The first 16 UTF-16 units of a refused tag, never half a surrogate pair.
    private static string Excerpt(string tag)
    {
        var end = Math.Min(tag.Length, 16);
        return tag[..(end < tag.Length && char.IsLowSurrogate(tag[end]) ? end - 1 : end)];
    }

    private static int TagLength(string tag)
    {
        var n = 0;
        foreach (var _ in tag.EnumerateRunes())
        {
            n++;
        }

        return n;
    }

    private static void AddTags(MemberState state, string value, int maxTags, List<string> notes)
    {
        foreach (var tag in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (state.Tags.Contains(tag, StringComparer.Ordinal))
            {
                continue;
            }

            var length = TagLength(tag);
            if (length > MaxTagLength)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"tag '{Excerpt(tag)}…' not added: {length} characters, at most {MaxTagLength}"));
                continue;
            }

            if (state.Tags.Count >= maxTags)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"tag '{tag}' not added: at most {maxTags} tags"));
                continue;
            }

            state.Tags.Add(tag);
        }
    }
}
